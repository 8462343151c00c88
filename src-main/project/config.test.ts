import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from './config';
import { loadProject } from './project';
import { Diagnostics } from './diagnostics';
import { MINIMAL_CONFIG, writeTempProject, type TempProject } from './test-project';

let project: TempProject | undefined;
afterEach(async () => {
  await project?.remove();
  project = undefined;
});

const LAKE_CONFIG = `gateways:
  lake:
    connection:
      type: duckdb
      catalogs:
        lake: {type: ducklake, path: 'meta.ducklake', data_path: 'data/lake/'}
        local: local.duckdb
    state_connection: {type: postgres, host: localhost, port: 5432, user: u, password: "{{ env_var('PGPW') }}", database: state}
default_gateway: lake
model_defaults: {dialect: duckdb, start: 2024-01-01, cron: '@daily', owner: data}
variables:
  src_schema: raw
project: demo
`;

describe('config.yaml', () => {
  it('reads model_defaults statements with their place in the file', () => {
    const d = new Diagnostics();
    const config = parseConfig('config.yaml', "model_defaults:\n  dialect: duckdb\n  pre_statements:\n    - SET threads = 1\n    - 'SELECT @x'\n", {}, d);
    expect(d.items).toEqual([]);
    expect(config.modelDefaults.preStatements.map((s) => [s.sql, s.file, s.range.start.line, s.range.start.column])).toEqual([
      ['SET threads = 1', 'config.yaml', 4, 7],
      ['SELECT @x', 'config.yaml', 5, 8],
    ]);
  });

  it('reads gateways with DuckLake catalogs passed through and a postgres state connection', () => {
    const d = new Diagnostics();
    const config = parseConfig('config.yaml', LAKE_CONFIG, { PGPW: 'secret' }, d);
    expect(d.items).toEqual([]);
    expect(config.defaultGateway).toBe('lake');
    const gw = config.gateways['lake'];
    expect(gw?.connection?.catalogs).toEqual({
      lake: { type: 'ducklake', path: 'meta.ducklake', data_path: 'data/lake/' },
      local: 'local.duckdb',
    });
    expect(gw?.stateConnection).toEqual({ type: 'postgres', host: 'localhost', port: 5432, user: 'u', password: 'secret', database: 'state' });
    expect(config.modelDefaults).toMatchObject({ dialect: 'duckdb', start: '2024-01-01', cron: '@daily', owner: 'data' });
    expect(config.variables).toEqual({ src_schema: 'raw' });
    expect(config.project).toBe('demo');
  });

  it('defaults to the first gateway when default_gateway is absent', () => {
    const d = new Diagnostics();
    const config = parseConfig('config.yaml', MINIMAL_CONFIG, {}, d);
    expect(config.defaultGateway).toBe('local');
    expect(config.gateways['local']?.connection?.database).toBe('db.duckdb');
  });

  it('maps validation errors to the line and column of the offending YAML node', () => {
    const d = new Diagnostics();
    parseConfig(
      'config.yaml',
      `gateways:
  local:
    connection:
      type: snowflake
    state_connection:
      type: postgres
      host: localhost
      port: not-a-port
model_defaults:
  dialect: duckdb
  cron: 5
`,
      {},
      d,
    );
    const errors = d.items.filter((i) => i.severity === 'error').map((i) => `${i.line}:${i.column}`);
    expect(errors).toContain('4:13'); // type: snowflake
    expect(errors).toContain('11:9'); // cron: 5
    expect(d.items.every((i) => i.file === 'config.yaml')).toBe(true);
    expect(d.items.find((i) => i.line === 4)?.message).toContain("connection type 'snowflake' is not supported here; only 'duckdb' connections are");
  });

  it('reports a missing model_defaults.dialect at the model_defaults node', () => {
    const d = new Diagnostics();
    parseConfig('config.yaml', 'gateways: {}\nmodel_defaults:\n  cron: "@daily"\n', {}, d);
    expect(d.items[0]).toMatchObject({ line: 3, column: 3, severity: 'error', code: 'config.invalid' });
    expect(d.items[0]?.message).toContain('model_defaults.dialect');
  });

  it('rejects a dialect other than duckdb', () => {
    const d = new Diagnostics();
    parseConfig('config.yaml', 'model_defaults:\n  dialect: snowflake\n', {}, d);
    expect(d.items[0]).toMatchObject({ line: 2, column: 12, code: 'config.dialect' });
  });

  it('refuses unknown keys at the key, at every level, with the closest known key, and keeps loading', () => {
    const d = new Diagnostics();
    const config = parseConfig(
      'config.yaml',
      `gateways:
  local:
    connection:
      type: duckdb
      databse: x.duckdb
    colour: blue
model_defaults:
  dialect: duckdb
  strat: '2024-01-01'
frobnicate: true
plan:
  auto_apply: true
`,
      {},
      d,
    );
    expect(d.items.map((i) => [i.severity, i.line, i.column, i.code])).toEqual([
      ['error', 10, 1, 'config.unknown_key'],
      ['error', 9, 3, 'config.unknown_key'],
      ['error', 6, 5, 'config.unknown_key'],
      ['error', 5, 7, 'config.unknown_key'],
      ['warning', 11, 1, 'config.unsupported_key'],
    ]);
    expect(d.items.map((i) => i.message)).toEqual([
      "Unknown key 'frobnicate' in config.yaml",
      "Unknown key 'strat' in model_defaults; did you mean 'start'?",
      "Unknown key 'colour' in gateway 'local'",
      "Unknown key 'databse' in gateway 'local' connection; did you mean 'database'?",
      "'plan' is not used here (pas plan takes its options on the command line); it is ignored",
    ]);
    expect(config.gateways['local']).toBeDefined();
    expect(config.other).toEqual({ plan: { auto_apply: true } });
  });

  it('reports YAML syntax errors with their position', () => {
    const d = new Diagnostics();
    parseConfig('config.yaml', 'model_defaults:\n  dialect: [duckdb\n', {}, d);
    expect(d.items[0]).toMatchObject({ file: 'config.yaml', severity: 'error', code: 'yaml.syntax' });
    expect(d.items[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('reports config.py as unsupported and still uses config.yaml next to it', async () => {
    project = await writeTempProject({ 'config.py': 'config = Config()\n', 'config.yaml': MINIMAL_CONFIG });
    const d = new Diagnostics();
    const config = await loadConfig(project.dir, {}, d);
    expect(config.defaultGateway).toBe('local');
    expect(d.items).toHaveLength(1);
    expect(d.items[0]).toMatchObject({ file: 'config.py', severity: 'warning', code: 'config.python_unsupported' });
  });

  it('makes config.py alone an error saying Python config is not supported', async () => {
    project = await writeTempProject({ 'config.py': 'config = Config()\n' });
    const d = new Diagnostics();
    await loadConfig(project.dir, {}, d);
    expect(d.items[0]).toMatchObject({ file: 'config.py', severity: 'error' });
    expect(d.items[0]?.message).toContain('Python config (config.py) is not supported');
  });

  it("reads every form of SQLMesh's duckdb connection documentation without a problem", () => {
    const forms = [
      'database: data/local.duckdb',
      "catalogs:\n        local: 'data/local.duckdb'\n        ephemeral: ':memory:'",
      'catalogs:\n        persistent: {type: duckdb, path: local.duckdb, read_only: false}',
      'catalogs:\n        lake: {type: ducklake, path: meta.ducklake, data_path: data/ducklake, encrypted: false, data_inlining_row_limit: 10, metadata_schema: main}',
      'database: x.duckdb\n      extensions:\n        - json\n        - {name: parquet}\n      connector_config:\n        threads: 2',
      'database: x.duckdb\n      secrets:\n        - {type: s3, region: us-east-1, key_id: k, secret: s}',
      'database: x.duckdb\n      secrets:\n        my_s3: {type: s3, region: us-east-1, key_id: k, secret: s}',
    ];
    for (const form of forms) {
      const d = new Diagnostics();
      parseConfig('config.yaml', `gateways:\n  local:\n    connection:\n      type: duckdb\n      ${form}\nmodel_defaults:\n  dialect: duckdb\n`, {}, d);
      expect(d.items, form).toEqual([]);
    }
  });

  it('honours default_target_environment and warns about settings that change nothing here', () => {
    const d = new Diagnostics();
    const config = parseConfig('config.yaml', `${MINIMAL_CONFIG}default_target_environment: dev\nformat:\n  normalize: true\nui:\n  format_on_save: false\nlinter:\n  enabled: true\n  rules: [ambiguousorinvalidcolumn]\n`, {}, d);
    expect(config.defaultTargetEnvironment).toBe('dev');
    expect(d.items.map((i) => [i.severity, i.message])).toEqual([
      ['warning', "'format' is not used here (formatting settings of sqlmesh format); it is ignored"],
      ['warning', "'ui' is not used here (settings of the SQLMesh web UI); it is ignored"],
    ]);
  });

  it("reports a model's start that is not a date at its place in the MODEL header, and accepts relative dates", async () => {
    project = await writeTempProject({
      'config.yaml': MINIMAL_CONFIG,
      'models/a.sql': "MODEL (name s.a, kind FULL, start '2024-02-30');\nSELECT 1 AS x",
      'models/b.sql': "MODEL (name s.b, kind FULL, start '1 year ago');\nSELECT 1 AS x",
    });
    const { diagnostics } = await loadProject(project.dir, { env: {} });
    expect(diagnostics.map((d) => [d.file, d.line, d.column, d.severity, d.code])).toEqual([['models/a.sql', 1, 35, 'error', 'model.date']]);
    expect(diagnostics[0]?.message).toContain("Property 'start' is not a date: '2024-02-30'");
  });

  it('reads snapshot_ttl and environment_ttl as SQLMesh writes them, and refuses what is not a TTL', () => {
    const d = new Diagnostics();
    const config = parseConfig('config.yaml', `${MINIMAL_CONFIG}snapshot_ttl: in 2 days\nenvironment_ttl: in 1 hour\n`, {}, d);
    expect(d.items).toEqual([]);
    expect([config.snapshotTtlMs, config.environmentTtlMs]).toEqual([2 * 86_400_000, 3_600_000]);
    expect(parseConfig('config.yaml', `${MINIMAL_CONFIG}environment_ttl:\n`, {}, new Diagnostics()).environmentTtlMs).toBeNull();
    const bad = new Diagnostics();
    parseConfig('config.yaml', `${MINIMAL_CONFIG}snapshot_ttl: two weeks\n`, {}, bad);
    expect(bad.items.map((i) => [i.severity, i.line, i.message])).toEqual([['error', 9, "'snapshot_ttl' is not a time to live such as 'in 1 week' or 'in 3 days'"]]);
  });

  it('warns about gateway settings that change nothing here and refuses another scheduler', () => {
    const d = new Diagnostics();
    parseConfig(
      'config.yaml',
      `gateways:\n  local:\n    connection:\n      type: duckdb\n      database: x.duckdb\n      secrets:\n        - {type: gcs, key_id: k, secret: s}\n    test_connection:\n      type: duckdb\n    state_schema: custom\n    scheduler:\n      type: airflow\nmodel_defaults:\n  dialect: duckdb\n`,
      {},
      d,
    );
    expect(d.items.map((i) => [i.severity, i.line, i.column])).toEqual([
      ['warning', 7, 18],
      ['warning', 10, 19],
      ['warning', 8, 5],
      ['error', 12, 13],
    ]);
    expect(d.items[0]?.message).toContain("a secret of type 'gcs' is not used here");
  });

  it('applies SQLMESH__ environment overrides on top of the file', () => {
    const d = new Diagnostics();
    const config = parseConfig('config.yaml', MINIMAL_CONFIG, { SQLMESH__GATEWAYS__LOCAL__CONNECTION__DATABASE: 'override.duckdb', SQLMESH__MODEL_DEFAULTS__CRON: '@hourly' }, d);
    expect(d.items).toEqual([]);
    expect(config.gateways['local']?.connection?.database).toBe('override.duckdb');
    expect(config.modelDefaults.cron).toBe('@hourly');
  });
});

/** The broken-project corpus: each `problems-corpus/config-*` folder's problem, where the user wrote it. */
describe('config problems corpus', () => {
  const corpus = join(dirname(fileURLToPath(import.meta.url)), 'problems-corpus');
  const cases = readdirSync(corpus).filter((name) => name.startsWith('config-')).sort();

  it('has at least ten cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('%s: reported at its file, line and column', async (name) => {
    const dir = join(corpus, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { file: string; line: number; column: number; severity: string; message_includes: string };
    const { diagnostics } = await loadProject(dir, { env: {} });
    const hit = diagnostics.find((d) => d.message.includes(expected.message_includes));
    expect(hit, JSON.stringify(diagnostics)).toBeDefined();
    expect({ file: hit?.file, line: hit?.line, column: hit?.column, severity: hit?.severity }).toEqual({
      file: expected.file,
      line: expected.line,
      column: expected.column,
      severity: expected.severity,
    });
  });
});

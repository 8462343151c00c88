import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { formatDiagnostic } from './diagnostics';
import { loadProject, projectColumns } from './project';
import { renderModel } from './render/render-model';
import { MINIMAL_CONFIG, writeTempProject, type TempProject } from './test-project';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

let project: TempProject | undefined;
afterEach(async () => {
  await project?.remove();
  project = undefined;
});

describe('the example project at the repository root', () => {
  let engine: DuckEngine;
  beforeAll(async () => {
    engine = await DuckEngine.open();
  });
  afterAll(async () => {
    await engine.close();
  });

  it('loads without any diagnostic', async () => {
    const { project: p, diagnostics } = await loadProject(REPO_ROOT, { env: {} });
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(Object.keys(p.models).sort()).toEqual([
      'intermediate.int_collisions_daily',
      'marts.borough_daily_summary',
      'marts.borough_daily_summary_ts',
      'raw.nyc_collisions',
      'staging.stg_collisions',
    ]);
    expect(p.gateway).toBe('local');
    expect(p.config.gateways['local']?.connection?.catalogs['lake']).toEqual({ type: 'ducklake', path: 'lake/metadata.ducklake', data_path: 'lake/data/' });
    expect(p.models['staging.stg_collisions']?.kind.name).toBe('VIEW');
    expect(p.models['intermediate.int_collisions_daily']?.kind).toMatchObject({ name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: 'crash_ts' });
    expect(p.models['marts.borough_daily_summary']?.audits.map((a) => a.name)).toEqual(['not_null', 'unique_combination_of_columns']);
    const raw = p.models['raw.nyc_collisions'];
    expect(raw?.source).toBe('external');
    expect(raw?.columns?.length).toBe(29);
    expect(raw?.columns?.find((c) => c.name === 'location')?.type).toBe('STRUCT(latitude VARCHAR, longitude VARCHAR, human_address VARCHAR)');
    expect(p.tests.map((t) => [t.name, t.model, t.outputs.query?.rows.length])).toEqual([['test_borough_daily_summary', 'marts.borough_daily_summary', 2]]);
  });

  it('loads the TypeScript model metadata', async () => {
    const { project: p } = await loadProject(REPO_ROOT, { env: {} });
    const ts = p.models['marts.borough_daily_summary_ts'];
    expect(ts).toMatchObject({
      source: 'typescript',
      file: 'models/marts/borough_daily_summary_ts.ts',
      kind: { name: 'FULL' },
      dependsOn: ['intermediate.int_collisions_daily'],
      grains: ['borough', 'crash_day'],
    });
    expect(ts?.columns?.slice(0, 3)).toEqual([
      { name: 'borough', type: 'VARCHAR' },
      { name: 'crash_day', type: 'DATE' },
      { name: 'collisions', type: 'BIGINT' },
    ]);
  });

  it('renders every SQL model into SQL that DuckDB parses', async () => {
    const { project: p } = await loadProject(REPO_ROOT, { env: {} });
    const connection = await engine.connect();
    try {
      for (const model of Object.values(p.models)) {
        if (model.source !== 'sql') continue;
        const out = renderModel(model, { start: '2024-01-01', end: '2024-01-31', executionTime: '2024-02-01', gateway: p.gateway, variables: p.variables, columns: projectColumns(p) });
        expect(out.diagnostics).toEqual([]);
        const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${`'${(out.query ?? '').replace(/'/g, "''")}'`}) AS j`);
        const parsed = JSON.parse(String(reader.getRows()[0]?.[0])) as { error: boolean; error_message?: string };
        expect(parsed.error, `${model.name}: ${parsed.error_message ?? ''}`).toBe(false);
      }
      const incremental = p.models['intermediate.int_collisions_daily'];
      if (incremental?.source !== 'sql') throw new Error('expected a SQL model');
      expect(renderModel(incremental, { start: '2024-01-01', end: '2024-01-31', executionTime: '2024-02-01' }).query).toContain(
        "WHERE crash_ts BETWEEN '2024-01-01 00:00:00' AND '2024-01-31 23:59:59.999999'",
      );
    } finally {
      connection.closeSync();
    }
  });
});

describe('loadProject', () => {
  it('reports errors in three files in one go, each with file, line and column', async () => {
    project = await writeTempProject({
      'config.yaml': `${MINIMAL_CONFIG}  cron: 7\n`,
      'models/a.sql': 'MODEL (\n  name s.a,\n  kind FUL\n);\nSELECT 1 AS x',
      'models/b.sql': "MODEL (name s.b, dialect bigquery);\nSELECT 1 AS x",
      'models/good.sql': 'MODEL (name s.good);\nSELECT 1 AS x',
    });
    const { project: p, diagnostics } = await loadProject(project.dir, { env: {} });
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`);
    expect(errors).toEqual(['config.yaml:9:9 config.invalid', 'models/a.sql:3:8 model.kind', 'models/b.sql:1:26 model.dialect']);
    expect(p.models['s.good']).toBeDefined();
  });

  it('reports Python models, macros and config as unsupported while the rest of the project loads', async () => {
    project = await writeTempProject({
      'config.yaml': MINIMAL_CONFIG,
      'config.py': 'from sqlmesh.core.config import Config\nconfig = Config()\n',
      'models/py_model.py': 'from sqlmesh import model\n',
      'macros/__init__.py': '',
      'macros/utils.py': 'from sqlmesh import macro\n',
      'models/sql_model.sql': 'MODEL (name s.sql_model);\nSELECT 1 AS x',
    });
    const { project: p, diagnostics } = await loadProject(project.dir, { env: {} });
    expect(diagnostics.map((d) => [d.file, d.severity, d.code])).toEqual([
      ['config.py', 'warning', 'config.python_unsupported'],
      ['macros/utils.py', 'error', 'macro.python_unsupported'],
      ['models/py_model.py', 'error', 'model.python_unsupported'],
    ]);
    expect(diagnostics.find((d) => d.file === 'models/py_model.py')?.message).toBe(
      'Python models are not supported; write a TypeScript model (models/**/*.ts) instead',
    );
    expect(Object.keys(p.models)).toEqual(['s.sql_model']);
  });

  it('loads TypeScript model metadata and reports an invalid one', async () => {
    project = await writeTempProject({
      'config.yaml': MINIMAL_CONFIG,
      'models/ts_model.ts': `export default {
  name: 's.ts_model',
  kind: { name: 'INCREMENTAL_BY_TIME_RANGE', time_column: 'ds', batch_size: 7 },
  columns: { ds: 'DATE', n: 'BIGINT' },
  depends_on: ['s.upstream'],
  execute: async () => [{ ds: '2024-01-01', n: 1 }],
};
`,
      'models/broken.ts': "export default { name: 'nodots', columns: {}, execute: 1 };\n",
    });
    const { project: p, diagnostics } = await loadProject(project.dir, { env: {} });
    expect(p.models['s.ts_model']).toMatchObject({
      source: 'typescript',
      kind: { name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: 'ds', batchSize: 7 },
      columns: [
        { name: 'ds', type: 'DATE' },
        { name: 'n', type: 'BIGINT' },
      ],
      dependsOn: ['s.upstream'],
      start: '2024-01-01',
    });
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
      'models/broken.ts:1:18 model.typescript_metadata',
      'models/broken.ts:1:34 model.typescript_metadata',
      'models/broken.ts:1:47 model.typescript_metadata',
    ]);
    expect(diagnostics[0]?.message).toContain("'name'");
  });

  it('loads a self-contained TypeScript model from one transpiled copy in .pas/cache, and one that imports a helper beside it as before', async () => {
    project = await writeTempProject({
      'config.yaml': MINIMAL_CONFIG,
      'models/alone.ts': "import type { TypeScriptModel } from 'nowhere';\nconst m = { name: 's.alone', columns: { n: 'BIGINT' }, execute: async () => [{ n: 1 }] } satisfies Partial<TypeScriptModel>;\nexport default m;\n",
      'lib/helper.ts': "export const COLUMNS = { n: 'BIGINT' };\n",
      'models/with_helper.ts': "import { COLUMNS } from '../lib/helper';\nexport default { name: 's.with_helper', columns: COLUMNS, execute: async () => [{ n: 2 }] };\n",
    });
    const first = await loadProject(project.dir, { env: {} });
    expect(first.diagnostics).toEqual([]);
    expect(first.project.models['s.alone']?.columns).toEqual([{ name: 'n', type: 'BIGINT' }]);
    expect(first.project.models['s.with_helper']?.columns).toEqual([{ name: 'n', type: 'BIGINT' }]);
    // Only the self-contained model has a transpiled copy; loading again reuses it.
    const cache = join(project.dir, '.pas', 'cache', 'ts-models');
    expect(readdirSync(cache)).toHaveLength(1);
    await loadProject(project.dir, { env: {} });
    expect(readdirSync(cache)).toHaveLength(1);
  });

  it('substitutes env_var from .env and the environment in config and reports a missing one', async () => {
    project = await writeTempProject({
      '.env': 'STATE_DB=from_dotenv.duckdb\n',
      'config.yaml': `gateways:
  local:
    connection:
      type: duckdb
      database: "{{ env_var('WAREHOUSE', 'default.duckdb') }}"
    state_connection:
      type: duckdb
      database: {{ env_var('STATE_DB') }}
  other:
    state_connection:
      type: postgres
      host: localhost
      user: u
      password: {{ env_var('NOT_SET_ANYWHERE') }}
      database: state
model_defaults:
  dialect: duckdb
`,
    });
    const { project: p, diagnostics } = await loadProject(project.dir, { env: {} });
    expect(p.config.gateways['local']?.connection?.database).toBe('default.duckdb');
    expect(p.config.gateways['local']?.stateConnection).toEqual({ type: 'duckdb', database: 'from_dotenv.duckdb' });
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual(['config.yaml:14:17 env.missing_variable']);
  });

  it('reads audits, seeds, external models for the active gateway and model tests', async () => {
    project = await writeTempProject({
      'config.yaml': MINIMAL_CONFIG,
      'audits/checks.sql': `AUDIT (name assert_positive, blocking false, defaults (threshold = 0));
SELECT * FROM @this_model WHERE @column <= @threshold;
AUDIT (name assert_rows);
SELECT 1 FROM @this_model HAVING COUNT(*) = 0;`,
      'seeds/waiters.csv': 'id,name\n1,Ann\n',
      'models/waiters.sql': "MODEL (name s.waiters, kind SEED (path '../seeds/waiters.csv'), audits (assert_positive(column := id), assert_rows));",
      'models/missing_seed.sql': "MODEL (name s.missing, kind SEED (path 'nope.csv'));",
      'external_models.yaml': `- name: raw.events
  columns: {id: INT, ts: TIMESTAMP}
- name: raw.prod_only
  gateway: prod
  columns: {id: INT}
`,
      'tests/test_waiters.yaml': `test_counts:
  model: s.waiters
  inputs:
    raw.events:
      format: csv
      rows: |
        id,ts
        1,2024-01-01 00:00:00
    raw.other:
      - {id: 1}
  outputs:
    ctes:
      first: [{id: 1}]
    query:
      partial: true
      rows:
        - id: 1
  vars:
    start: 2024-01-01
test_unknown_model:
  model: s.nope
  outputs:
    query: []
`,
    });
    const { project: p, diagnostics } = await loadProject(project.dir, { env: {} });
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
      'models/missing_seed.sql:1:35 model.seed_missing',
      'tests/test_waiters.yaml:20:1 test.unknown_model',
    ]);
    expect(p.audits['assert_positive']).toMatchObject({ name: 'assert_positive', blocking: false, file: 'audits/checks.sql' });
    expect(p.audits['assert_positive']?.defaults['threshold']?.text).toBe('0');
    expect(p.audits['assert_rows']?.blocking).toBe(true);
    expect(p.models['raw.events']?.columns).toEqual([
      { name: 'id', type: 'INT' },
      { name: 'ts', type: 'TIMESTAMP' },
    ]);
    expect(p.models['raw.prod_only']).toBeUndefined();
    const test = p.tests[0];
    expect(test).toMatchObject({
      name: 'test_counts',
      model: 's.waiters',
      inputs: { 'raw.events': { rows: [{ id: '1', ts: '2024-01-01 00:00:00' }] }, 'raw.other': { rows: [{ id: 1 }] } },
      outputs: { query: { rows: [{ id: 1 }], partial: true }, ctes: { first: { rows: [{ id: 1 }], partial: false } } },
      vars: { start: '2024-01-01' },
    });
  });

  it('reports duplicate model names and audits that do not exist', async () => {
    project = await writeTempProject({
      'config.yaml': MINIMAL_CONFIG,
      'models/one.sql': 'MODEL (name s.same, audits (no_such_audit));\nSELECT 1 AS x',
      'models/two.sql': 'MODEL (\n  name s.same\n);\nSELECT 2 AS x',
      'models/off.sql': 'MODEL (name s.off, enabled false);\nSELECT 3 AS x',
    });
    const { project: p, diagnostics } = await loadProject(project.dir, { env: {} });
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
      'models/one.sql:1:29 model.unknown_audit',
      'models/two.sql:2:3 model.duplicate',
    ]);
    expect(p.disabledModels).toEqual(['s.off']);
  });
});

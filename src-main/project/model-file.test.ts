import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DEFAULTS, type ModelDefaults } from './config';
import { Diagnostics } from './diagnostics';
import type { SqlModelDefinition } from './model';
import { parseModelFile } from './model-file';

function parse(text: string, defaults: ModelDefaults = DEFAULT_MODEL_DEFAULTS): { model: SqlModelDefinition; d: Diagnostics; audits: string[] } {
  const d = new Diagnostics();
  const result = parseModelFile('models/m.sql', '/proj/models/m.sql', text, defaults, d);
  const [model] = result.models;
  if (!model) throw new Error(`no model: ${JSON.stringify(d.items)}`);
  return { model, d, audits: result.audits.map((a) => a.name) };
}

describe('MODEL header', () => {
  it('defaults to a VIEW with the model_defaults cron and start', () => {
    const { model, d } = parse('MODEL (name s.v);\nSELECT 1 AS x', { ...DEFAULT_MODEL_DEFAULTS, cron: '@hourly', start: '2024-01-01' });
    expect(d.items).toEqual([]);
    expect(model.kind).toEqual({ name: 'VIEW', materialized: false });
    expect(model.cron).toBe('@hourly');
    expect(model.start).toBe('2024-01-01');
  });

  it('parses VIEW with materialized and FULL', () => {
    expect(parse('MODEL (name s.v, kind VIEW (materialized true));\nSELECT 1').model.kind).toEqual({ name: 'VIEW', materialized: true });
    expect(parse('MODEL (name s.f, kind full);\nSELECT 1').model.kind).toEqual({ name: 'FULL' });
  });

  it('parses INCREMENTAL_BY_TIME_RANGE with time_column, format, batch_size, lookback and incremental options', () => {
    const { model, d } = parse(`MODEL (
  name s.i,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column (event_ds, '%Y%m%d'),
    batch_size 7,
    batch_concurrency 2,
    lookback 3,
    forward_only true,
    on_destructive_change warn,
    partition_by_time_column false,
  ),
);
SELECT 1`);
    expect(d.items).toEqual([]);
    expect(model.kind).toEqual({
      name: 'INCREMENTAL_BY_TIME_RANGE',
      timeColumn: 'event_ds',
      timeColumnFormat: '%Y%m%d',
      partitionByTimeColumn: false,
      forwardOnly: true,
      onDestructiveChange: 'warn',
      onAdditiveChange: 'allow',
      disableRestatement: false,
      batchSize: 7,
      batchConcurrency: 2,
      lookback: 3,
    });
    expect(model.kindOptions['batch_size']?.range.start).toMatchObject({ line: 5, column: 5 });
  });

  it('parses INCREMENTAL_BY_UNIQUE_KEY with a composite key, when_matched and merge_filter', () => {
    const { model, d } = parse(`MODEL (
  name s.u,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key (id, region),
    when_matched (WHEN MATCHED THEN UPDATE SET target.a = source.a, target.b = source.b),
    merge_filter source.ds > '2024-01-01',
    batch_size 10
  )
);
SELECT 1`);
    expect(d.items).toEqual([]);
    expect(model.kind).toMatchObject({
      name: 'INCREMENTAL_BY_UNIQUE_KEY',
      uniqueKey: ['id', 'region'],
      whenMatched: 'WHEN MATCHED THEN UPDATE SET target.a = source.a, target.b = source.b',
      mergeFilter: "source.ds > '2024-01-01'",
      batchSize: 10,
      batchConcurrency: 1,
    });
  });

  it('parses SEED with its path relative to the model file, batch_size and csv_settings, without a query', () => {
    const { model, d } = parse(`MODEL (
  name s.seed,
  kind SEED (path '../seeds/waiters.csv', batch_size 5, csv_settings (delimiter = ';')),
  columns (id INT, name TEXT)
);`);
    expect(d.items).toEqual([]);
    expect(model.kind).toEqual({
      name: 'SEED',
      path: '../seeds/waiters.csv',
      resolvedPath: '/proj/seeds/waiters.csv',
      batchSize: 5,
      csvSettings: { delimiter: ';' },
    });
    expect(model.query).toBeUndefined();
  });

  it('parses EMBEDDED, INCREMENTAL_BY_PARTITION, INCREMENTAL_UNMANAGED, SCD_TYPE_2 and CUSTOM kinds', () => {
    expect(parse('MODEL (name s.e, kind EMBEDDED);\nSELECT 1').model.kind).toEqual({ name: 'EMBEDDED' });
    expect(parse('MODEL (name s.p, kind INCREMENTAL_BY_PARTITION, partitioned_by [ds]);\nSELECT 1').model).toMatchObject({
      kind: { name: 'INCREMENTAL_BY_PARTITION', forwardOnly: true },
      partitionedBy: ['ds'],
    });
    expect(parse('MODEL (name s.un, kind INCREMENTAL_UNMANAGED (insert_overwrite true));\nSELECT 1').model.kind).toMatchObject({
      name: 'INCREMENTAL_UNMANAGED',
      insertOverwrite: true,
    });
    expect(parse('MODEL (name s.scd, kind SCD_TYPE_2 (unique_key id));\nSELECT 1').model.kind).toMatchObject({
      name: 'SCD_TYPE_2_BY_TIME',
      uniqueKey: ['id'],
      updatedAtName: 'updated_at',
      validFromName: 'valid_from',
      validToName: 'valid_to',
      timeDataType: 'TIMESTAMP',
    });
    expect(parse('MODEL (name s.scdc, kind SCD_TYPE_2_BY_COLUMN (unique_key [id], columns [a, b]));\nSELECT 1').model.kind).toMatchObject({
      name: 'SCD_TYPE_2_BY_COLUMN',
      columns: ['a', 'b'],
    });
    const custom = parse("MODEL (name s.c, kind CUSTOM (materialization 'my_mat', materialization_properties (p = 'x')));\nSELECT 1");
    expect(custom.model.kind).toMatchObject({
      name: 'CUSTOM',
      materialization: 'my_mat',
      materializationProperties: { p: 'x' },
    });
    // Parsed, but refused: a CUSTOM materialization is a Python class.
    expect(custom.d.items.map((i) => [i.code, i.severity, i.line, i.column])).toEqual([['model.kind_unsupported', 'error', 1, 23]]);
  });

  it('reads the general properties with their source ranges', () => {
    const { model, d } = parse(`-- Leading comment is the table comment
MODEL (
  name cat.s.full_model,
  kind FULL,
  cron '@hourly',
  start '2023-06-01',
  end '2024-01-01',
  owner jen,
  tags [pii, fact],
  grain (id, ds),
  columns (id INT, amount DECIMAL(10, 2), ds DATE),
  column_descriptions (id = 'The id', amount = 'Money'),
  audits (not_null(columns := (id, ds)), number_of_rows(threshold := 10), custom_check),
  depends_on [s.other],
  enabled true,
  stamp 'v2',
  physical_properties (creatable_type = TRANSIENT, retention = 7),
  partitioned_by ds,
  dialect duckdb,
);
SELECT id, amount, ds FROM s.src`);
    expect(d.items).toEqual([]);
    expect(model).toMatchObject({
      name: 'cat.s.full_model',
      cron: '@hourly',
      start: '2023-06-01',
      end: '2024-01-01',
      owner: 'jen',
      description: 'Leading comment is the table comment',
      tags: ['pii', 'fact'],
      grains: ['id', 'ds'],
      columns: [
        { name: 'id', type: 'INT' },
        { name: 'amount', type: 'DECIMAL(10, 2)' },
        { name: 'ds', type: 'DATE' },
      ],
      columnDescriptions: { id: 'The id', amount: 'Money' },
      dependsOn: ['s.other'],
      enabled: true,
      stamp: 'v2',
      physicalProperties: { creatable_type: 'TRANSIENT', retention: 7 },
      partitionedBy: ['ds'],
    });
    expect(model.audits.map((a) => [a.name, Object.fromEntries(Object.entries(a.args).map(([k, v]) => [k, v.text]))])).toEqual([
      ['not_null', { columns: '(id, ds)' }],
      ['number_of_rows', { threshold: '10' }],
      ['custom_check', {}],
    ]);
    expect(model.properties['cron']?.keyRange.start).toMatchObject({ line: 5, column: 3 });
    expect(model.properties['owner']?.value?.text).toBe('jen');
    expect(model.headerRange.start).toMatchObject({ line: 2, column: 1 });
    expect(model.query?.range.start).toMatchObject({ line: 21, column: 1 });
    expect(model.query?.sql).toBe('SELECT id, amount, ds FROM s.src');
  });

  it('takes the last inline comment of each projection as its column comment', () => {
    const { model } = parse(`MODEL (name s.c);
WITH x AS (SELECT 1 AS a -- not this one
)
SELECT
  a, -- first comment
  b::INT AS bee /* the bee */,
  COUNT(*) AS n, -- counted
  t.z -- one
      -- two
  ,
  -- about w
  w
FROM x`);
    expect(model.columnDescriptions).toEqual({ a: 'first comment', bee: 'the bee', n: 'counted', z: 'two', w: 'about w' });
    expect(parse('MODEL (name s.d);\nSELECT -- on the SELECT line\n  a\nFROM x').model.columnDescriptions).toEqual({});
  });

  it('separates pre-statements (with @DEF), the query, post-statements and the on-virtual-update block', () => {
    const { model, d } = parse(`MODEL (name s.p, kind FULL);
@DEF(size, 1);
CREATE TABLE IF NOT EXISTS log (x INT);
SELECT 1 AS x;
INSERT INTO log VALUES (@size);
ON_VIRTUAL_UPDATE_BEGIN;
GRANT SELECT ON VIEW @this_model TO ROLE r;
ON_VIRTUAL_UPDATE_END;`);
    expect(d.items).toEqual([]);
    expect(model.preStatements.map((s) => s.sql)).toEqual(['@DEF(size, 1)', 'CREATE TABLE IF NOT EXISTS log (x INT)']);
    expect(model.query?.sql).toBe('SELECT 1 AS x');
    expect(model.postStatements.map((s) => s.sql)).toEqual(['INSERT INTO log VALUES (@size)']);
    expect(model.onVirtualUpdate.map((s) => s.sql)).toEqual(['GRANT SELECT ON VIEW @this_model TO ROLE r']);
  });

  it('reads inline AUDIT blocks after the query', () => {
    const { model, audits, d } = parse(`MODEL (name s.a, kind FULL, audits (positive_x));
SELECT 1 AS x;
AUDIT (name positive_x, blocking false);
SELECT * FROM @this_model WHERE x <= 0;`);
    expect(d.items).toEqual([]);
    expect(audits).toEqual(['positive_x']);
    expect(model.inlineAudits).toEqual(['positive_x']);
  });

  it('rejects another dialect, unknown kinds and options, naming the exact position', () => {
    const d = new Diagnostics();
    parseModelFile(
      'models/bad.sql',
      '/p/models/bad.sql',
      `MODEL (
  name s.bad,
  kind INCREMENTAL_BY_TIME_RANGE (time_colum ts),
  dialect snowflake,
  cron 5,
  colour blue
);
SELECT 1`,
      DEFAULT_MODEL_DEFAULTS,
      d,
    );
    const byCode = Object.fromEntries(d.items.map((i) => [`${i.code}@${i.line}:${i.column}`, i.severity]));
    expect(byCode).toMatchObject({
      'model.kind_option@3:35': 'error', // unknown option time_colum
      'model.kind_option@3:8': 'error', // time_column missing
      'model.dialect@4:11': 'error',
      'model.unknown_property@6:3': 'error',
    });
    expect(d.items.find((i) => i.code === 'model.dialect')?.message).toContain("Dialect 'snowflake' is not supported");
  });

  it('parses the AUDIT_ONLY kind', () => {
    expect(parse('MODEL (name s.check, kind AUDIT_ONLY (blocking false, max_failing_rows 20));\nSELECT 1').model.kind).toEqual({
      name: 'AUDIT_ONLY',
      blocking: false,
      maxFailingRows: 20,
    });
  });

  it('reports Jinja, also inside string literals, as unsupported', () => {
    const d = new Diagnostics();
    parseModelFile('models/j.sql', '/p/models/j.sql', "MODEL (name s.j);\nSELECT * FROM t WHERE ds BETWEEN '{{ start_ds }}' AND '{{ end_ds }}'", DEFAULT_MODEL_DEFAULTS, d);
    expect(d.items.map((i) => `${i.line}:${i.column} ${i.code}`)).toEqual(['2:34 model.jinja_unsupported']);
  });

  it('reports a file without a MODEL header, and an unclosed header', () => {
    const d = new Diagnostics();
    parseModelFile('models/a.sql', '/p/models/a.sql', 'SELECT 1', DEFAULT_MODEL_DEFAULTS, d);
    parseModelFile('models/b.sql', '/p/models/b.sql', 'MODEL (name s.b,\n kind FULL;\nSELECT 1', DEFAULT_MODEL_DEFAULTS, d);
    expect(d.items.map((i) => [i.file, i.code])).toEqual([
      ['models/a.sql', 'model.no_header'],
      ['models/b.sql', 'model.header'],
    ]);
  });

  it('makes one model per blueprint, rendering the name with the blueprint variables', () => {
    const d = new Diagnostics();
    const { models } = parseModelFile(
      'models/bp.sql',
      '/p/models/bp.sql',
      `MODEL (
  name @{schema}.count_@status,
  kind FULL,
  blueprints ((status := active, flag := 'a'), (status := inactive, flag := 'i'))
);
SELECT COUNT(*) AS n FROM customers WHERE status = @flag`,
      DEFAULT_MODEL_DEFAULTS,
      d,
      { schema: 'sushi' },
    );
    expect(d.items).toEqual([]);
    expect(models.map((m) => [m.name, m.blueprintVariables])).toEqual([
      ['sushi.count_active', { status: 'active', flag: "'a'" }],
      ['sushi.count_inactive', { status: 'inactive', flag: "'i'" }],
    ]);
  });
});

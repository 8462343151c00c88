import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { parseTime } from './intervals';
import { planJson } from './plan';
import { createTestProject, type TestBackend } from './test-project';
import { useRemoteLake } from './test-backends';
import { Workspace } from './workspace';

const NOW = parseTime('2024-01-05T12:00:00Z');

const FILES = {
  'seeds/categories.csv': 'category,label\na,Alpha\nb,Beta\nc,Gamma\n',
  'models/seeds/categories.sql': "MODEL (name seeds.categories, kind SEED (path '../../seeds/categories.csv'), columns (category VARCHAR, label VARCHAR));",
  'models/marts/latest_by_id.sql': `MODEL (name marts.latest_by_id, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key id));
SELECT id, category, amount, ts FROM staging.stg_events WHERE ts BETWEEN @start_ts AND @end_ts`,
  'models/marts/big_events.sql': 'MODEL (name marts.big_events, kind EMBEDDED);\nSELECT * FROM staging.stg_events WHERE amount > 3',
  'models/marts/big_count.sql': 'MODEL (name marts.big_count, kind FULL);\nSELECT count(*) AS n FROM marts.big_events',
  'models/marts/labelled.sql': `MODEL (name marts.labelled, kind FULL);
SELECT c.label, b.n FROM marts.by_category AS b JOIN seeds.categories AS c USING (category)`,
  'models/marts/ts_counts.ts': `export default {
  name: 'marts.ts_counts',
  kind: 'FULL',
  columns: { category: 'VARCHAR', doubled: 'BIGINT' },
  depends_on: ['marts.by_category'],
  async execute(context) {
    const rows = await context.fetch('SELECT category, n FROM ' + context.resolveTable('marts.by_category'));
    return rows.map((r) => ({ category: r.category, doubled: Number(r.n) * 2 }));
  },
};
`,
  'models/marts/ts_relation.ts': `export default {
  name: 'marts.ts_relation',
  kind: 'FULL',
  columns: { category: 'VARCHAR', tripled: 'BIGINT' },
  depends_on: ['marts.by_category'],
  execute(context) {
    return context.relation('SELECT category, n * 3 AS tripled FROM ' + context.resolveTable('marts.by_category'));
  },
};
`,
  'models/marts/by_partition.sql': `MODEL (name marts.by_partition, kind INCREMENTAL_BY_PARTITION, partitioned_by category);
SELECT category, count(*) AS n FROM raw.events GROUP BY category`,
  'models/marts/appended.sql': `MODEL (name marts.appended, kind INCREMENTAL_UNMANAGED);
SELECT @execution_ts::TIMESTAMP AS at, count(*) AS n FROM raw.events`,
  'models/marts/category_history.sql': `MODEL (name marts.category_history, kind SCD_TYPE_2_BY_COLUMN (unique_key id, columns [category]));
SELECT id, category FROM raw.events WHERE id < 5`,
  'models/marts/timed_history.sql': `MODEL (name marts.timed_history, kind SCD_TYPE_2 (unique_key id, invalidate_hard_deletes true));
SELECT id, category, ts::TIMESTAMP AS updated_at FROM raw.events WHERE id < 3`,
  'external_models.yaml': '- name: raw.events\n  columns:\n    id: BIGINT\n    ts: VARCHAR\n    amount: VARCHAR\n    category: VARCHAR\n',
};

const remoteLake = useRemoteLake();

const backends: [string, () => Promise<TestBackend>][] = [
  ['a DuckDB database', async () => ({ kind: 'duckdb' })],
  [
    'the lake (PostgreSQL catalog and state, S3 data)',
    remoteLake,
  ],
];

let engine: DuckEngine;
let ws: Workspace;

async function applyProd(executionTime = NOW) {
  const { plan, graph } = await ws.plan({ environment: 'prod', executionTime });
  await ws.apply(plan, graph);
  return plan;
}

describe.each(backends)('model kinds in %s', (_label, backendOf) => {
  beforeEach(async () => {
    engine = await DuckEngine.open();
    const root = await createTestProject(FILES, await backendOf());
    ws = await Workspace.open({ projectDir: root, engine });
    expect(ws.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
  afterEach(async () => {
    await ws.close();
    await engine.close();
  });

  it('loads a SEED from its CSV with the declared columns', async () => {
    await applyProd();
    expect(await ws.warehouse.query('SELECT * FROM seeds.categories ORDER BY category')).toEqual([
      { category: 'a', label: 'Alpha' },
      { category: 'b', label: 'Beta' },
      { category: 'c', label: 'Gamma' },
    ]);
    expect(await ws.warehouse.query("SELECT label, n FROM marts.labelled WHERE label = 'Beta'")).toEqual([{ label: 'Beta', n: 13 }]);
  });

  it('upserts INCREMENTAL_BY_UNIQUE_KEY rows by key, without duplicates across runs', async () => {
    await applyProd();
    expect(await ws.warehouse.query('SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM marts.latest_by_id')).toEqual([{ rows: 32, ids: 32 }]);
    await ws.run('prod', { executionTime: parseTime('2024-01-06T01:00:00Z') });
    expect(await ws.warehouse.query('SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM marts.latest_by_id')).toEqual([{ rows: 40, ids: 40 }]);
  });

  it('inlines an EMBEDDED model into its consumers without a table of its own', async () => {
    const plan = await applyProd();
    expect(await ws.warehouse.query('SELECT n FROM marts.big_count')).toEqual([{ n: 16 }]);
    expect(planJson(plan, true).backfills.map((b) => b.model)).toContain('marts.big_count');
    const physical = await ws.warehouse.query("SELECT table_type FROM information_schema.tables WHERE table_name LIKE 'marts__big_events__%'");
    expect(physical).toEqual([{ table_type: 'VIEW' }]);
  });

  it('runs a TypeScript model with the rows its execute() returns', async () => {
    await applyProd();
    expect(await ws.warehouse.query('SELECT * FROM marts.ts_counts ORDER BY category')).toEqual([
      { category: 'a', doubled: 28 },
      { category: 'b', doubled: 26 },
      { category: 'c', doubled: 26 },
    ]);
  });

  it('materializes a relation a TypeScript model returns inside DuckDB, with the declared types', async () => {
    await applyProd();
    expect(await ws.warehouse.query("SELECT * FROM marts.ts_relation WHERE category = 'a'")).toEqual([{ category: 'a', tripled: 42 }]);
    expect(await ws.warehouse.columns({ schema: 'marts', table: 'ts_relation' })).toEqual([
      { name: 'category', type: 'VARCHAR' },
      { name: 'tripled', type: 'BIGINT' },
    ]);
  });

  it('never materializes EXTERNAL models and reads them as sources', async () => {
    const plan = await applyProd();
    expect(plan.backfills.map((b) => b.model)).not.toContain('raw.events');
    const { plan: again } = await ws.plan({ environment: 'prod', executionTime: NOW });
    expect(again.changes).toEqual([]);
  });

  it('replaces only the partitions an INCREMENTAL_BY_PARTITION query brings and appends INCREMENTAL_UNMANAGED rows', async () => {
    await applyProd();
    expect(await ws.warehouse.query('SELECT category, n FROM marts.by_partition ORDER BY category')).toEqual([
      { category: 'a', n: 14 },
      { category: 'b', n: 13 },
      { category: 'c', n: 13 },
    ]);
    const appended = Number((await ws.warehouse.query('SELECT count(*) AS n FROM marts.appended'))[0]?.n);
    // Category c leaves the source and a grows: partition a is replaced, c's stored rows stay.
    await ws.warehouse.deleteInsert({ schema: 'raw', table: 'events' }, "category = 'c'", "SELECT 100::BIGINT AS id, '2024-01-05 10:00:00' AS ts, '1' AS amount, 'a' AS category");
    await ws.run('prod', { executionTime: parseTime('2024-01-06T01:00:00Z') });
    expect(await ws.warehouse.query('SELECT category, n FROM marts.by_partition ORDER BY category')).toEqual([
      { category: 'a', n: 15 },
      { category: 'b', n: 13 },
      { category: 'c', n: 13 },
    ]);
    expect(await ws.warehouse.query('SELECT count(*) AS n FROM marts.appended')).toEqual([{ n: appended + 1 }]);
  });

  it('keeps SCD type 2 history: a changed key closes its row and opens a new version, a vanished key stays open unless hard deletes invalidate it', async () => {
    await applyProd();
    const history = (table: string) =>
      ws.warehouse.query(`SELECT id, category, strftime(valid_from, '%Y-%m-%d %H:%M') AS valid_from, strftime(valid_to, '%Y-%m-%d %H:%M') AS valid_to FROM marts.${table} ORDER BY id, valid_from`);
    expect(await history('category_history')).toEqual([0, 1, 2, 3, 4].map((id) => ({ id, category: ['a', 'b', 'c'][id % 3], valid_from: '1970-01-01 00:00', valid_to: null })));
    // Event 1 changes category (later ts); event 2 disappears from the source.
    await ws.warehouse.deleteInsert({ schema: 'raw', table: 'events' }, 'id IN (1, 2)', "SELECT 1::BIGINT AS id, '2024-01-05 09:00:00' AS ts, '1' AS amount, 'z' AS category");
    await ws.run('prod', { executionTime: parseTime('2024-01-06T01:00:00Z') });
    expect(await history('category_history')).toEqual([
      { id: 0, category: 'a', valid_from: '1970-01-01 00:00', valid_to: null },
      { id: 1, category: 'b', valid_from: '1970-01-01 00:00', valid_to: '2024-01-06 01:00' },
      { id: 1, category: 'z', valid_from: '2024-01-06 01:00', valid_to: null },
      { id: 2, category: 'c', valid_from: '1970-01-01 00:00', valid_to: null },
      { id: 3, category: 'a', valid_from: '1970-01-01 00:00', valid_to: null },
      { id: 4, category: 'b', valid_from: '1970-01-01 00:00', valid_to: null },
    ]);
    expect(await history('timed_history')).toEqual([
      { id: 0, category: 'a', valid_from: '1970-01-01 00:00', valid_to: null },
      { id: 1, category: 'b', valid_from: '1970-01-01 00:00', valid_to: '2024-01-05 09:00' },
      { id: 1, category: 'z', valid_from: '2024-01-05 09:00', valid_to: null },
      { id: 2, category: 'c', valid_from: '1970-01-01 00:00', valid_to: '2024-01-06 01:00' },
    ]);
  });

  it('restates a range: its intervals are recomputed from the current source rows', async () => {
    await applyProd();
    // Change one source row (works the same in a DuckDB database and in the lake).
    await ws.warehouse.deleteInsert({ schema: 'raw', table: 'events' }, 'id = 9', "SELECT 9::BIGINT AS id, '2024-01-02 03:00:00' AS ts, '100' AS amount, 'a' AS category");
    const { plan, graph } = await ws.plan({ environment: 'prod', executionTime: NOW, restateModels: ['marts.daily'], start: '2024-01-02', end: '2024-01-02' });
    await ws.apply(plan, graph);
    const rows = await ws.warehouse.query("SELECT strftime(day, '%Y-%m-%d') AS d, total FROM marts.daily ORDER BY day");
    expect(rows.map((r) => r.d)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04']);
    expect(rows[1]?.total).toBeGreaterThan(100);
  });
});

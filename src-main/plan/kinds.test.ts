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

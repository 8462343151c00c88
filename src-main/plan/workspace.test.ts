import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { parseTime } from './intervals';
import { planJson } from './plan';
import { BY_CATEGORY, createTestProject, DAILY, writeFiles, type TestBackend } from './test-project';
import { useRemoteLake } from './test-backends';
import { Workspace } from './workspace';

const NOW = parseTime('2024-01-05T12:00:00Z');

const remoteLake = useRemoteLake();

const backends: [string, () => Promise<TestBackend>][] = [
  ['a DuckDB database', async () => ({ kind: 'duckdb' })],
  ['the lake (DuckDB-file catalog, local data)', async () => ({ kind: 'lake-local' })],
  [
    'the lake (PostgreSQL catalog and state, S3 data)',
    remoteLake,
  ],
];

describe.each(backends)('plan and apply into %s', (_label, backendOf) => {
  let engine: DuckEngine;
  let root: string;
  beforeEach(async () => {
    engine = await DuckEngine.open();
    root = await createTestProject({}, await backendOf());
  });
  afterEach(async () => engine.close());

  async function open() {
    return Workspace.open({ projectDir: root, engine });
  }

  async function planAndApply(ws: Workspace, environment: string, options: Parameters<Workspace['plan']>[0] = {}) {
    const { plan, graph } = await ws.plan({ environment, executionTime: NOW, ...options });
    await ws.apply(plan, graph);
    return plan;
  }

  it('initializes prod: every model added, backfilled up to the last complete day, views promoted', async () => {
    const ws = await open();
    const { plan, graph } = await ws.plan({ environment: 'prod', executionTime: NOW });
    expect(planJson(plan, false)).toEqual({
      environment: 'prod',
      changes: [
        { model: 'staging.stg_events', change: 'added', category: 'breaking' },
        { model: 'marts.by_category', change: 'added', category: 'breaking' },
        { model: 'marts.daily', change: 'added', category: 'breaking' },
      ],
      backfills: [
        { model: 'staging.stg_events', intervals: [['2024-01-01', '2024-01-04']] },
        { model: 'marts.by_category', intervals: [['2024-01-01', '2024-01-04']] },
        { model: 'marts.daily', intervals: [['2024-01-01', '2024-01-04']] },
      ],
      virtual_update: false,
      applied: false,
    });
    const events: string[] = [];
    await ws.apply(plan, graph, { onEvent: (e) => e.stage === 'backfill' && events.push(`${e.model} ${e.interval.join('..')}`) });
    expect(events).toContain('marts.daily 2024-01-01..2024-01-02');
    expect(events).toContain('marts.daily 2024-01-03..2024-01-04');
    const daily = await ws.warehouse.query('SELECT strftime(day, \'%Y-%m-%d\') AS d, n FROM marts.daily ORDER BY day');
    expect(daily).toEqual([
      { d: '2024-01-01', n: 8 },
      { d: '2024-01-02', n: 8 },
      { d: '2024-01-03', n: 8 },
      { d: '2024-01-04', n: 8 },
    ]);
    expect(await ws.warehouse.query('SELECT count(*) AS c FROM marts.by_category')).toEqual([{ c: 3 }]);
    await ws.close();
  });

  it('plans nothing when the project matches the environment', async () => {
    const ws = await open();
    await planAndApply(ws, 'prod');
    const { plan } = await ws.plan({ environment: 'prod', executionTime: NOW });
    expect(plan.changes).toEqual([]);
    expect(plan.virtualUpdate).toBe(true);
    await ws.close();
  });

  it('builds a change in dev, leaves prod untouched, then promotes it to prod as a virtual update', async () => {
    let ws = await open();
    await planAndApply(ws, 'prod');
    await ws.close();
    writeFiles(root, { 'models/marts/by_category.sql': BY_CATEGORY.replace('count(*) AS n', 'count(*) AS n, sum(amount) AS total') });
    ws = await open();
    const dev = await planAndApply(ws, 'dev');
    expect(planJson(dev, true).changes).toEqual([{ model: 'marts.by_category', change: 'directly_modified', category: 'non_breaking' }]);
    expect(await ws.warehouse.query('SELECT * FROM marts__dev.by_category ORDER BY category LIMIT 1')).toEqual([{ category: 'a', n: 14, total: 42 }]);
    expect(await ws.warehouse.query('SELECT * FROM marts.by_category ORDER BY category LIMIT 1')).toEqual([{ category: 'a', n: 14 }]);
    const prod = await ws.plan({ environment: 'prod', executionTime: NOW });
    expect(prod.plan.virtualUpdate).toBe(true);
    expect(prod.plan.backfills).toEqual([]);
    await ws.apply(prod.plan, prod.graph);
    expect(await ws.warehouse.query('SELECT * FROM marts.by_category ORDER BY category LIMIT 1')).toEqual([{ category: 'a', n: 14, total: 42 }]);
    await ws.close();
  });

  it('marks a breaking change and its children, and rebuilds them in dev only', async () => {
    let ws = await open();
    await planAndApply(ws, 'prod');
    await ws.close();
    writeFiles(root, { 'models/staging/stg_events.sql': `MODEL (name staging.stg_events, kind VIEW);\nSELECT id, ts::TIMESTAMP AS ts, amount::DOUBLE * 2 AS amount, category FROM raw.events WHERE id > 0` });
    ws = await open();
    const dev = await planAndApply(ws, 'dev');
    expect(planJson(dev, true).changes).toEqual([
      { model: 'staging.stg_events', change: 'directly_modified', category: 'breaking' },
      { model: 'marts.by_category', change: 'indirectly_modified', category: 'indirect_breaking' },
      { model: 'marts.daily', change: 'indirectly_modified', category: 'indirect_breaking' },
    ]);
    expect(await ws.warehouse.query('SELECT sum(n) AS n FROM marts__dev.by_category')).toEqual([{ n: 39 }]);
    expect(await ws.warehouse.query('SELECT sum(n) AS n FROM marts.by_category')).toEqual([{ n: 40 }]);
    await ws.close();
  });

  it('treats a comment-only change as no data change', async () => {
    let ws = await open();
    await planAndApply(ws, 'prod');
    await ws.close();
    writeFiles(root, { 'models/marts/daily.sql': DAILY.replace('GROUP BY 1', '-- one row a day\nGROUP BY   1') });
    ws = await open();
    const { plan } = await ws.plan({ environment: 'prod', executionTime: NOW });
    expect(plan.changes).toEqual([]);
    await ws.close();
  });

  it('stops before promotion when a blocking audit fails', async () => {
    writeFiles(root, { 'models/marts/by_category.sql': BY_CATEGORY.replace('SELECT category, count(*) AS n FROM staging.stg_events GROUP BY category', 'SELECT category, 1 AS n FROM staging.stg_events') });
    const ws = await open();
    const { plan, graph } = await ws.plan({ environment: 'prod', executionTime: NOW });
    await expect(ws.apply(plan, graph)).rejects.toThrow(/Blocking audit failed on marts.by_category: unique_values/);
    expect(await ws.state.getEnvironment('prod')).toBeUndefined();
    expect(await ws.warehouse.exists({ schema: 'marts', table: 'by_category' })).toBeUndefined();
    // The lock was released: a fixed project can plan again.
    await ws.close();
  });

  it('runs the intervals whose cron has elapsed, and says so when nothing is ready', async () => {
    const ws = await open();
    await planAndApply(ws, 'prod');
    const nothing = await ws.run('prod', { executionTime: NOW });
    expect(nothing.evaluated).toEqual([]);
    expect(nothing.message).toMatch(/No models are ready to run/);
    const later = await ws.run('prod', { executionTime: parseTime('2024-01-06T00:30:00Z') });
    expect(later.evaluated.find((e) => e.model === 'marts.daily')).toEqual({ model: 'marts.daily', intervals: [['2024-01-05', '2024-01-05']] });
    expect(await ws.warehouse.query('SELECT count(*) AS c FROM marts.daily')).toEqual([{ c: 5 }]);
    await ws.close();
  });

  it('restates a model and its children for a range', async () => {
    const ws = await open();
    await planAndApply(ws, 'prod');
    const { plan } = await ws.plan({ environment: 'prod', executionTime: NOW, restateModels: ['marts.daily'], start: '2024-01-02', end: '2024-01-03' });
    expect(planJson(plan, false).backfills).toEqual([{ model: 'marts.daily', intervals: [['2024-01-02', '2024-01-03']] }]);
    await ws.close();
  });

  it('refuses a second plan on an environment while one is being applied', async () => {
    const ws = await open();
    const { plan } = await ws.plan({ environment: 'prod', executionTime: NOW });
    await ws.state.acquirePlanLock('prod', 'other-plan', 'someone-else');
    await expect(ws.apply(plan, (await ws.plan({ environment: 'prod', executionTime: NOW })).graph)).rejects.toThrow(/is being applied to environment "prod"/);
    await ws.close();
  });

  it('applies a forward-only change without backfill and fills the new column from the next run on', async () => {
    let ws = await open();
    await planAndApply(ws, 'prod');
    await ws.close();
    writeFiles(root, { 'models/marts/daily.sql': DAILY.replace('sum(amount) AS total', 'sum(amount) AS total, max(amount) AS biggest') });
    ws = await open();
    const { plan, graph } = await ws.plan({ environment: 'prod', executionTime: NOW, forwardOnly: true });
    expect(planJson(plan, false).changes).toEqual([{ model: 'marts.daily', change: 'directly_modified', category: 'forward_only' }]);
    expect(plan.backfills).toEqual([]);
    await ws.apply(plan, graph);
    await ws.run('prod', { executionTime: parseTime('2024-01-06T01:00:00Z') });
    const rows = await ws.warehouse.query("SELECT strftime(day, '%Y-%m-%d') AS d, biggest FROM marts.daily ORDER BY day");
    expect(rows).toEqual([
      { d: '2024-01-01', biggest: null },
      { d: '2024-01-02', biggest: null },
      { d: '2024-01-03', biggest: null },
      { d: '2024-01-04', biggest: null },
      { d: '2024-01-05', biggest: 6 },
    ]);
    await ws.close();
  });

  it('drops expired dev environments and unreferenced tables with the janitor', async () => {
    let ws = await open();
    await planAndApply(ws, 'prod');
    await ws.close();
    writeFiles(root, { 'models/marts/by_category.sql': BY_CATEGORY.replace('GROUP BY category', 'WHERE id > 3 GROUP BY category') });
    ws = await open();
    await planAndApply(ws, 'dev');
    expect(await ws.warehouse.exists({ schema: 'marts__dev', table: 'by_category' })).toBe('view');
    const result = await ws.janitor({ now: Date.now() + 30 * 24 * 3600 * 1000 });
    expect(result.droppedEnvironments).toEqual(['dev']);
    expect(result.droppedTables).toHaveLength(1);
    expect(result.droppedTables[0]).toMatch(/^sqlmesh__marts\.marts__by_category__\d+$/);
    expect(await ws.warehouse.exists({ schema: 'marts__dev', table: 'by_category' })).toBeUndefined();
    expect(await ws.warehouse.query('SELECT count(*) AS c FROM marts.by_category')).toEqual([{ c: 3 }]);
    await ws.close();
  });
});

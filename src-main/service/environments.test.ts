import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads } from '../../src-shared/contract';
import { createTestProject, DAILY, writeFiles } from '../plan/test-project';
import { PasService } from './service';

const NOW = '2024-01-05T12:00:00Z';

let service: PasService;
let root: string;
const changes: EventPayloads['environments.changed'][] = [];

/** Writes project files and waits until the service has reloaded the project. */
async function edit(files: Record<string, string>): Promise<void> {
  const reloaded = new Promise<void>((resolve) => {
    const off = service.events.on('project.changed', () => {
      off();
      resolve();
    });
  });
  writeFiles(root, files);
  await reloaded;
}

async function planAndApply(environment: string, options: { categories?: Record<string, 'breaking' | 'non_breaking'> } = {}) {
  const plan = await service.invoke('plan.create', { environment, executionTime: NOW, ...options });
  await service.invoke('plan.apply', { planId: plan.planId });
  return plan;
}

beforeAll(async () => {
  root = await createTestProject();
  service = await PasService.create({ projectDir: root });
  service.events.on('environments.changed', (e) => changes.push(e));
  await planAndApply('prod');
  await planAndApply('dev');
});
afterAll(async () => service.close());

describe('environments through the service', () => {
  it('lists each environment with its model versions, who applied it and when', async () => {
    const { environments } = await service.invoke('env.list', {});
    expect(environments.map((e) => e.name)).toEqual(['dev', 'prod']);
    const prod = environments.find((e) => e.name === 'prod');
    expect(prod?.models.map((m) => [m.model, m.kind])).toEqual([
      ['staging.stg_events', 'VIEW'],
      ['marts.by_category', 'FULL'],
      ['marts.daily', 'INCREMENTAL_BY_TIME_RANGE'],
    ]);
    expect(prod?.appliedBy).toMatch(/.+@.+/);
    expect(prod?.appliedAt).toMatch(/^\d{4}-/);
    expect(prod?.plannedAt).toMatch(/^\d{4}-/);
    expect(prod?.expiresAt).toBeNull();
    const dev = environments.find((e) => e.name === 'dev');
    expect(dev?.expiresAt).not.toBeNull();
    // dev was planned from prod with nothing changed: it shares every version and views none of its own.
    expect(dev?.models.every((m) => !m.differsFromProd)).toBe(true);
    expect(changes).toEqual([
      { environment: 'prod', change: 'promoted' },
      { environment: 'dev', change: 'promoted' },
    ]);
  });

  it('offers non-breaking for a change that only adds a column, shows its impact, and compares and diffs the environments', async () => {
    await edit({ 'models/marts/daily.sql': DAILY.replace('sum(amount) AS total', 'sum(amount) AS total, max(amount) AS biggest') });
    const plan = await service.invoke('plan.create', { environment: 'dev', executionTime: NOW });
    const direct = plan.changes.find((c) => c.model === 'marts.daily');
    expect(direct).toMatchObject({ change: 'directly_modified', category: 'non_breaking', allowedCategories: ['breaking', 'non_breaking'], children: [] });
    expect(direct?.before).not.toContain('biggest');
    expect(direct?.after).toContain('max(amount) AS biggest');
    expect(plan.backfills).toEqual([{ model: 'marts.daily', refresh: 'incremental', intervals: [['2024-01-01', '2024-01-04']], batches: 2 }]);

    const impact = await service.invoke('env.impact', { environment: 'dev', model: 'marts.daily', category: 'non_breaking' });
    expect(impact.columns).toEqual([{ column: 'biggest', change: 'added', downstream: [] }]);

    const local = await service.invoke('env.tableDiff', { source: 'dev', local: true, model: 'marts.daily' });
    expect(local.schema.added).toEqual([{ column: 'biggest', type: 'DOUBLE' }]);
    expect(local.source.rows).toBe(local.target.rows);
    expect(local.target.label).toBe('local');

    const breaking = await service.invoke('plan.create', { environment: 'dev', executionTime: NOW, categories: { 'marts.daily': 'breaking' } });
    expect(breaking.changes.find((c) => c.model === 'marts.daily')?.category).toBe('breaking');
    await service.invoke('plan.apply', { planId: plan.planId });
    expect(changes.at(-1)).toEqual({ environment: 'dev', change: 'promoted' });

    const compared = await service.invoke('env.compare', { a: 'prod', b: 'dev' });
    expect(compared.changed.map((c) => c.model)).toEqual(['marts.daily']);
    expect(compared.same).toBe(2);
    expect(compared.onlyInA).toEqual([]);

    const diff = await service.invoke('env.tableDiff', { source: 'prod', target: 'dev', model: 'marts.daily', grid: true });
    expect(diff.schema).toEqual({ added: [{ column: 'biggest', type: 'DOUBLE' }], removed: [], modified: [] });
    expect(diff.source.rows).toBe(4);
    expect(diff.target.rows).toBe(4);
    expect(diff.rows).toMatchObject({ onlyInSource: 0, onlyInTarget: 0, changed: 0 });
  });

  it('counts changed rows on the grain and samples them side by side', async () => {
    await edit({
      'models/marts/by_category.sql': `MODEL (name marts.by_category, kind FULL, grain category);
SELECT category, count(*) + CASE WHEN category = 'a' THEN 100 ELSE 0 END AS n FROM staging.stg_events GROUP BY category`,
    });
    await planAndApply('dev');
    const diff = await service.invoke('env.tableDiff', { source: 'prod', target: 'dev', model: 'marts.by_category', grid: true });
    expect(diff.grain).toEqual(['category']);
    expect(diff.rows).toEqual({ onlyInSource: 0, onlyInTarget: 0, changed: 1, changedValues: { n: 1 } });
    expect(diff.sample).toEqual({ columns: ['category', 'n (prod)', 'n (dev)'], rows: [['a', 14, 114]] });
    expect(diff.sampleResult?.rowCount).toBe(1);
  });

  it('a dev plan with a start and an end backfills only that range, and says so', async () => {
    await edit({
      'models/marts/by_category.sql': `MODEL (name marts.by_category, kind FULL, grain category);
SELECT category, count(*) + 2 AS n FROM staging.stg_events GROUP BY category`,
    });
    const plan = await service.invoke('plan.create', { environment: 'ranged', start: '2024-01-02', end: '2024-01-03', executionTime: NOW });
    expect(plan).toMatchObject({ start: '2024-01-02', end: '2024-01-03' });
    expect(plan.backfills).toEqual([{ model: 'marts.by_category', refresh: 'full', intervals: [['2024-01-02', '2024-01-03']], batches: 1 }]);
  });

  it('refuses a non-breaking category for a change that does more than add columns', async () => {
    await expect(service.invoke('plan.create', { environment: 'other', executionTime: NOW, categories: { 'marts.by_category': 'non_breaking' } })).rejects.toMatchObject({
      error: { code: 'validation', message: expect.stringContaining('marts.by_category cannot be non-breaking') },
    });
  });

  it('says which environment or model does not exist', async () => {
    await expect(service.invoke('env.tableDiff', { source: 'nope', target: 'prod', model: 'marts.daily' })).rejects.toMatchObject({ error: { code: 'not_found', what: 'environment' } });
    await expect(service.invoke('env.tableDiff', { source: 'prod', target: 'dev', model: 'marts.nope' })).rejects.toMatchObject({ error: { code: 'not_found', what: 'model' } });
    await expect(service.invoke('env.invalidate', { environment: 'nope' })).rejects.toMatchObject({ error: { code: 'not_found', what: 'environment' } });
    await expect(service.invoke('env.compare', { a: 'prod', b: 'nope' })).rejects.toMatchObject({ error: { code: 'not_found' } });
    expect(await service.call('env.tableDiff', { source: 'prod', model: 'marts.daily' })).toMatchObject({ ok: false, error: { code: 'validation', issues: [{ path: 'params.target' }] } });
  });

  it('cancelling an apply leaves the environment as it was: same plan, same versions, views unchanged', async () => {
    const before = (await service.invoke('env.list', {})).environments.find((e) => e.name === 'dev');
    const rowsBefore = await service.invoke('query.run', { sql: 'SELECT count(*) AS n FROM marts__dev.daily' });
    await edit({ 'models/marts/daily.sql': DAILY.replace('count(*) AS n', 'count(*) + 1 AS n') });
    const plan = await service.invoke('plan.create', { environment: 'dev', executionTime: NOW });
    expect(plan.changes.find((c) => c.model === 'marts.daily')?.category).toBe('breaking');
    const impact = await service.invoke('env.impact', { environment: 'dev', model: 'marts.daily', category: 'breaking' });
    expect(impact.columns.map((c) => [c.column, c.change])).toEqual([
      ['day', 'rows'],
      ['n', 'modified'],
      ['total', 'rows'],
      ['biggest', 'removed'],
    ]);
    const controller = new AbortController();
    const off = service.events.on('plan.progress', (e) => {
      // The last batch of the last model: only the promotion is left to do.
      if (e.stage === 'backfill' && e.model === 'marts.daily' && e.batch === e.batches) controller.abort();
    });
    const seen = changes.length;
    await expect(service.invoke('plan.apply', { planId: plan.planId }, { signal: controller.signal })).rejects.toMatchObject({ error: { code: 'cancelled' } });
    off();
    const after = (await service.invoke('env.list', {})).environments.find((e) => e.name === 'dev');
    expect(after?.planId).toBe(before?.planId);
    expect(after?.models).toEqual(before?.models);
    expect(changes.length).toBe(seen);
    const versionView = await service.invoke('query.run', { sql: "SELECT sql FROM duckdb_views() WHERE schema_name = 'marts__dev' AND view_name = 'daily'" });
    expect(versionView.rowCount).toBe(1);
    const rowsAfter = await service.invoke('query.run', { sql: 'SELECT count(*) AS n FROM marts__dev.daily' });
    expect(rowsAfter.rowCount).toBe(rowsBefore.rowCount);
    // The environment's views still point at the versions the environment records.
    const daily = after?.models.find((m) => m.model === 'marts.daily');
    const pointing = await service.invoke('query.run', { sql: `SELECT 1 FROM duckdb_views() WHERE schema_name = 'marts__dev' AND view_name = 'daily' AND sql LIKE '%${daily?.version}%'` });
    expect(pointing.rowCount).toBe(1);
  });

  it('invalidates a dev environment, then the janitor drops it, announcing each change', async () => {
    await expect(service.invoke('env.invalidate', { environment: 'prod' })).rejects.toMatchObject({ error: { code: 'validation' } });
    const invalidated = await service.invoke('env.invalidate', { environment: 'dev' });
    expect(invalidated.environment).toBe('dev');
    expect(changes.at(-1)).toEqual({ environment: 'dev', change: 'invalidated' });
    expect((await service.invoke('env.list', {})).environments.find((e) => e.name === 'dev')?.expired).toBe(true);
    const janitor = await service.invoke('env.janitor', {});
    expect(janitor.droppedEnvironments).toEqual(['dev']);
    expect(changes.at(-1)).toEqual({ environment: 'dev', change: 'deleted' });
    expect((await service.invoke('env.list', {})).environments.map((e) => e.name)).toEqual(['prod']);
  });
});

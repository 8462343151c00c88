import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPasException } from '../../src-shared/errors';
import { BY_CATEGORY, createTestProject, UNLOADED_ORDERS } from '../plan/test-project';
import { PasService } from './service';

let service: PasService;
let root: string;
beforeAll(async () => {
  root = await createTestProject({}, { kind: 'lake-local' });
  service = await PasService.create({ projectDir: root });
});
afterAll(async () => service.close());

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isPasException(error)) return error.error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('the workbench through the service', () => {
  it('lists the models with kinds, columns and never-built status in a fresh project', async () => {
    const tree = await service.invoke('workbench.tree', {});
    expect(tree.models.map((m) => [m.name, m.kind, m.folder])).toEqual([
      ['marts.by_category', 'FULL', 'marts'],
      ['marts.daily', 'INCREMENTAL_BY_TIME_RANGE', 'marts'],
      ['staging.stg_events', 'VIEW', 'staging'],
    ]);
    const staging = tree.models.find((m) => m.name === 'staging.stg_events');
    expect(staging?.status).toMatchObject({ neverBuilt: true, changed: true, errors: 0 });
    expect(staging?.columns).toContainEqual({ name: 'amount', type: 'DOUBLE' });
    expect(tree.macros).toContain('each');
  });

  it('previews unsaved text of a model whose upstream was never built by inlining the upstream SQL', async () => {
    const text = BY_CATEGORY.replace('count(*) AS n', 'count(*) AS n, sum(amount) AS total');
    const preview = await service.invoke('workbench.preview', { path: 'models/marts/by_category.sql', text, session: 's1' });
    expect(preview.inlined).toEqual(['staging.stg_events']);
    expect(preview.handle.columns.map((c) => c.name)).toEqual(['category', 'n', 'total']);
    expect(preview.handle.rowCount).toBe(3);
    const profile = await service.invoke('workbench.profile', { session: 's1' });
    expect(profile.rows).toBe(3);
    const n = profile.columns.find((c) => c.name === 'n');
    expect(n).toMatchObject({ type: 'BIGINT', nullShare: 0, barsKind: 'histogram' });
    const category = profile.columns.find((c) => c.name === 'category');
    expect(category).toMatchObject({ distinct: 3, barsKind: 'top', min: 'a', max: 'c' });
  });

  it('caps the preview rows and says so', async () => {
    const text = 'MODEL (name marts.many, kind FULL);\nSELECT * FROM range(100) t(i)';
    const preview = await service.invoke('workbench.preview', { path: 'models/marts/many.sql', text, session: 's2', limit: 10 });
    expect(preview).toMatchObject({ capped: true, handle: { rowCount: 10 } });
  });

  it('reports a misspelt column of unsaved text at its line and column, and a preview error at the same place', async () => {
    const text = BY_CATEGORY.replace('SELECT category, count(*)', 'SELECT categroy, count(*)');
    const { problems } = await service.invoke('workbench.problems', { path: 'models/marts/by_category.sql', text });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'models/marts/by_category.sql', line: 6, column: 8, severity: 'error' });
    expect(problems[0]?.message).toContain('categroy');
    const error = await failure(service.invoke('workbench.preview', { path: 'models/marts/by_category.sql', text, session: 's1' }));
    expect(error).toMatchObject({ code: 'sql', position: { line: 6, column: 8 } });
  });

  it('reports every unknown column of the select list, not only the first', async () => {
    const text = BY_CATEGORY.replace('SELECT category, count(*) AS n', 'SELECT categroy, count(*) AS n, sum(amunt) AS total');
    const { problems } = await service.invoke('workbench.problems', { path: 'models/marts/by_category.sql', text });
    expect(problems.map((p) => [p.line, p.column])).toEqual([
      [6, 8],
      [6, 37],
    ]);
    expect(problems[1]?.message).toContain('amunt');
  });

  it('reports an unknown model, a parse error and a header mistake', async () => {
    const unknown = await service.invoke('workbench.problems', { path: 'models/marts/by_category.sql', text: BY_CATEGORY.replace('staging.stg_events', 'staging.stg_evnts') });
    expect(unknown.problems[0]).toMatchObject({ line: 6, column: 37 });
    expect(unknown.problems[0]?.message).toMatch(/stg_evnts/);
    const parse = await service.invoke('workbench.problems', { path: 'models/marts/by_category.sql', text: BY_CATEGORY.replace('GROUP BY category', 'GROUP category') });
    expect(parse.problems[0]).toMatchObject({ line: 6, code: 'sql.parse' });
    const header = await service.invoke('workbench.problems', { path: 'models/marts/by_category.sql', text: BY_CATEGORY.replace('kind FULL', 'kind FULLL') });
    expect(header.problems[0]).toMatchObject({ line: 3, severity: 'error' });
    expect(header.problems[0]?.message).toContain('FULLL');
  });

  it('renders unsaved text with macros expanded', async () => {
    const { sql } = await service.invoke('workbench.render', { path: 'models/marts/daily.sql', text: readFileSync(path.join(root, 'models/marts/daily.sql'), 'utf8') });
    expect(sql).toMatch(/BETWEEN '2024-01-01 00:00:00' AND '/);
  });

  it('reads upstream models from the environment once they are built there, and says what changed', async () => {
    const plan = await service.invoke('plan.create', { executionTime: '2024-01-06T00:00:00Z' });
    await service.invoke('plan.apply', { planId: plan.planId });
    const preview = await service.invoke('workbench.preview', { path: 'models/marts/by_category.sql', text: BY_CATEGORY, session: 's1' });
    expect(preview.inlined).toEqual([]);
    expect(preview.handle.rowCount).toBe(3);
    const tree = await service.invoke('workbench.tree', {});
    expect(tree.models.find((m) => m.name === 'staging.stg_events')?.status).toMatchObject({ neverBuilt: false, changed: false });
    const dev = await service.invoke('workbench.tree', { environment: 'dev' });
    expect(dev.models.find((m) => m.name === 'staging.stg_events')?.status).toMatchObject({ neverBuilt: true, changed: true });
  });

  it('saves inside the project and refuses paths that leave it', async () => {
    const saved = await service.invoke('workbench.save', { path: 'models/marts/new.sql', text: 'MODEL (name marts.new);\nSELECT 1 AS one' });
    expect(saved).toEqual({ path: 'models/marts/new.sql', bytes: 39 });
    expect(readFileSync(path.join(root, 'models/marts/new.sql'), 'utf8')).toContain('marts.new');
    expect(await failure(service.invoke('workbench.save', { path: '../escape.sql', text: 'x' }))).toMatchObject({ code: 'validation' });
    expect(await failure(service.invoke('workbench.save', { path: '/tmp/escape.sql', text: 'x' }))).toMatchObject({ code: 'validation' });
    const elsewhere = path.join(tmpdir(), `pas-outside-${process.pid}`);
    mkdirSync(elsewhere, { recursive: true });
    symlinkSync(elsewhere, path.join(root, 'linked'));
    expect(await failure(service.invoke('workbench.save', { path: 'linked/escape.sql', text: 'x' }))).toMatchObject({ code: 'validation' });
  });
});

describe('the explorer status of a model with a column problem', () => {
  it('counts a misspelt column before anything else asked for the problem list', async () => {
    const project = await createTestProject({ 'models/typo.sql': 'MODEL (name x.typo, kind VIEW);\nSELECT amout FROM staging.stg_events' });
    const fresh = await PasService.create({ projectDir: project });
    try {
      const tree = await fresh.invoke('workbench.tree', {});
      expect(tree.models.find((m) => m.name === 'x.typo')?.status).toMatchObject({ errors: 1 });
      const { problems } = await fresh.invoke('workbench.problems', { path: 'models/typo.sql' });
      expect(problems.map((p) => [p.line, p.column])).toContainEqual([2, 8]);
    } finally {
      await fresh.close();
    }
  });
});

describe('previewing a model over a table no pipeline has loaded yet', () => {
  it('says which pipeline loads the missing table', async () => {
    const fresh = await createTestProject(UNLOADED_ORDERS, { kind: 'lake-local' });
    const own = await PasService.create({ projectDir: fresh, watch: false });
    try {
      const text = readFileSync(path.join(fresh, 'models/staging/stg_orders.sql'), 'utf8');
      const error = await failure(own.invoke('workbench.preview', { path: 'models/staging/stg_orders.sql', text, session: 'p1' }));
      expect(error).toMatchObject({ code: 'sql', position: { line: 4 }, loadedBy: ['orders'] });
      expect(error.message).toContain('landing.orders is loaded by the pipeline orders: run `pas ingest orders`');
    } finally {
      await own.close();
    }
  });
});

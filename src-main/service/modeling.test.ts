import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads } from '../../src-shared/contract';
import { BY_CATEGORY, createTestProject, UNLOADED_ORDERS, writeFiles } from '../plan/test-project';
import { PasService } from './service';

const NOW = '2024-01-05T12:00:00Z';

let service: PasService;
let root: string;
beforeAll(async () => {
  root = await createTestProject({ 'tests/test_by_category.yaml': 'test_by_category:\n  model: marts.by_category\n  inputs:\n    staging.stg_events:\n      rows:\n        - {id: 1, category: a}\n  outputs:\n    query:\n      rows:\n        - {category: a, n: 1}\n' }, { kind: 'lake-local' });
  service = await PasService.create({ projectDir: root });
});
afterAll(async () => service.close());

describe('the modeling engine through the service', () => {
  it('describes the project', async () => {
    const info = await service.invoke('project.info', {});
    expect(info.models.map((m) => m.name).sort()).toEqual(['marts.by_category', 'marts.daily', 'staging.stg_events']);
    expect(info.warehouse).toBe('lake');
    expect(info.tests).toBe(1);
    expect(info.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('runs model tests and renders a model', async () => {
    const report = await service.invoke('project.test', {});
    expect(report.passed).toEqual(['test_by_category']);
    const { sql } = await service.invoke('project.render', { model: 'marts.daily', start: '2024-01-02', end: '2024-01-02' });
    expect(sql).toContain("BETWEEN '2024-01-02 00:00:00' AND '2024-01-02 23:59:59.999999'");
  });

  it('plans, applies with streamed progress, and promotes a later change as a virtual update', async () => {
    const events: EventPayloads['plan.progress'][] = [];
    const off = service.events.on('plan.progress', (e) => events.push(e));
    const dev = await service.invoke('plan.create', { environment: 'dev', executionTime: NOW });
    expect(dev).toMatchObject({ environment: 'dev', virtualUpdate: false });
    expect(dev.changes.map((c) => c.change)).toEqual(['added', 'added', 'added']);
    const applied = await service.invoke('plan.apply', { planId: dev.planId }, { requestId: 'apply-1' });
    off();
    expect(applied.promotedViews).toBe(3);
    expect(events.some((e) => e.stage === 'backfill' && e.model === 'marts.daily' && e.requestId === 'apply-1')).toBe(true);
    expect(events.at(-1)).toMatchObject({ stage: 'promote', environment: 'dev', views: 3 });
    const prod = await service.invoke('plan.create', { executionTime: NOW });
    expect(prod.virtualUpdate).toBe(true);
    await service.invoke('plan.apply', { planId: prod.planId });
    const rows = await service.invoke('query.run', { sql: 'select count(*) as n from marts.by_category' });
    expect(rows.rowCount).toBe(1);
    const again = await service.invoke('plan.run', { executionTime: NOW });
    expect(again.message).toMatch(/No models are ready to run/);
    expect(again.janitor).toEqual({ droppedEnvironments: [], droppedTables: [] });
    expect((await service.invoke('plan.run', { executionTime: NOW, skipJanitor: true })).janitor).toBeUndefined();
  });

  it('reports a failing blocking audit as audit_failed and promotes nothing', async () => {
    writeFiles(root, { 'models/marts/by_category.sql': BY_CATEGORY.replace('SELECT category, count(*) AS n FROM staging.stg_events GROUP BY category', 'SELECT category, 1 AS n FROM staging.stg_events') });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const plan = await service.invoke('plan.create', { environment: 'broken', executionTime: NOW });
    await expect(service.invoke('plan.apply', { planId: plan.planId })).rejects.toMatchObject({
      error: { code: 'audit_failed', model: 'marts.by_category', audits: [expect.objectContaining({ audit: 'unique_values' })] },
    });
    const info = await service.invoke('project.info', {});
    expect(info.environments.map((e) => e.name)).not.toContain('broken');
  });

  it('refuses a plan id it does not know', async () => {
    await expect(service.invoke('plan.apply', { planId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ error: { code: 'not_found', what: 'plan' } });
    expect(await service.call('plan.apply', { planId: 'nope' })).toMatchObject({ ok: false, error: { code: 'validation', issues: [{ path: 'params.planId' }] } });
  });
});

describe('a model over a table no pipeline has loaded yet', () => {
  it('fails at the view that reads it, naming the pipeline to run first', async () => {
    const fresh = await createTestProject(
      {
        ...UNLOADED_ORDERS,
        'models/marts/orders.sql': 'MODEL (name marts.orders, kind FULL);\n\nSELECT id FROM staging.stg_orders\n',
      },
      { kind: 'lake-local' },
    );
    const own = await PasService.create({ projectDir: fresh });
    try {
      const plan = await own.invoke('plan.create', { environment: 'dev', executionTime: NOW });
      const failure = await own.invoke('plan.apply', { planId: plan.planId }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toMatchObject({ error: { code: 'sql', loadedBy: ['orders'] } });
      const message = (failure as { error: { message: string } }).error.message;
      expect(message).toContain('models/staging/stg_orders.sql:4:');
      expect(message).toContain('staging.stg_orders failed');
      expect(message).toContain('landing.orders is loaded by the pipeline orders: run `pas ingest orders`');
    } finally {
      await own.close();
    }
  });
});

import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads } from '../../src-shared/contract';
import { createTestProject, DAILY, writeFiles } from '../plan/test-project';
import { PasService } from './service';

let service: PasService;
let root: string;
beforeAll(async () => {
  root = await createTestProject();
  service = await PasService.create({ projectDir: root });
});
afterAll(async () => service.close());

describe('lineage through the service', () => {
  it('lists the models with their columns, then the tables they read that are not models', async () => {
    const { models } = await service.invoke('lineage.models', {});
    expect(models.map((m) => m.name)).toEqual(['marts.by_category', 'marts.daily', 'staging.stg_events', 'raw.events']);
    expect(models.find((m) => m.name === 'raw.events')?.kind).toBe('SOURCE');
    expect(models.find((m) => m.name === 'marts.daily')?.columns).toEqual(['day', 'n', 'total']);
  });

  it('returns a model, its upstream models and sources, with column edges and file positions', async () => {
    const view = await service.invoke('lineage.graph', { model: 'marts.daily', column: 'total', upstream: 2, downstream: 1 });
    expect(view.nodes.map((n) => `${n.model}:${n.kind}`).sort()).toEqual(['marts.daily:INCREMENTAL_BY_TIME_RANGE', 'raw.events:SOURCE', 'staging.stg_events:VIEW']);
    expect(view.edges).toContainEqual({ from: { model: 'staging.stg_events', column: 'amount' }, to: { model: 'marts.daily', column: 'total' }, kind: 'value', expression: 'sum(amount)' });
    expect(view.edges).toContainEqual(expect.objectContaining({ from: { model: 'raw.events', column: 'amount' }, to: { model: 'staging.stg_events', column: 'amount' }, kind: 'value' }));
    const total = view.nodes.find((n) => n.model === 'marts.daily')?.columns.find((c) => c.name === 'total');
    expect(total?.position).toEqual({ file: 'models/marts/daily.sql', line: 6, column: 53 });
    const narrow = await service.invoke('lineage.graph', { model: 'marts.daily', upstream: 1, downstream: 0 });
    expect(narrow.nodes.map((n) => n.model).sort()).toEqual(['marts.daily', 'staging.stg_events']);
    expect(narrow.moreUpstream).toEqual(['staging.stg_events']);
  });

  it('names an unknown model or column', async () => {
    await expect(service.invoke('lineage.graph', { model: 'marts.nope', upstream: 1, downstream: 1 })).rejects.toMatchObject({ error: { code: 'not_found', what: 'model' } });
    await expect(service.invoke('lineage.graph', { model: 'marts.daily', column: 'zzz', upstream: 1, downstream: 1 })).rejects.toMatchObject({ error: { code: 'not_found', what: 'column' } });
  });

  it('serves project files and refuses paths outside the project', async () => {
    const file = await service.invoke('project.file', { path: 'models/marts/daily.sql' });
    expect(file.text).toBe(DAILY);
    await expect(service.invoke('project.file', { path: '../../etc/passwd' })).rejects.toMatchObject({ error: { code: 'validation', issues: [{ path: 'params.path' }] } });
    await expect(service.invoke('project.file', { path: 'models/nope.sql' })).rejects.toMatchObject({ error: { code: 'not_found', what: 'file' } });
  });

  it('refuses a symbolic link inside the project that points outside it', async () => {
    const secret = path.join(mkdtempSync(path.join(tmpdir(), 'pas-outside-')), 'secret.txt');
    writeFileSync(secret, 'not for the renderer');
    symlinkSync(secret, path.join(root, 'leak.txt'));
    await expect(service.invoke('project.file', { path: 'leak.txt' })).rejects.toMatchObject({ error: { code: 'validation', issues: [{ path: 'params.path' }] } });
  });

  it('recomputes only the edited model and its dependents when a file changes', async () => {
    await service.invoke('lineage.models', {});
    const changed = new Promise<EventPayloads['project.changed']>((resolve) => {
      const off = service.events.on('project.changed', (payload) => {
        off();
        resolve(payload);
      });
    });
    writeFiles(root, { 'models/marts/daily.sql': DAILY.replace('sum(amount) AS total', 'sum(amount) AS total, max(amount) AS biggest') });
    const payload = await changed;
    expect(payload.recomputed).toEqual(['marts.daily']);
    const view = await service.invoke('lineage.graph', { model: 'marts.daily', column: 'biggest', upstream: 1, downstream: 0 });
    expect(view.edges).toContainEqual(expect.objectContaining({ from: { model: 'staging.stg_events', column: 'amount' }, to: { model: 'marts.daily', column: 'biggest' } }));
  });
});

describe('lineage of one model in a one-shot session (a pas command)', () => {
  it('reports the same as the whole project lineage does, from the models around the asked one only', async () => {
    const dir = await createTestProject();
    const oneShot = await PasService.create({ projectDir: dir, watch: false });
    const longLived = await PasService.create({ projectDir: dir });
    try {
      const { records: every } = await oneShot.invoke('lineage.query', { all: true });
      for (const model of ['marts.daily', 'marts.by_category', 'staging.stg_events']) {
        for (const direction of ['both', 'upstream', 'downstream'] as const) {
          const { records } = await oneShot.invoke('lineage.query', { model, direction, depth: 3 });
          const { records: full } = await longLived.invoke('lineage.query', { model, direction, depth: 3 });
          expect(records).toEqual(full);
          expect(records.length).toBeGreaterThan(0);
        }
      }
      expect(every.length).toBeGreaterThan(0);
    } finally {
      await oneShot.close();
      await longLived.close();
    }
  });
});

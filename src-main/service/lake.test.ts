import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { parseTime } from '../plan/intervals';
import { createTestProject } from '../plan/test-project';
import { Workspace } from '../plan/workspace';
import { PasService } from './service';

let service: PasService;
beforeAll(async () => {
  const root = await createTestProject({}, { kind: 'lake-local' });
  const engine = await DuckEngine.open();
  const ws = await Workspace.open({ projectDir: root, engine });
  const { plan, graph } = await ws.plan({ environment: 'prod', executionTime: parseTime('2024-01-05T12:00:00Z') });
  await ws.apply(plan, graph);
  await ws.close();
  await engine.close();
  service = await PasService.create({ projectDir: root });
});
afterAll(async () => service.close());

describe('the lake browser through the service', () => {
  it('lists schemas with tables, their rows, files and sizes, and the snapshot history newest first', async () => {
    const overview = await service.invoke('lake.overview', {});
    if (!overview.configured) throw new Error(overview.reason);
    const raw = overview.schemas.find((s) => s.name === 'raw');
    expect(raw?.tables).toEqual([expect.objectContaining({ name: 'events', rows: 40, files: 1, deleteFiles: 0 })]);
    expect(raw?.tables[0]?.bytes).toBeGreaterThan(0);
    expect(overview.schemas.find((s) => s.name === 'marts')?.views.sort()).toEqual(['by_category', 'daily']);
    expect(overview.snapshots[0]!.id).toBeGreaterThan(overview.snapshots[overview.snapshots.length - 1]!.id);
    expect(overview.snapshots[overview.snapshots.length - 1]).toMatchObject({ id: 0, changes: { schemas_created: ['main'] } });
  });

  it('queries a table now and as of an older snapshot', async () => {
    const overview = await service.invoke('lake.overview', {});
    if (!overview.configured) throw new Error(overview.reason);
    const dailyTable = overview.schemas.find((s) => s.name === 'sqlmesh__marts')?.tables.find((t) => t.name.startsWith('marts__daily__'));
    expect(dailyTable).toBeDefined();
    const now = await service.invoke('lake.query', { schema: 'sqlmesh__marts', table: dailyTable!.name });
    expect(now.rowCount).toBe(4);
    // The first batch of marts.daily (2 days) was its own snapshot: find the snapshot that created it.
    const created = overview.snapshots.find((s) => (s.changes.tables_created ?? []).includes(`sqlmesh__marts.${dailyTable!.name}`));
    const inserts = overview.snapshots.filter((s) => s.id > created!.id && (s.changes.tables_inserted_into ?? []).length > 0).map((s) => s.id).sort((a, b) => a - b);
    const early = await service.invoke('lake.query', { schema: 'sqlmesh__marts', table: dailyTable!.name, snapshot: inserts[0]! });
    expect(early.rowCount).toBe(2);
    const page = await service.invoke('query.page', { resultId: early.resultId, offset: 0, limit: 10 });
    expect(page.columns[1]).toEqual([8, 8]);
  });

  it('answers clearly for a project without a lake', async () => {
    const plain = await PasService.create({ projectDir: await createTestProject() });
    expect(await plain.invoke('lake.overview', {})).toEqual({ configured: false, reason: "The project's gateway has no catalogs entry of type ducklake." });
    await plain.close();
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventPayloads } from '../../src-shared/contract';
import { PasException } from '../../src-shared/errors';
import { Session } from '../duck/session';
import { PasService } from './service';

let service: PasService;
let folder: string;
beforeAll(async () => {
  // A folder that is not a project: the console works without one, and the repository's
  // example stays untouched (other test files open it at the same time).
  folder = mkdtempSync(path.join(tmpdir(), 'pas-service-'));
  service = await PasService.create({ projectDir: folder });
});
afterAll(async () => service.close());

const LONG_QUERY = 'select count(*) from range(1000000000000) a';

describe('the service', () => {
  it('runs a query and pages its rows', async () => {
    const handle = await service.invoke('query.run', { sql: "select 42 as answer, 'x' as s" });
    expect(handle.columns).toEqual([
      { name: 'answer', type: 'INTEGER' },
      { name: 's', type: 'VARCHAR' },
    ]);
    expect(handle.rowCount).toBe(1);
    expect(handle.statementType).toBe('SELECT');
    const page = await service.invoke('query.page', { resultId: handle.resultId, offset: 0, limit: 10 });
    expect(page.columns).toEqual([[42], ['x']]);
  });

  it('rejects malformed params with a validation error naming the field, without reaching DuckDB', async () => {
    const run = vi.spyOn(Session.prototype, 'run');
    const outcome = await service.call('query.run', { sql: 42 });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'validation', issues: [{ path: 'params.sql' }] } });
    const page = await service.call('query.page', { resultId: 'r', offset: -1, limit: 10 });
    expect(page).toMatchObject({ ok: false, error: { code: 'validation', issues: [{ path: 'params.offset' }] } });
    const extra = await service.call('query.run', { sql: 'select 1', evil: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(run).not.toHaveBeenCalled();
    run.mockRestore();
  });

  it('refuses an unknown method by name', async () => {
    expect(await service.call('fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'unknown_method', method: 'fs.readFile' } });
  });

  it('cancels a running query, reports it, and keeps the session usable', async () => {
    const events: EventPayloads['progress'][] = [];
    const off = service.events.on('progress', (p) => events.push(p));
    const controller = new AbortController();
    const running = service.invoke('query.run', { sql: LONG_QUERY, session: 'c1' }, { requestId: 'req-1', signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(running).rejects.toMatchObject({ error: { code: 'cancelled' } });
    off();
    expect(events.map((e) => e.stage)).toEqual(['started', 'cancelled']);
    expect(events.every((e) => e.requestId === 'req-1')).toBe(true);
    const next = await service.invoke('query.run', { sql: 'select 1 as one', session: 'c1' });
    expect(next.rowCount).toBe(1);
  });

  it('keeps temp objects per session and tables across sessions', async () => {
    await service.invoke('query.run', { sql: 'create temp table t1 as select 1 x; create table shared as select 2 y', session: 'a' });
    await expect(service.invoke('query.run', { sql: 'select * from t1', session: 'b' })).rejects.toBeInstanceOf(PasException);
    const shared = await service.invoke('query.run', { sql: 'select * from shared', session: 'b' });
    expect(shared.rowCount).toBe(1);
  });

  it('reports SQL errors with their position', async () => {
    await expect(service.invoke('query.run', { sql: 'select\n  missing_col' })).rejects.toMatchObject({
      error: { code: 'sql', errorType: 'Binder', position: { line: 2, column: 3 } },
    });
  });

  it('tells the engine version and project', async () => {
    const info = await service.invoke('app.info', {});
    expect(info.duckdbVersion).toMatch(/^v1\./);
    expect(info.projectDir).toBe(folder);
    const dialect = await service.invoke('sql.dialect', {});
    expect(dialect.keywords).toContain('qualify');
    expect(dialect.functions).toContain('read_parquet');
  });
});

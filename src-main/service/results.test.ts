import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads } from '../../src-shared/contract';
import { PasService } from './service';

let service: PasService;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pas-results-'));
  service = await PasService.create({ projectDir: dir });
});
afterAll(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

async function firstColumn(resultId: string, limit = 10) {
  return (await service.invoke('query.page', { resultId, offset: 0, limit })).columns;
}

describe('results held by the engine', () => {
  it('sorts a result by a column into a new result, descending and again ascending from the original', async () => {
    const handle = await service.invoke('query.run', { sql: '-- comment\nselect range as n, range % 3 as m, range as n from range(5); -- trailing' });
    const desc = await service.invoke('query.sort', { resultId: handle.resultId, orderBy: [{ column: 0, descending: true }] });
    expect(desc.resultId).not.toBe(handle.resultId);
    expect(desc.rowCount).toBe(5);
    expect(desc.columns.map((c) => c.name)).toEqual(handle.columns.map((c) => c.name));
    expect((await firstColumn(desc.resultId))[0]).toEqual([4, 3, 2, 1, 0]);
    const byMod = await service.invoke('query.sort', { resultId: desc.resultId, orderBy: [{ column: 1 }, { column: 0, descending: true }] });
    expect((await firstColumn(byMod.resultId))[0]).toEqual([3, 0, 4, 1, 2]);
  });

  it('sorts ten million rows without sending them to the client', async () => {
    const handle = await service.invoke('query.run', { sql: 'select range as n from range(10000000)' });
    const sorted = await service.invoke('query.sort', { resultId: handle.resultId, orderBy: [{ column: 0, descending: true }] });
    expect((await service.invoke('query.page', { resultId: sorted.resultId, offset: 0, limit: 2 })).columns[0]).toEqual([9999999, 9999998]);
  });

  it('sorts in the session the result came from, so temp tables resolve', async () => {
    await service.invoke('query.run', { sql: 'create temp table t as select * from (values (2), (1), (3)) v(x)', session: 's1' });
    const handle = await service.invoke('query.run', { sql: 'select x from t', session: 's1' });
    const sorted = await service.invoke('query.sort', { resultId: handle.resultId, orderBy: [{ column: 0 }] });
    expect((await firstColumn(sorted.resultId))[0]).toEqual([1, 2, 3]);
  });

  it('refuses to sort the result of a statement that is not a single SELECT, saying why', async () => {
    for (const sql of ['create temp table u as select 1 as x', 'select 1 as x; select 2 as x']) {
      const handle = await service.invoke('query.run', { sql, session: 's2' });
      const outcome = await service.call('query.sort', { resultId: handle.resultId, orderBy: [{ column: 0 }] });
      expect(outcome).toMatchObject({ ok: false, error: { code: 'validation', message: expect.stringContaining('single SELECT') } });
    }
  });

  it('exports the whole result in its sorted order to CSV inside the project, reporting progress', async () => {
    const handle = await service.invoke('query.run', { sql: "select range as n, 'a,b' as s from range(100000)" });
    const sorted = await service.invoke('query.sort', { resultId: handle.resultId, orderBy: [{ column: 0, descending: true }] });
    const events: EventPayloads['progress'][] = [];
    const off = service.events.on('progress', (e) => events.push(e));
    const out = await service.invoke('query.export', { resultId: sorted.resultId, format: 'csv' }, { requestId: 'export-1' });
    off();
    expect(out.rows).toBe(100000);
    expect(out.projectPath).toMatch(/^exports\/result-\d{8}-\d{6}\.csv$/);
    const lines = readFileSync(out.path, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(100001);
    expect(lines.slice(0, 2)).toEqual(['n,s', '99999,"a,b"']);
    expect(events.filter((e) => e.requestId === 'export-1').map((e) => e.stage)).toEqual(expect.arrayContaining(['started', 'finished']));
    expect(existsSync(`${out.path}.partial`)).toBe(false);
  });

  it('exports to Parquet at a chosen name and refuses to overwrite it or to leave the project', async () => {
    const handle = await service.invoke('query.run', { sql: 'select range as n from range(1000)' });
    const out = await service.invoke('query.export', { resultId: handle.resultId, format: 'parquet', path: 'exports/numbers' });
    expect(out.projectPath).toBe('exports/numbers.parquet');
    const back = await service.invoke('query.run', { sql: `select count(*) as c, sum(n) as s from '${out.path}'` });
    expect((await firstColumn(back.resultId))).toEqual([[1000], [499500]]);
    expect(await service.call('query.export', { resultId: handle.resultId, format: 'parquet', path: 'exports/numbers' })).toMatchObject({ ok: false, error: { code: 'validation', message: expect.stringContaining('already exists') } });
    expect(await service.call('query.export', { resultId: handle.resultId, format: 'csv', path: '../escape.csv' })).toMatchObject({ ok: false, error: { code: 'validation', issues: [{ path: 'params.path' }] } });
    expect(await service.call('query.export', { resultId: handle.resultId, format: 'csv', path: '/tmp/escape.csv' })).toMatchObject({ ok: false, error: { code: 'validation' } });
  });

  it('charts every row of a small result and a bounded sample or per-x sum of a big one', async () => {
    const small = await service.invoke('query.run', { sql: "select * from (values ('b', 2), ('a', 1), ('c', '3')) v(k, v)" });
    expect(await service.invoke('query.chart', { resultId: small.resultId, x: 0, y: 1, kind: 'line' })).toEqual({ x: ['a', 'b', 'c'], y: [1, 2, 3], reduction: 'all', rowCount: 3 });
    const big = await service.invoke('query.run', { sql: 'select range % 10 as k, range as v from range(100000)' });
    const bars = await service.invoke('query.chart', { resultId: big.resultId, x: 0, y: 1, kind: 'bar', maxPoints: 50 });
    expect(bars.reduction).toBe('sum_per_x');
    expect(bars.x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(bars.y.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(4999950000);
    const points = await service.invoke('query.chart', { resultId: big.resultId, x: 1, y: 0, kind: 'point', maxPoints: 500 });
    expect(points.reduction).toBe('sample');
    expect(points.x.length).toBe(500);
  });
});

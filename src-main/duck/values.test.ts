import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckEngine } from './engine';
import { ResultStore } from './results';

let engine: DuckEngine;
let store: ResultStore;

beforeAll(async () => {
  engine = await DuckEngine.open();
  store = new ResultStore();
});
afterAll(async () => engine.close());

async function firstRow(sql: string) {
  const session = await engine.openSession();
  const handle = store.add(await session.run(sql), 0);
  const page = store.page(handle.resultId, 0, 1);
  await session.close();
  return Object.fromEntries(handle.columns.map((c, i) => [c.name, page.columns[i]?.[0]]));
}

describe('cell conversion', () => {
  it('keeps integers that fit a double as numbers and wider ones as exact strings', async () => {
    const row = await firstRow(
      'select 42 a, 9007199254740991::bigint b, 9007199254740993::bigint c, -9007199254740993::bigint d, 170141183460469231731687303715884105727::hugeint e, 18446744073709551615::ubigint f, 9007199254740992::bigint g, -9007199254740991::bigint h',
    );
    expect(row).toEqual({
      a: 42,
      b: 9007199254740991,
      c: '9007199254740993',
      d: '-9007199254740993',
      e: '170141183460469231731687303715884105727',
      f: '18446744073709551615',
      g: '9007199254740992',
      h: -9007199254740991,
    });
  });

  it('keeps decimals as numbers when exact and as strings beyond 2^53', async () => {
    const row = await firstRow('select 12.34::decimal(10,2) a, 1.50::decimal(4,2) b, 123456789012345678.12::decimal(20,2) c');
    expect(row).toEqual({ a: 12.34, b: 1.5, c: '123456789012345678.12' });
  });

  it('writes dates and timestamps as ISO strings', async () => {
    const row = await firstRow(
      "select date '2024-01-02' d, timestamp '2024-01-02 03:04:05.123456' ts, timestamptz '2024-01-02 03:04:05+02' tz, time '10:00:00' t",
    );
    expect(row).toEqual({ d: '2024-01-02', ts: '2024-01-02T03:04:05.123456', tz: '2024-01-02T01:04:05Z', t: '10:00:00' });
  });

  it('converts nested values with the same rules at every depth', async () => {
    const row = await firstRow("select [1, 2]::bigint[] l, {'a': 9007199254740993::bigint, 'd': date '2020-02-02'} s, 'nan'::double n");
    expect(row).toEqual({ l: [1, 2], s: { a: '9007199254740993', d: '2020-02-02' }, n: 'NaN' });
  });

  it('returns NULL as null', async () => {
    expect(await firstRow('select null::integer a, null::varchar b, null::bigint c')).toEqual({ a: null, b: null, c: null });
  });
});

describe('result paging', () => {
  it('returns exact windows across chunk boundaries, column-wise', async () => {
    const session = await engine.openSession();
    const handle = store.add(await session.run('select range as i, range * 2 as j from range(10000)'), 0);
    expect(handle.rowCount).toBe(10000);
    const page = store.page(handle.resultId, 2040, 20);
    expect(page.rowCount).toBe(20);
    expect(page.columns[0]).toEqual(Array.from({ length: 20 }, (_, k) => 2040 + k));
    expect(page.columns[1]).toEqual(Array.from({ length: 20 }, (_, k) => (2040 + k) * 2));
    const tail = store.page(handle.resultId, 9995, 100);
    expect(tail.rowCount).toBe(5);
    expect(tail.columns[0]).toEqual([9995, 9996, 9997, 9998, 9999]);
    expect(store.page(handle.resultId, 20000, 10).rowCount).toBe(0);
    await session.close();
  });

  it('forgets the oldest results beyond its capacity', async () => {
    const small = new ResultStore(2);
    const session = await engine.openSession();
    const a = small.add(await session.run('select 1'), 0);
    small.add(await session.run('select 2'), 0);
    small.add(await session.run('select 3'), 0);
    expect(() => small.page(a.resultId, 0, 1)).toThrow(/No result/);
    await session.close();
  });
});

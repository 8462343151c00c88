import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../testing/use-postgres';
import { openTestLake, type TestLake } from './testing/harness';

const pg = usePostgres();

async function scalar(connection: DuckDBConnection, sql: string): Promise<unknown> {
  return (await connection.runAndReadAll(sql)).getRows()[0]?.[0];
}

describe('a live attachment with a view cache file', () => {
  let t: TestLake;
  let cache: string;
  beforeEach(async () => {
    t = await openTestLake('duckdb');
    cache = path.join(t.dir, 'cache', 'views.duckdb');
    await t.lake.transaction(async (tx) => {
      tx.createSchema('s');
      await tx.createTableAs('s', 'a', 'SELECT range AS id FROM range(3)');
      await tx.createTableAs('s', 'b', 'SELECT range AS id FROM range(5)');
      tx.createView('s', 'v', 'SELECT count(*) AS n FROM s.b');
    });
  });
  afterEach(async () => {
    await t.close();
  });

  it('shows the same tables and views after a restart, and only what changed meanwhile is new', async () => {
    const c1 = await t.instance.connect();
    const first = await t.lake.attach(c1, 'lake', { viewCache: cache });
    expect(await scalar(c1, 'SELECT count(*) FROM lake.s.a')).toBe(3n);
    await first.detach();
    // The views stay in the file for the next process.
    const reader = await DuckDBInstance.create(cache, { access_mode: 'READ_ONLY' });
    const rc = await reader.connect();
    expect(await scalar(rc, "SELECT count(*) FROM duckdb_views() WHERE schema_name = 's'")).toBe(3n);
    rc.closeSync();
    reader.closeSync();

    // Changes while no attachment has the cache open.
    await t.lake.transaction(async (tx) => {
      await tx.append('s', 'a', 'SELECT 10 AS id');
      tx.dropView('s', 'v');
      tx.dropTable('s', 'b');
      await tx.createTableAs('s', 'c', 'SELECT 7 AS x');
    });

    const second = await t.lake.attach(c1, 'lake', { viewCache: cache });
    expect(await scalar(c1, 'SELECT count(*) FROM lake.s.a')).toBe(4n);
    expect(await scalar(c1, 'SELECT x FROM lake.s.c')).toBe(7);
    await expect(c1.run('SELECT * FROM lake.s.b')).rejects.toThrow(/does not exist/);
    await expect(c1.run('SELECT * FROM lake.s.v')).rejects.toThrow(/does not exist/);
    await second.detach();

    // Nothing changed: the cached views are used as they are, and a commit refreshes them.
    const third = await t.lake.attach(c1, 'lake', { viewCache: cache });
    expect(await scalar(c1, 'SELECT count(*) FROM lake.s.a')).toBe(4n);
    await t.lake.transaction(async (tx) => {
      await tx.append('s', 'c', 'SELECT 8 AS x');
    });
    expect(await scalar(c1, 'SELECT sum(x) FROM lake.s.c')).toBe(15n);
    await third.detach();
    c1.closeSync();
  });

  it('falls back to views in memory when the cache file is already in use', async () => {
    const c1 = await t.instance.connect();
    await t.lake.attach(c1, 'lake', { viewCache: cache });
    await t.lake.attach(c1, 'lake2', { viewCache: cache });
    expect(await scalar(c1, 'SELECT count(*) FROM lake2.s.b')).toBe(5n);
    expect(await scalar(c1, 'SELECT n FROM lake2.s.v')).toBe(5n);
    c1.closeSync();
  });
});

describe('a refresh after commits of another process (PostgreSQL catalog)', () => {
  let t: TestLake;
  beforeEach(async () => {
    t = await openTestLake('postgres', pg());
    await t.lake.attach(t.connection, 'lake');
  });
  afterEach(async () => {
    await t.close();
  });

  it('sees created, altered and dropped tables and views, and writes on top of them', async () => {
    const other = await t.reopen();
    await other.lake.transaction(async (tx) => {
      tx.createSchema('s');
      await tx.createTableAs('s', 'a', 'SELECT range AS id FROM range(3)');
      tx.createView('s', 'v', 'SELECT count(*) AS n FROM s.a');
    });
    await t.lake.refresh();
    expect(await scalar(t.connection, 'SELECT n FROM lake.s.v')).toBe(3n);
    await other.lake.transaction(async (tx) => {
      await tx.addColumn('s', 'a', { name: 'extra', type: 'INTEGER' });
      await tx.append('s', 'a', 'SELECT 9 AS id, 1 AS extra');
    });
    await other.lake.transaction(async (tx) => {
      await tx.createTableAs('s', 'b', 'SELECT 1 AS y');
      tx.dropView('s', 'v');
    });
    await t.lake.refresh();
    expect(await scalar(t.connection, 'SELECT sum(extra) FROM lake.s.a')).toBe(1n);
    expect(await scalar(t.connection, 'SELECT y FROM lake.s.b')).toBe(1);
    await expect(t.connection.run('SELECT * FROM lake.s.v')).rejects.toThrow(/does not exist/);
    // A write through this lake after the others' commits builds on their state.
    await t.lake.transaction(async (tx) => {
      await tx.append('s', 'b', 'SELECT 2 AS y');
    });
    expect(await scalar(t.connection, 'SELECT sum(y) FROM lake.s.b')).toBe(3n);
    await other.close();
  });
});

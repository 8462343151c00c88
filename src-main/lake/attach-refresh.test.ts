import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestLake, type TestLake } from './testing/harness';

async function scalar(connection: DuckDBConnection, sql: string): Promise<unknown> {
  return (await connection.runAndReadAll(sql)).getRows()[0]?.[0];
}

describe('refreshing a live attachment while commits land concurrently', () => {
  let t: TestLake;
  beforeEach(async () => {
    t = await openTestLake('duckdb');
    await t.lake.transaction((tx) => tx.createSchema('s'));
  });
  afterEach(async () => t.close());

  it('shows every committed table, binding commits that arrive during a refresh together', async () => {
    const connection = await t.instance.connect();
    await t.lake.attach(connection, 'lake');
    const lake = t.lake as unknown as { currentSnapshot(): Promise<number> };
    const looks = vi.spyOn(lake, 'currentSnapshot');
    const count = 12;
    await Promise.all(
      Array.from({ length: count }, (_, i) => t.lake.transaction((tx) => tx.createTableAs('s', `t${i}`, `SELECT ${i} AS v`))),
    );
    for (let i = 0; i < count; i++) expect(await scalar(connection, `SELECT v FROM lake.s.t${i}`)).toBe(i);
    // One look at the catalog per wave of commits, not one per commit.
    expect(looks.mock.calls.length).toBeLessThan(count);
    connection.closeSync();
  });
});

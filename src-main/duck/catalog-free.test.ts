import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { isCatalogFree } from './catalog-free';

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

describe('isCatalogFree', () => {
  it('accepts SELECTs of constants, expressions, VALUES and subqueries of those', async () => {
    for (const sql of ['select 1', 'SELECT 2 * 21 AS answer, [1, 2], abs(-3)', 'select 1; select 2', 'select * from (values (1), (2)) t(x) order by 1', 'select (select 1) + 1', 'select 1 union all select 2']) {
      expect(await isCatalogFree(connection, sql), sql).toBe(true);
    }
  });

  it('refuses anything that reads a table, a view, a file, a CTE or the catalog itself', async () => {
    for (const sql of [
      'select * from raw.events',
      'from t',
      'select 1 from t1 join t2 using (a)',
      'select x from (select 1 x) where x in (select y from u)',
      "select * from read_csv('x.csv')",
      'select * from duckdb_tables()',
      'with a as (select 1) select * from a',
      'select current_database()',
      'select current_schema()',
      "select current_setting('search_path')",
      "select nextval('s')",
      'select lake.main.f(1)',
      'show tables',
      'pragma version',
      'create table t (a int)',
      'select from where',
    ]) {
      expect(await isCatalogFree(connection, sql), sql).toBe(false);
    }
  });
});

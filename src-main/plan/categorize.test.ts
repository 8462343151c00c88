import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckEngine } from '../duck/engine';
import { categorizeQueryChange } from './categorize';

let engine: DuckEngine;
let connection: DuckDBConnection;
beforeAll(async () => {
  engine = await DuckEngine.open();
  connection = await engine.connect();
});
afterAll(async () => {
  connection.closeSync();
  await engine.close();
});

async function tree(sql: string): Promise<unknown> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  return (JSON.parse(String(reader.getRows()[0]?.[0])) as { statements: unknown }).statements;
}

async function category(before: string, after: string) {
  return categorizeQueryChange(await tree(before), await tree(after));
}

const BASE = 'select borough, count(*) as n from collisions where injured > 0 group by borough';

describe('automatic change categories', () => {
  it.each([
    ['a column added at the end', 'select borough, count(*) as n, sum(killed) as k from collisions where injured > 0 group by borough'],
    ['a column added in the middle', 'select borough, max(ts) as last_ts, count(*) as n from collisions where injured > 0 group by borough'],
    ['formatting and comments only', '-- note\nSELECT borough,\n  COUNT(*) AS n -- count\nFROM collisions WHERE injured > 0 GROUP BY borough'],
  ])('%s is non-breaking', async (_label, after) => {
    expect(await category(BASE, after)).toBe('non_breaking');
  });

  it.each([
    ['a changed expression', 'select borough, count(distinct id) as n from collisions where injured > 0 group by borough'],
    ['a changed filter', 'select borough, count(*) as n from collisions where injured > 1 group by borough'],
    ['a removed column', 'select borough from collisions where injured > 0 group by borough'],
    ['a renamed column', 'select borough, count(*) as cnt from collisions where injured > 0 group by borough'],
    ['a new join', 'select borough, count(*) as n from collisions join b using (borough) where injured > 0 group by borough'],
  ])('%s is breaking', async (_label, after) => {
    expect(await category(BASE, after)).toBe('breaking');
  });

  it('treats a column added inside a CTE or as a scalar subquery as non-breaking', async () => {
    expect(await category('with c as (select a from t) select * from c', 'with c as (select a, b from t) select * from c')).toBe('non_breaking');
    expect(await category('select a from t', 'select a, (select max(x) from u) as mx from t')).toBe('non_breaking');
  });

  it('treats an added column that changes existing rows as breaking', async () => {
    expect(await category('select distinct a from t', 'select distinct a, b from t')).toBe('breaking');
    expect(await category('select a, count(*) from t group by all', 'select a, b, count(*) from t group by all')).toBe('breaking');
    expect(await category('select a, b from t order by 2', 'select a, c, b from t order by 2')).toBe('breaking');
    expect(await category('select a, b from t order by 2', 'select a, b, c from t order by 2')).toBe('non_breaking');
  });
});

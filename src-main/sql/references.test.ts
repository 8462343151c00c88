import { describe, expect, it } from 'vitest';
import { referencedNames, tableReferences } from './references';
import { firstStatement, useParser } from './test-parser';

const parser = useParser();

const statement = (sql: string) => firstStatement(parser, sql);

const cases: { name: string; sql: string; expected: string[] }[] = [
  { name: 'a plain FROM table', sql: 'SELECT a FROM t', expected: ['t'] },
  { name: 'schema- and catalog-qualified names', sql: 'SELECT 1 FROM lake.marts.orders, staging.customers', expected: ['lake.marts.orders', 'staging.customers'] },
  { name: 'both sides of joins', sql: 'SELECT 1 FROM a JOIN b ON a.k = b.k LEFT JOIN c USING (k)', expected: ['a', 'b', 'c'] },
  { name: 'tables inside CTEs but not the CTE names', sql: 'WITH x AS (SELECT * FROM src), y AS (SELECT * FROM x) SELECT * FROM y JOIN other USING (id)', expected: ['src', 'other'] },
  { name: 'a qualified name equal to a CTE name as a real table', sql: 'WITH x AS (SELECT 1) SELECT * FROM x, s.x', expected: ['s.x'] },
  { name: 'a CTE name used before its definition as a real table', sql: 'WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a', expected: ['b'] },
  { name: 'the recursive CTE itself excluded', sql: 'WITH RECURSIVE r(n) AS (SELECT n FROM seed UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r', expected: ['seed'] },
  { name: 'derived tables', sql: 'SELECT * FROM (SELECT * FROM inner_t) d', expected: ['inner_t'] },
  { name: 'subqueries in WHERE and the select list', sql: 'SELECT (SELECT max(x) FROM m) FROM t WHERE EXISTS (SELECT 1 FROM e) AND a IN (SELECT a FROM f)', expected: ['m', 't', 'e', 'f'] },
  { name: 'subqueries in a join condition', sql: 'SELECT 1 FROM a JOIN b ON a.k = (SELECT min(k) FROM c)', expected: ['a', 'b', 'c'] },
  { name: 'every branch of set operations', sql: 'SELECT a FROM p UNION SELECT a FROM q EXCEPT SELECT a FROM r', expected: ['p', 'q', 'r'] },
  { name: 'no table functions', sql: "SELECT * FROM read_parquet('x.parquet'), range(10), unnest([1, 2])", expected: [] },
  { name: 'CTEs nested in a subquery scope', sql: 'SELECT * FROM (WITH z AS (SELECT * FROM base) SELECT * FROM z) q, z', expected: ['base', 'z'] },
];

describe('tableReferences', () => {
  for (const c of cases) {
    it(`finds ${c.name}`, async () => {
      expect(referencedNames(await statement(c.sql)).sort()).toEqual([...c.expected].sort());
    });
  }

  it('gives each reference its offset in the SQL text', async () => {
    const sql = 'SELECT 1 FROM alpha JOIN beta USING (k)';
    expect(tableReferences(await statement(sql))).toEqual([
      { name: 'alpha', offset: sql.indexOf('alpha') },
      { name: 'beta', offset: sql.indexOf('beta') },
    ]);
  });
});

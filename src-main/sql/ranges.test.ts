import { describe, expect, it } from 'vitest';
import type { SelectNode } from './ast';
import { SourceText } from './ranges';
import { useParser } from './test-parser';

const parser = useParser();

async function selectNode(sql: string): Promise<SelectNode> {
  const result = await parser.parse(sql);
  if (!result.ok) throw new Error(result.message);
  return result.statements[0]?.node as SelectNode;
}

async function itemTexts(sql: string): Promise<(string | undefined)[]> {
  const text = new SourceText(sql);
  return text.selectItemRanges(await selectNode(sql)).map((r) => (r ? text.slice(r) : undefined));
}

describe('SourceText', () => {
  it('finds each select item without its alias', async () => {
    expect(await itemTexts('SELECT a, b + 1 AS c, coalesce(x, y) z, "Q"."w" FROM t')).toEqual(['a', 'b + 1', 'coalesce(x, y)', '"Q"."w"']);
  });

  it('keeps brackets, literals, casts and CASE whole, across lines and comments', async () => {
    const sql = `SELECT DISTINCT
      (a + b) * 2 AS s, -- a comment, with a comma
      [1, 2] AS l, {'k': 1} AS st, INTERVAL 1 DAY AS i, DATE '2020-01-01' AS d,
      CASE WHEN a > 1 THEN 'x, y' ELSE 'z' END AS c, a::INT AS n,
      sum(b) OVER (PARTITION BY a ORDER BY b) AS w
    FROM t`;
    expect(await itemTexts(sql)).toEqual([
      '(a + b) * 2',
      '[1, 2]',
      "{'k': 1}",
      'INTERVAL 1 DAY',
      "DATE '2020-01-01'",
      "CASE WHEN a > 1 THEN 'x, y' ELSE 'z' END",
      'a::INT',
      'sum(b) OVER (PARTITION BY a ORDER BY b)',
    ]);
  });

  it('gives offsets that point into the original text after non-ASCII characters', async () => {
    const sql = "SELECT 'é€' AS e, upper(name) AS n FROM t";
    expect(await itemTexts(sql)).toEqual(["'é€'", 'upper(name)']);
  });

  it('handles prefix aliases, scalar subqueries and a select list ended by a closing bracket', async () => {
    const sql = 'SELECT * FROM (SELECT total: a + b, (SELECT max(x) FROM u) AS m FROM t) q';
    const text = new SourceText(sql);
    const outer = await selectNode(sql);
    const inner = (outer.from_table as unknown as { subquery: { node: SelectNode } }).subquery.node;
    expect(text.selectItemRanges(inner).map((r) => (r ? text.slice(r) : r))).toEqual(['a + b', '(SELECT max(x) FROM u)']);
  });

  it('handles FROM-first queries, DISTINCT ON and a trailing comma', async () => {
    expect(await itemTexts('FROM t SELECT a + 1 AS x, b')).toEqual(['a + 1', 'b']);
    expect(await itemTexts('SELECT DISTINCT ON (a) a, b AS "B" FROM t')).toEqual(['a', 'b']);
    expect(await itemTexts('SELECT a, b, FROM t')).toEqual(['a', 'b']);
    expect(await itemTexts('SELECT a IS DISTINCT FROM b AS d, left(s, 2) AS l FROM t')).toEqual(['a IS DISTINCT FROM b', 'left(s, 2)']);
  });

  it('finds the expression of WHERE, ON and GROUP BY clauses', async () => {
    const sql = 'SELECT a FROM t JOIN u ON t.k = u.k AND u.x > 0 LEFT JOIN v USING (k) WHERE t.y IN (1, 2) AND t.z GROUP BY a, t.y HAVING count(*) > 1';
    const node = await selectNode(sql);
    const text = new SourceText(sql);
    const join = node.from_table as unknown as { left: { condition: never } };
    const where = node.where_clause;
    const having = node.having;
    if (!where || !having) throw new Error('clauses missing');
    expect(text.slice(text.clauseRange(join.left.condition, 'ON') ?? { start: 0, end: 0 })).toBe('t.k = u.k AND u.x > 0');
    expect(text.slice(text.clauseRange(where, 'WHERE') ?? { start: 0, end: 0 })).toBe('t.y IN (1, 2) AND t.z');
    expect(text.slice(text.clauseRange(node.group_expressions[0] as never, 'BY') ?? { start: 0, end: 0 })).toBe('a, t.y');
    expect(text.slice(text.clauseRange(having, 'HAVING') ?? { start: 0, end: 0 })).toBe('count(*) > 1');
  });
});

/**
 * Lineage corpus: nested data as DuckDB documents it: struct fields (`s.a`, `s['a']`,
 * struct_extract), list indexing and slicing, maps, unnest in the select list and in FROM,
 * lambdas and list comprehensions. A field of a struct is read from the struct column.
 */
import type { Case } from './case';

export const nested: Case[] = [
  { name: 'a struct field with a dot', sql: 'SELECT s.a AS a FROM docs', columns: { a: ['docs.s'] } },
  { name: 'a nested struct field', sql: 'SELECT s.b.c AS c FROM docs', columns: { c: ['docs.s'] } },
  { name: 'a qualified nested struct field named after the field', sql: 'SELECT d.s.b.c FROM docs d', columns: { c: ['docs.s'] } },
  { name: 'a struct field with brackets', sql: "SELECT s['a'] AS a FROM docs", columns: { a: ['docs.s'] } },
  { name: 'struct_extract', sql: "SELECT struct_extract(s, 'a') AS a FROM docs", columns: { a: ['docs.s'] } },
  { name: 'list indexing and slicing', sql: 'SELECT l[1] AS first, l[2:3] AS mid, l[-1] AS last FROM docs', columns: { first: ['docs.l'], mid: ['docs.l'], last: ['docs.l'] } },
  { name: 'a map lookup', sql: "SELECT m['x'] AS x, map_keys(m) AS ks FROM docs", columns: { x: ['docs.m'], ks: ['docs.m'] } },
  { name: 'unnest alone in the select list', sql: 'SELECT unnest(l) AS v FROM docs', columns: { v: ['docs.l'] } },
  { name: 'unnest beside another column: the list decides the rows', sql: 'SELECT id, unnest(l) AS v FROM docs', columns: { id: ['docs.id', '~docs.l'], v: ['docs.l'] } },
  { name: 'fields of unnested structs', sql: 'SELECT v.k, v.v FROM (SELECT unnest(ls) AS v FROM docs)', columns: { k: ['docs.ls'], v: ['docs.ls'] } },
  { name: 'unnest in FROM joined laterally', sql: 'SELECT id, t.x FROM docs, unnest(l) AS t(x)', columns: { id: ['docs.id', '~docs.l'], x: ['docs.l'] } },
  { name: 'unnest in FROM with CROSS JOIN LATERAL', sql: 'SELECT d.id, t.x FROM docs d CROSS JOIN LATERAL unnest(d.l) AS t(x)', columns: { id: ['docs.id', '~docs.l'], x: ['docs.l'] } },
  { name: 'unnest in FROM under a WHERE', sql: 'SELECT x FROM docs, unnest(l) t(x) WHERE id > 1', columns: { x: ['docs.l', '~docs.id'] } },
  { name: 'a lambda reading an outer column', sql: 'SELECT list_transform(l, x -> x * id) AS scaled FROM docs', columns: { scaled: ['docs.id', 'docs.l'] } },
  { name: 'list_filter with a lambda', sql: 'SELECT list_filter(l, x -> x > 1) AS pos FROM docs', columns: { pos: ['docs.l'] } },
  { name: 'a list comprehension', sql: 'SELECT [x * 2 FOR x IN l] AS dbl FROM docs', columns: { dbl: ['docs.l'] } },
  { name: 'len and a list built from columns', sql: 'SELECT len(l) AS n, [id, id * 2] AS pair FROM docs', columns: { n: ['docs.l'], pair: ['docs.id'] } },
  { name: 'unnest of a list built from a column', sql: 'SELECT unnest([id, id * 2]) AS v FROM docs', columns: { v: ['docs.id'] } },
  { name: 'unnest of a constant list in FROM', sql: 'SELECT x FROM unnest([1, 2, 3]) AS t(x)', columns: { x: [] } },
  { name: 'a struct field in WHERE', sql: 'SELECT id FROM docs WHERE s.a > 1', columns: { id: ['docs.id', '~docs.s'] } },
  { name: 'a struct field through a CTE', sql: 'WITH x AS (SELECT s AS st FROM docs) SELECT st.b.c AS c FROM x', columns: { c: ['docs.s'] } },
  { name: 'a star over a struct column reads that column, its fields unknown', sql: 'SELECT s.* FROM docs', runs: false, columns: { 's.*': { deps: ['docs.s'], unknown: 'fields of struct column "s"' } } },
  { name: 'list_aggregate over a list column', sql: "SELECT list_aggregate(l, 'sum') AS total FROM docs", columns: { total: ['docs.l'] } },
  { name: 'a struct built from a star of a derived table', sql: "SELECT {'id': t.id, 'n': t.n} AS s FROM (SELECT id, len(l) AS n FROM docs) t", columns: { s: ['docs.id', 'docs.l'] } },
];

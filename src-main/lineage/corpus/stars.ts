/**
 * Lineage corpus: star expressions as DuckDB documents them (SELECT clause, star expressions,
 * COLUMNS): `*`, `t.*`, EXCLUDE, REPLACE, RENAME, COLUMNS with a regex, a list or a lambda,
 * COLUMNS inside expressions and in WHERE, regex group aliases, ORDER BY ALL.
 */
import type { Case } from './case';

const M = ['~metrics.m1', '~metrics.m2', '~metrics.m3'];

export const stars: Case[] = [
  { name: '* EXCLUDE one column', sql: 'SELECT * EXCLUDE (id) FROM payments', columns: { order_id: ['payments.order_id'], amount: ['payments.amount'], method: ['payments.method'] } },
  { name: '* EXCLUDE a qualified column', sql: 'SELECT * EXCLUDE (p.id) FROM payments p', columns: { order_id: ['payments.order_id'], amount: ['payments.amount'], method: ['payments.method'] } },
  { name: '* REPLACE with a function of the same column', sql: 'SELECT * REPLACE (upper(method) AS method) FROM payments', columns: { id: ['payments.id'], order_id: ['payments.order_id'], amount: ['payments.amount'], method: ['payments.method'] } },
  { name: '* REPLACE two columns, one from two others', sql: 'SELECT * REPLACE (amount * 2 AS amount, id + order_id AS id) FROM payments', columns: { id: ['payments.id', 'payments.order_id'], order_id: ['payments.order_id'], amount: ['payments.amount'], method: ['payments.method'] } },
  { name: '* RENAME one column', sql: 'SELECT * RENAME (method AS pay_method) FROM payments', columns: { id: ['payments.id'], order_id: ['payments.order_id'], amount: ['payments.amount'], pay_method: ['payments.method'] } },
  { name: '* EXCLUDE and RENAME together', sql: 'SELECT * EXCLUDE (amount) RENAME (method AS m) FROM payments', columns: { id: ['payments.id'], order_id: ['payments.order_id'], m: ['payments.method'] } },
  { name: 'COLUMNS with an anchored regex', sql: "SELECT COLUMNS('^m') FROM metrics", columns: { m1: ['metrics.m1'], m2: ['metrics.m2'], m3: ['metrics.m3'] } },
  { name: 'COLUMNS in arithmetic', sql: "SELECT COLUMNS('m\\d') * 2 FROM metrics", columns: { m1: ['metrics.m1'], m2: ['metrics.m2'], m3: ['metrics.m3'] } },
  { name: 'COLUMNS with a LIKE lambda', sql: "SELECT COLUMNS(c -> c LIKE 'm%') FROM metrics", columns: { m1: ['metrics.m1'], m2: ['metrics.m2'], m3: ['metrics.m3'] } },
  { name: 'COLUMNS with a NOT LIKE lambda', sql: "SELECT COLUMNS(c -> c NOT LIKE 'm%') FROM metrics", columns: { id: ['metrics.id'], label: ['metrics.label'] } },
  { name: 'COLUMNS with a list of names', sql: "SELECT COLUMNS(['id', 'label']) FROM metrics", columns: { id: ['metrics.id'], label: ['metrics.label'] } },
  { name: 'COLUMNS with an IN lambda', sql: "SELECT COLUMNS(c -> c IN ('id', 'label')) FROM metrics", columns: { id: ['metrics.id'], label: ['metrics.label'] } },
  { name: 'COLUMNS(*) is every column', sql: 'SELECT COLUMNS(*) FROM payments', columns: { id: ['payments.id'], order_id: ['payments.order_id'], amount: ['payments.amount'], method: ['payments.method'] } },
  { name: 'an aggregate over COLUMNS(*)', sql: 'SELECT max(COLUMNS(*)) FROM metrics', columns: { id: ['metrics.id'], m1: ['metrics.m1'], m2: ['metrics.m2'], m3: ['metrics.m3'], label: ['metrics.label'] } },
  { name: 'an aggregate over COLUMNS(* EXCLUDE ...)', sql: 'SELECT min(COLUMNS(* EXCLUDE (id, label))) FROM metrics', columns: { m1: ['metrics.m1'], m2: ['metrics.m2'], m3: ['metrics.m3'] } },
  { name: 'COLUMNS combined with another column', sql: "SELECT id, COLUMNS('m[12]') + m3 FROM metrics", columns: { id: ['metrics.id'], m1: ['metrics.m1', 'metrics.m3'], m2: ['metrics.m2', 'metrics.m3'] } },
  { name: 'COLUMNS in WHERE filters by every matched column', sql: "SELECT id, label FROM metrics WHERE COLUMNS('m\\d') > 0", columns: { id: ['metrics.id', ...M], label: ['metrics.label', ...M] } },
  { name: 'a COLUMNS regex group renames the columns', sql: "SELECT COLUMNS('(.*)_id') AS '\\1' FROM orders", columns: { customer: ['orders.customer_id'] } },
  { name: 'a COLUMNS regex group names aggregates', sql: "SELECT min(COLUMNS('m(\\d)')) AS 'min_\\1' FROM metrics", columns: { min_1: ['metrics.m1'], min_2: ['metrics.m2'], min_3: ['metrics.m3'] } },
  { name: 'a qualified star with EXCLUDE over a join', sql: 'SELECT o.* EXCLUDE (status, created_at), p.method FROM orders o JOIN payments p ON p.order_id = o.id', columns: {
    id: ['orders.id', '~payments.order_id'], customer_id: ['orders.customer_id', '~orders.id', '~payments.order_id'], amount: ['orders.amount', '~orders.id', '~payments.order_id'], method: ['payments.method', '~orders.id', '~payments.order_id'],
  } },
  { name: 'a star followed by a computed column', sql: 'SELECT *, amount * 2 AS doubled FROM payments', columns: { id: ['payments.id'], order_id: ['payments.order_id'], amount: ['payments.amount'], method: ['payments.method'], doubled: ['payments.amount'] } },
  { name: 'a COLUMNS LIKE lambda over letters', sql: "SELECT COLUMNS(c -> c LIKE '%r%') FROM sales", columns: { region: ['sales.region'], quarter: ['sales.quarter'], year: ['sales.year'] } },
  { name: 'ORDER BY ALL with LIMIT: every column decides the rows', sql: 'SELECT method, amount FROM payments ORDER BY ALL LIMIT 3', columns: { method: ['payments.method', '~payments.amount'], amount: ['payments.amount', '~payments.method'] } },
  { name: 'a star over a star over a CTE with REPLACE', sql: 'WITH w AS (SELECT * REPLACE (amount / 100 AS amount) FROM payments) SELECT * EXCLUDE (order_id) FROM w', columns: { id: ['payments.id'], amount: ['payments.amount'], method: ['payments.method'] } },
  { name: 'FROM-first without SELECT is a star', sql: 'FROM payments', columns: { id: ['payments.id'], order_id: ['payments.order_id'], amount: ['payments.amount'], method: ['payments.method'] } },
  { name: 'FROM-first with a select list', sql: 'FROM payments SELECT method, amount + 1 AS a1', columns: { method: ['payments.method'], a1: ['payments.amount'] } },
  { name: 'a struct packed from columns', sql: 'SELECT struct_pack(id, amount) AS s FROM payments', columns: { s: ['payments.amount', 'payments.id'] } },
  { name: 'a struct literal keyed by names', sql: "SELECT {'k': id, 'v': method} AS kv FROM payments", columns: { kv: ['payments.id', 'payments.method'] } },
  { name: 'a star over a joined derived table with USING', sql: 'SELECT * FROM (SELECT id, method FROM payments) a JOIN (SELECT id, status FROM orders) b USING (id)', columns: {
    id: ['payments.id', '~orders.id'], method: ['payments.method', '~orders.id', '~payments.id'], status: ['orders.status', '~orders.id', '~payments.id'],
  } },
  { name: 'COLUMNS with a lambda over a derived table', sql: "SELECT COLUMNS(c -> c LIKE '%total%') FROM (SELECT customer_id, sum(amount) AS total, max(amount) AS max_total FROM orders GROUP BY customer_id)", columns: {
    total: ['orders.amount', '~orders.customer_id'], max_total: ['orders.amount', '~orders.customer_id'],
  } },
];

/**
 * Lineage corpus: the clauses of DuckDB's SELECT beyond the basics: lateral column aliases,
 * aliases in WHERE / GROUP BY / HAVING, GROUP BY ALL, ORDER BY ALL, QUALIFY, grouping sets,
 * DISTINCT, window frames, ordered aggregates.
 */
import type { Case } from './case';

export const clauses: Case[] = [
  { name: 'a lateral alias used by the next item', sql: 'SELECT amount * 2 AS doubled, doubled + 1 AS plus_one FROM payments', columns: { doubled: ['payments.amount'], plus_one: ['payments.amount'] } },
  { name: 'a chain of lateral aliases', sql: 'SELECT id AS k, k * 2 AS k2, k2 + k AS k3 FROM payments', columns: { k: ['payments.id'], k2: ['payments.id'], k3: ['payments.id'] } },
  { name: 'a lateral alias over a relation whose columns are unknown', sql: 'SELECT amount * 2 AS doubled, doubled + 1 AS plus_one FROM mystery', runs: false, columns: { doubled: ['mystery.amount'], plus_one: ['mystery.amount'] } },
  { name: 'a lateral alias in a CTE read by name', sql: 'WITH x AS (SELECT amount AS a, a * id AS b FROM payments) SELECT b FROM x', columns: { b: ['payments.amount', 'payments.id'] } },
  { name: 'a select alias in WHERE', sql: 'SELECT amount * 2 AS doubled FROM payments WHERE doubled > 10', columns: { doubled: ['payments.amount'] } },
  { name: 'a select alias in WHERE filters another column', sql: 'SELECT id, amount * 2 AS doubled FROM payments WHERE doubled > 10', columns: { id: ['payments.id', '~payments.amount'], doubled: ['payments.amount'] } },
  { name: 'a select alias in GROUP BY', sql: 'SELECT method AS m, count(*) AS n FROM payments GROUP BY m', columns: { m: ['payments.method'], n: ['~payments.method'] } },
  { name: 'GROUP BY ALL with ORDER BY ALL', sql: 'SELECT method, sum(amount) AS total FROM payments GROUP BY ALL ORDER BY ALL', columns: { method: ['payments.method'], total: ['payments.amount', '~payments.method'] } },
  { name: 'GROUP BY ALL over an expression', sql: "SELECT date_trunc('day', created_at) AS day, status, count(*) AS n FROM orders GROUP BY ALL", columns: {
    day: ['orders.created_at', '~orders.status'], status: ['orders.status', '~orders.created_at'], n: ['~orders.created_at', '~orders.status'],
  } },
  { name: 'GROUP BY ALL with a filtered aggregate', sql: 'SELECT status, count(*) FILTER (WHERE amount > 5) AS big FROM orders GROUP BY ALL', columns: { status: ['orders.status'], big: ['~orders.amount', '~orders.status'] } },
  { name: 'GROUP BY ALL with HAVING on an aggregate alias', sql: 'SELECT customer_id, sum(amount) AS total FROM orders GROUP BY ALL HAVING total > 100', columns: { customer_id: ['orders.customer_id', '~orders.amount'], total: ['orders.amount', '~orders.customer_id'] } },
  { name: 'QUALIFY on a rank alias', sql: 'SELECT id, amount, rank() OVER (ORDER BY amount DESC) AS r FROM payments QUALIFY r <= 3', columns: { id: ['payments.id', '~payments.amount'], amount: ['payments.amount'], r: ['~payments.amount'] } },
  { name: 'QUALIFY keeping the first row per key', sql: 'SELECT order_id, amount FROM payments QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY amount DESC) = 1', columns: { order_id: ['payments.order_id', '~payments.amount'], amount: ['payments.amount', '~payments.order_id'] } },
  { name: 'QUALIFY with a named window', sql: 'SELECT id FROM orders WINDOW w AS (PARTITION BY status ORDER BY created_at) QUALIFY row_number() OVER w = 1', columns: { id: ['orders.id', '~orders.created_at', '~orders.status'] } },
  { name: 'GROUPING SETS', sql: 'SELECT status, customer_id, count(*) AS n FROM orders GROUP BY GROUPING SETS ((status), (customer_id))', columns: {
    status: ['orders.status', '~orders.customer_id'], customer_id: ['orders.customer_id', '~orders.status'], n: ['~orders.customer_id', '~orders.status'],
  } },
  { name: 'GROUP BY CUBE', sql: 'SELECT status, sum(amount) AS s FROM orders GROUP BY CUBE (status)', columns: { status: ['orders.status'], s: ['orders.amount', '~orders.status'] } },
  { name: 'DISTINCT over one column', sql: 'SELECT DISTINCT status FROM orders', columns: { status: ['orders.status'] } },
  { name: 'DISTINCT over two columns: each decides the other’s rows', sql: 'SELECT DISTINCT status, customer_id FROM orders', columns: { status: ['orders.status', '~orders.customer_id'], customer_id: ['orders.customer_id', '~orders.status'] } },
  { name: 'LIMIT alone reads no column', sql: 'SELECT id FROM orders LIMIT 5', columns: { id: ['orders.id'] } },
  { name: 'a moving average with a frame', sql: 'SELECT id, avg(amount) OVER (ORDER BY created_at ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS ma FROM orders', columns: { id: ['orders.id'], ma: ['orders.amount', '~orders.created_at'] } },
  { name: 'lead with an offset and a default', sql: 'SELECT id, lead(amount, 1, 0) OVER (PARTITION BY customer_id ORDER BY created_at) AS nxt FROM orders', columns: { id: ['orders.id'], nxt: ['orders.amount', '~orders.created_at', '~orders.customer_id'] } },
  { name: 'arg_max reads both arguments', sql: 'SELECT customer_id, arg_max(status, created_at) AS last_status FROM orders GROUP BY customer_id', columns: { customer_id: ['orders.customer_id'], last_status: ['orders.created_at', 'orders.status', '~orders.customer_id'] } },
  { name: 'an ordered list aggregate', sql: 'SELECT list(amount ORDER BY created_at) AS amounts FROM orders', columns: { amounts: ['orders.amount', 'orders.created_at'] } },
  { name: 'count DISTINCT under a WHERE', sql: "SELECT count(DISTINCT customer_id) AS n FROM orders WHERE status = 'paid'", columns: { n: ['orders.customer_id', '~orders.status'] } },
  { name: 'a CASE over an aggregate', sql: "SELECT status, CASE WHEN sum(amount) > 100 THEN 'big' ELSE 'small' END AS size FROM orders GROUP BY status", columns: { status: ['orders.status'], size: ['orders.amount', '~orders.status'] } },
  { name: 'a window over an aggregate', sql: 'SELECT status, sum(amount) AS s, rank() OVER (ORDER BY sum(amount) DESC) AS r FROM orders GROUP BY status', columns: { status: ['orders.status'], s: ['orders.amount', '~orders.status'], r: ['~orders.amount', '~orders.status'] } },
  { name: 'a scalar subquery in HAVING', sql: 'SELECT customer_id FROM orders GROUP BY customer_id HAVING sum(amount) > (SELECT avg(amount) FROM payments)', columns: { customer_id: ['orders.customer_id', '~orders.amount', '~payments.amount'] } },
  { name: 'an IN list in WHERE', sql: "SELECT id FROM orders WHERE status IN ('a', 'b') AND amount BETWEEN 1 AND 10", columns: { id: ['orders.id', '~orders.amount', '~orders.status'] } },
  { name: 'a positional reference in ORDER BY with LIMIT', sql: 'SELECT id, amount FROM orders ORDER BY 2 DESC LIMIT 1', columns: { id: ['orders.id', '~orders.amount'], amount: ['orders.amount'] } },
  { name: 'OFFSET without ORDER BY reads no column', sql: 'SELECT id FROM orders LIMIT 5 OFFSET 2', columns: { id: ['orders.id'] } },
];

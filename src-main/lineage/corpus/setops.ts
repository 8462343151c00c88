/**
 * Lineage corpus: recursive CTEs and set operations as DuckDB documents them (WITH RECURSIVE,
 * UNION [ALL] [BY NAME], EXCEPT, INTERSECT, nesting).
 */
import type { Case } from './case';

export const setops: Case[] = [
  { name: 'a recursive counter reads no column', sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT n FROM t', columns: { n: [] } },
  { name: 'a recursive walk down a hierarchy', sql: 'WITH RECURSIVE sub(id, manager_id) AS (SELECT id, manager_id FROM employees WHERE id = 1 UNION SELECT e.id, e.manager_id FROM employees e JOIN sub s ON e.manager_id = s.id) SELECT id FROM sub', columns: { id: ['employees.id', '~employees.manager_id'] } },
  { name: 'a recursive path as a list', sql: 'WITH RECURSIVE p(id, path) AS (SELECT id, [name] FROM employees WHERE manager_id IS NULL UNION ALL SELECT e.id, list_append(p.path, e.name) FROM employees e JOIN p ON e.manager_id = p.id) SELECT path FROM p', columns: {
    path: ['employees.name', '~employees.id', '~employees.manager_id'],
  } },
  { name: 'UNION BY NAME without ALL: duplicates go, so every column decides rows', sql: 'SELECT id, method FROM payments UNION BY NAME SELECT id, status FROM orders', columns: {
    id: ['orders.id', 'payments.id', '~orders.status', '~payments.method'], method: ['payments.method', '~orders.id', '~orders.status', '~payments.id'], status: ['orders.status', '~orders.id', '~payments.id', '~payments.method'],
  } },
  { name: 'UNION ALL BY NAME with different columns', sql: 'SELECT id, method FROM payments UNION ALL BY NAME SELECT id, status FROM orders', columns: { id: ['orders.id', 'payments.id'], method: ['payments.method'], status: ['orders.status'] } },
  { name: 'UNION without ALL over two columns', sql: 'SELECT id, amount FROM orders UNION SELECT order_id, amount FROM payments', columns: {
    id: ['orders.id', 'payments.order_id', '~orders.amount', '~payments.amount'], amount: ['orders.amount', 'payments.amount', '~orders.id', '~payments.order_id'],
  } },
  { name: 'UNION ALL BY NAME of two stars', sql: 'SELECT * FROM payments UNION ALL BY NAME SELECT * FROM orders', columns: {
    id: ['orders.id', 'payments.id'], order_id: ['payments.order_id'], amount: ['orders.amount', 'payments.amount'], method: ['payments.method'],
    customer_id: ['orders.customer_id'], status: ['orders.status'], created_at: ['orders.created_at'],
  } },
  { name: 'UNION of two differently named columns takes the left name', sql: 'SELECT method FROM payments UNION SELECT status FROM orders', columns: { method: ['orders.status', 'payments.method'] } },
  { name: 'EXCEPT ALL', sql: 'SELECT customer_id FROM orders EXCEPT ALL SELECT id FROM customers', columns: { customer_id: ['orders.customer_id', '~customers.id'] } },
  { name: 'INTERSECT ALL', sql: 'SELECT id FROM orders INTERSECT ALL SELECT order_id FROM payments', columns: { id: ['orders.id', '~payments.order_id'] } },
  { name: 'a union then an except, parenthesized', sql: '(SELECT id FROM orders UNION ALL SELECT id FROM payments) EXCEPT SELECT id FROM customers', columns: { id: ['orders.id', 'payments.id', '~customers.id'] } },
  { name: 'an aggregate over a union in a CTE', sql: 'WITH u AS (SELECT amount FROM orders UNION ALL SELECT amount FROM payments) SELECT sum(amount) AS total FROM u', columns: { total: ['orders.amount', 'payments.amount'] } },
  { name: 'a union with a filtered branch and a constant', sql: "SELECT id, 'order' AS kind FROM orders WHERE amount > 0 UNION ALL SELECT id, 'payment' FROM payments", columns: { id: ['orders.id', 'payments.id', '~orders.amount'], kind: ['~orders.amount'] } },
  { name: 'a recursive CTE beside a plain one', sql: 'WITH RECURSIVE base AS (SELECT id, manager_id FROM employees), r(id, depth) AS (SELECT id, 0 FROM base WHERE manager_id IS NULL UNION ALL SELECT b.id, r.depth + 1 FROM base b JOIN r ON b.manager_id = r.id) SELECT id, depth FROM r', columns: {
    id: ['employees.id', '~employees.manager_id'], depth: ['~employees.id', '~employees.manager_id'],
  } },
];

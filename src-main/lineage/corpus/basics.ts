/** Lineage corpus: the basic forms (columns, filters, joins, stars, CTEs, aggregates, windows, subqueries, set operations). */
import type { Case } from './case';

export const basics: Case[] = [
  // Plain columns, aliases, expressions
  { name: 'a plain column', sql: 'SELECT id FROM orders', columns: { id: ['orders.id'] } },
  { name: 'an aliased column', sql: 'SELECT amount AS total FROM orders', columns: { total: ['orders.amount'] } },
  { name: 'arithmetic over two columns', sql: 'SELECT amount * 2 + id AS x FROM orders', columns: { x: ['orders.amount', 'orders.id'] } },
  { name: 'constants have no upstream', sql: "SELECT 1 AS one, 'x' AS s FROM orders", columns: { one: [], s: [] } },
  { name: 'columns qualified by a table alias', sql: 'SELECT o.id, o.amount FROM orders o', columns: { id: ['orders.id'], amount: ['orders.amount'] } },
  { name: 'columns qualified by the table name', sql: 'SELECT orders.id FROM orders', columns: { id: ['orders.id'] } },
  { name: 'a schema-qualified source', sql: 'SELECT e.payload FROM raw.events e', columns: { payload: ['raw.events.payload'] } },
  { name: 'a schema.table.column reference', sql: 'SELECT raw.events.id FROM raw.events', columns: { id: ['raw.events.id'] } },
  { name: 'a DuckDB prefix alias', sql: 'SELECT total: amount + 1 FROM orders', columns: { total: ['orders.amount'] } },
  { name: 'a struct literal built from columns', sql: "SELECT {'a': amount, 'b': id} AS s FROM orders", columns: { s: ['orders.amount', 'orders.id'] } },
  { name: 'functions over columns of two joined tables', sql: 'SELECT coalesce(o.status, p.method) AS s FROM orders o LEFT JOIN payments p ON p.order_id = o.id', columns: { s: ['orders.status', 'payments.method', '~orders.id', '~payments.order_id'] } },
  { name: 'a lambda parameter is not a column', sql: 'SELECT list_transform(tags, t -> upper(t)) AS up FROM customers', columns: { up: ['customers.tags'] } },

  // WHERE and filters
  { name: 'a WHERE column as a filter', sql: "SELECT id FROM orders WHERE status = 'paid'", columns: { id: ['orders.id', '~orders.status'] } },
  { name: 'a value dependency wins over a filter on the same column', sql: 'SELECT amount FROM orders WHERE amount > 10', columns: { amount: ['orders.amount'] } },
  { name: 'ORDER BY with LIMIT decides rows', sql: 'SELECT id FROM orders ORDER BY amount DESC LIMIT 10', columns: { id: ['orders.id', '~orders.amount'] } },
  { name: 'ORDER BY without LIMIT changes nothing', sql: 'SELECT id FROM orders ORDER BY amount', columns: { id: ['orders.id'] } },
  { name: 'DISTINCT ON keys as filters', sql: 'SELECT DISTINCT ON (customer_id) id FROM orders ORDER BY customer_id, created_at DESC', columns: { id: ['orders.id', '~orders.customer_id'] } },

  // Joins
  { name: 'an inner join ON condition as filters', sql: 'SELECT o.id, c.name FROM orders o JOIN customers c ON o.customer_id = c.id', columns: { id: ['orders.id', '~customers.id', '~orders.customer_id'], name: ['customers.name', '~customers.id', '~orders.customer_id'] } },
  { name: 'a USING column taken from the left side', sql: 'SELECT id, amount, name FROM orders JOIN customers USING (id)', columns: { id: ['orders.id', '~customers.id'], amount: ['orders.amount', '~customers.id', '~orders.id'], name: ['customers.name', '~customers.id', '~orders.id'] } },
  { name: 'a FULL JOIN USING column from both sides', sql: 'SELECT id FROM orders FULL JOIN customers USING (id)', columns: { id: ['customers.id', 'orders.id'] } },
  { name: 'a RIGHT JOIN USING column from the right side', sql: 'SELECT id FROM orders RIGHT JOIN customers USING (id)', columns: { id: ['customers.id', '~orders.id'] } },
  { name: 'NATURAL join common columns once', sql: 'SELECT * FROM orders NATURAL JOIN payments', columns: {
    id: ['orders.id', '~orders.amount', '~payments.amount', '~payments.id'],
    customer_id: ['orders.customer_id', '~orders.amount', '~orders.id', '~payments.amount', '~payments.id'],
    amount: ['orders.amount', '~orders.id', '~payments.amount', '~payments.id'],
    status: ['orders.status', '~orders.amount', '~orders.id', '~payments.amount', '~payments.id'],
    created_at: ['orders.created_at', '~orders.amount', '~orders.id', '~payments.amount', '~payments.id'],
    order_id: ['payments.order_id', '~orders.amount', '~orders.id', '~payments.amount', '~payments.id'],
    method: ['payments.method', '~orders.amount', '~orders.id', '~payments.amount', '~payments.id'],
  } },
  { name: 'a SEMI join keeps the left columns, filtered by the right', sql: 'SELECT * FROM orders SEMI JOIN payments ON payments.order_id = orders.id', columns: {
    id: ['orders.id', '~payments.order_id'], customer_id: ['orders.customer_id', '~orders.id', '~payments.order_id'], amount: ['orders.amount', '~orders.id', '~payments.order_id'],
    status: ['orders.status', '~orders.id', '~payments.order_id'], created_at: ['orders.created_at', '~orders.id', '~payments.order_id'],
  } },
  { name: 'a self join of one table under two aliases', sql: 'SELECT a.name AS employee, b.name AS manager FROM employees a JOIN employees b ON a.manager_id = b.id', columns: { employee: ['employees.name', '~employees.id', '~employees.manager_id'], manager: ['employees.name', '~employees.id', '~employees.manager_id'] } },

  // Stars
  { name: 'SELECT * over a table', sql: 'SELECT * FROM payments', columns: { id: ['payments.id'], order_id: ['payments.order_id'], amount: ['payments.amount'], method: ['payments.method'] } },
  { name: 'a qualified star over a join', sql: 'SELECT c.* FROM orders o JOIN customers c ON o.customer_id = c.id', columns: {
    id: ['customers.id', '~orders.customer_id'], name: ['customers.name', '~customers.id', '~orders.customer_id'], country: ['customers.country', '~customers.id', '~orders.customer_id'],
    tags: ['customers.tags', '~customers.id', '~orders.customer_id'], address: ['customers.address', '~customers.id', '~orders.customer_id'],
  } },
  { name: '* EXCLUDE drops columns', sql: 'SELECT * EXCLUDE (status, created_at) FROM orders', columns: { id: ['orders.id'], customer_id: ['orders.customer_id'], amount: ['orders.amount'] } },
  { name: '* REPLACE computes a column in place', sql: 'SELECT * REPLACE (amount * 100 + id AS amount) FROM payments', columns: { id: ['payments.id'], order_id: ['payments.order_id'], amount: ['payments.amount', 'payments.id'], method: ['payments.method'] } },
  { name: '* RENAME renames in place', sql: 'SELECT * RENAME (amount AS amt, o.status AS state) FROM orders o', columns: { id: ['orders.id'], customer_id: ['orders.customer_id'], amt: ['orders.amount'], state: ['orders.status'], created_at: ['orders.created_at'] } },
  { name: 'COLUMNS with a regex', sql: "SELECT COLUMNS('^(id|amount)$') FROM orders", columns: { id: ['orders.id'], amount: ['orders.amount'] } },
  { name: 'COLUMNS with a lambda filter', sql: "SELECT COLUMNS(c -> c LIKE '%id') FROM orders", columns: { id: ['orders.id'], customer_id: ['orders.customer_id'] } },
  { name: 'COLUMNS inside an aggregate', sql: "SELECT max(COLUMNS('amount|id')) FROM orders", columns: { id: ['orders.id'], customer_id: ['orders.customer_id'], amount: ['orders.amount'] } },
  { name: 'a COLUMNS lambda that cannot be evaluated is unknown', sql: 'SELECT COLUMNS(c -> length(c) > 3) FROM orders', runs: false, columns: { 'COLUMNS(c -> length(c) > 3)': { deps: [], unknown: 'COLUMNS() lambda' } } },
  { name: 'a star over a relation without schema is unknown', sql: 'SELECT * FROM mystery', runs: false, columns: { 'mystery.*': { deps: [], unknown: 'columns of "mystery" are unknown' } } },
  { name: 'a star over a known and a schemaless relation expands the known part', sql: 'SELECT * EXCLUDE (status) FROM orders o JOIN mystery m ON m.order_id = o.id', runs: false, columns: {
    id: ['orders.id', '~mystery.order_id'], customer_id: ['orders.customer_id', '~mystery.order_id', '~orders.id'], amount: ['orders.amount', '~mystery.order_id', '~orders.id'],
    created_at: ['orders.created_at', '~mystery.order_id', '~orders.id'], 'm.*': { deps: ['~mystery.order_id', '~orders.id'], unknown: 'columns of "mystery" are unknown' },
  } },
  { name: 'named columns of a relation without schema are still known', sql: 'SELECT a, b + 1 AS c FROM mystery', runs: false, columns: { a: ['mystery.a'], c: ['mystery.b'] } },
  { name: 'an unqualified column over two schemaless relations is unknown', sql: 'SELECT a FROM mystery m JOIN other o ON m.k = o.k', runs: false, columns: { a: { deps: ['~mystery.k', '~other.k'], unknown: 'could come from "m" or "o"' } } },
  { name: 'a column missing from a known schema is unknown', sql: 'SELECT nope FROM orders', runs: false, columns: { nope: { deps: [], unknown: 'column "nope" is not found' } } },
  { name: 'a star over a derived table', sql: 'SELECT * FROM (SELECT id, amount FROM orders) sub', columns: { id: ['orders.id'], amount: ['orders.amount'] } },

  // CTEs and derived tables
  { name: 'a CTE with a filter', sql: "WITH paid AS (SELECT id, amount FROM orders WHERE status = 'paid') SELECT id, amount FROM paid", columns: { id: ['orders.id', '~orders.status'], amount: ['orders.amount', '~orders.status'] } },
  { name: 'chained CTEs', sql: 'WITH a AS (SELECT id, amount FROM orders), b AS (SELECT id, amount * 2 AS dbl FROM a) SELECT dbl FROM b', columns: { dbl: ['orders.amount'] } },
  { name: 'CTE column aliases', sql: 'WITH x(k, v) AS (SELECT id, amount FROM orders) SELECT k, v FROM x', columns: { k: ['orders.id'], v: ['orders.amount'] } },
  { name: 'a CTE that shadows a table of the same name', sql: 'WITH orders AS (SELECT id, amount * 2 AS amount FROM payments) SELECT amount FROM orders', columns: { amount: ['payments.amount'] } },
  { name: 'a CTE inside a derived table', sql: 'SELECT s.m FROM (WITH t AS (SELECT max(amount) AS m FROM payments) SELECT m FROM t) s', columns: { m: ['payments.amount'] } },
  { name: 'a CTE joined to itself', sql: 'WITH c AS (SELECT id, manager_id, name FROM employees) SELECT a.name, b.name AS boss FROM c a LEFT JOIN c b ON a.manager_id = b.id', columns: { name: ['employees.name', '~employees.id', '~employees.manager_id'], boss: ['employees.name', '~employees.id', '~employees.manager_id'] } },
  { name: 'a derived table with an aggregate', sql: 'SELECT d.total FROM (SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id) d', columns: { total: ['orders.amount', '~orders.customer_id'] } },
  { name: 'derived table column aliases', sql: 'SELECT k FROM (SELECT id FROM orders) d(k)', columns: { k: ['orders.id'] } },
  { name: 'a star through CTEs joined with USING', sql: 'WITH a AS (SELECT id, amount FROM orders), b AS (SELECT id, method FROM payments) SELECT * FROM a JOIN b USING (id)', columns: { id: ['orders.id', '~payments.id'], amount: ['orders.amount', '~orders.id', '~payments.id'], method: ['payments.method', '~orders.id', '~payments.id'] } },
  { name: 'a recursive CTE', sql: 'WITH RECURSIVE chain(id, name, depth) AS (SELECT id, name, 0 FROM employees WHERE manager_id IS NULL UNION ALL SELECT e.id, e.name, c.depth + 1 FROM employees e JOIN chain c ON e.manager_id = c.id) SELECT id, name, depth FROM chain', columns: {
    id: ['employees.id', '~employees.manager_id'], name: ['employees.name', '~employees.id', '~employees.manager_id'], depth: ['~employees.id', '~employees.manager_id'],
  } },
  { name: 'a recursive CTE carrying a value through the recursion', sql: 'WITH RECURSIVE r(n, total) AS (SELECT id, amount FROM payments UNION ALL SELECT n + 1, total + 1 FROM r WHERE n < 10) SELECT total FROM r', columns: { total: ['payments.amount', '~payments.id'] } },

  // Aggregates, windows
  { name: 'aggregates with GROUP BY keys as filters', sql: 'SELECT customer_id, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer_id', columns: { customer_id: ['orders.customer_id'], total: ['orders.amount', '~orders.customer_id'], n: ['~orders.customer_id'] } },
  { name: 'GROUP BY ALL groups by the non-aggregate items', sql: 'SELECT customer_id, status, sum(amount) AS total FROM orders GROUP BY ALL', columns: { customer_id: ['orders.customer_id', '~orders.status'], status: ['orders.status', '~orders.customer_id'], total: ['orders.amount', '~orders.customer_id', '~orders.status'] } },
  { name: 'GROUP BY a position', sql: 'SELECT status, count(*) AS n FROM orders GROUP BY 1', columns: { status: ['orders.status'], n: ['~orders.status'] } },
  { name: 'GROUP BY ROLLUP', sql: 'SELECT status, customer_id, sum(amount) AS s FROM orders GROUP BY ROLLUP (status, customer_id)', columns: { status: ['orders.status', '~orders.customer_id'], customer_id: ['orders.customer_id', '~orders.status'], s: ['orders.amount', '~orders.customer_id', '~orders.status'] } },
  { name: 'HAVING as a filter', sql: "SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id HAVING max(status) = 'x'", columns: { customer_id: ['orders.customer_id', '~orders.status'], total: ['orders.amount', '~orders.customer_id', '~orders.status'] } },
  { name: 'HAVING on a select alias', sql: 'SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id HAVING n > 1', columns: { customer_id: ['orders.customer_id'], n: ['~orders.customer_id'] } },
  { name: 'an aggregate FILTER clause', sql: "SELECT count(*) FILTER (WHERE status = 'paid') AS paid, sum(amount) FILTER (WHERE id > 3) AS s FROM orders", columns: { paid: ['~orders.status'], s: ['orders.amount', '~orders.id'] } },
  { name: 'an ordered aggregate reads its ORDER BY', sql: "SELECT customer_id, string_agg(status, ',' ORDER BY created_at) AS sts FROM orders GROUP BY customer_id", columns: { customer_id: ['orders.customer_id'], sts: ['orders.created_at', 'orders.status', '~orders.customer_id'] } },
  { name: 'a window aggregate with PARTITION BY and ORDER BY as filters', sql: 'SELECT id, sum(amount) OVER (PARTITION BY customer_id ORDER BY created_at) AS running FROM orders', columns: { id: ['orders.id'], running: ['orders.amount', '~orders.created_at', '~orders.customer_id'] } },
  { name: 'a ranking window', sql: 'SELECT row_number() OVER (ORDER BY amount DESC) AS rk FROM orders', columns: { rk: ['~orders.amount'] } },
  { name: 'a named window', sql: 'SELECT lag(amount) OVER w AS prev FROM orders WINDOW w AS (PARTITION BY customer_id ORDER BY created_at)', columns: { prev: ['orders.amount', '~orders.created_at', '~orders.customer_id'] } },
  { name: 'QUALIFY as a filter', sql: 'SELECT id FROM orders QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY created_at DESC) = 1', columns: { id: ['orders.id', '~orders.created_at', '~orders.customer_id'] } },
  { name: 'QUALIFY on a select alias', sql: 'SELECT id, row_number() OVER (PARTITION BY customer_id ORDER BY amount) AS rn FROM orders QUALIFY rn = 1', columns: { id: ['orders.id', '~orders.amount', '~orders.customer_id'], rn: ['~orders.amount', '~orders.customer_id'] } },

  // CASE, casts, structs, unnest, lateral aliases
  { name: 'a searched CASE reads conditions and results', sql: "SELECT CASE WHEN amount > 100 THEN 'big' ELSE status END AS size FROM orders", columns: { size: ['orders.amount', 'orders.status'] } },
  { name: 'a simple CASE', sql: 'SELECT CASE status WHEN \'a\' THEN amount ELSE 0 END AS x FROM orders', columns: { x: ['orders.amount', 'orders.status'] } },
  { name: 'casts in three spellings', sql: 'SELECT CAST(amount AS INTEGER) AS a, id::VARCHAR AS b, TRY_CAST(status AS INT) AS c FROM orders', columns: { a: ['orders.amount'], b: ['orders.id'], c: ['orders.status'] } },
  { name: 'struct field access reads the struct column', sql: 'SELECT address.city AS city FROM customers', columns: { city: ['customers.address'] } },
  { name: 'qualified struct field access, named after the field', sql: 'SELECT c.address.zip FROM customers c', columns: { zip: ['customers.address'] } },
  { name: 'struct extraction with brackets', sql: "SELECT address['zip'] AS zip FROM customers", columns: { zip: ['customers.address'] } },
  { name: 'UNNEST in the select list', sql: 'SELECT id, unnest(tags) AS tag FROM customers', columns: { id: ['customers.id', '~customers.tags'], tag: ['customers.tags'] } },
  { name: 'UNNEST in FROM, reading a column laterally', sql: 'SELECT c.id, t.tag FROM customers c, unnest(c.tags) AS t(tag)', columns: { id: ['customers.id', '~customers.tags'], tag: ['customers.tags'] } },
  { name: 'a lateral column alias', sql: 'SELECT amount * 2 AS doubled, doubled + id AS plus FROM orders', columns: { doubled: ['orders.amount'], plus: ['orders.amount', 'orders.id'] } },
  { name: 'a FROM column wins over a select alias of the same name', sql: 'SELECT amount * 2 AS id, id + 1 AS x FROM orders', columns: { id: ['orders.amount'], x: ['orders.id'] } },

  // Subqueries in expressions
  { name: 'a correlated scalar subquery', sql: 'SELECT id, (SELECT max(amount) FROM payments p WHERE p.order_id = o.id) AS max_paid FROM orders o', columns: { id: ['orders.id'], max_paid: ['payments.amount', '~orders.id', '~payments.order_id'] } },
  { name: 'a correlated reference to an outer alias inside a schemaless relation', sql: 'SELECT id, (SELECT max(x) FROM mystery m WHERE m.k = o.customer_id) AS mx FROM orders o', runs: false, columns: { id: ['orders.id'], mx: ['mystery.x', '~mystery.k', '~orders.customer_id'] } },
  { name: 'struct fields of a CTE column', sql: 'WITH x AS (SELECT address FROM customers) SELECT address.city FROM x', columns: { city: ['customers.address'] } },
  { name: 'an uncorrelated scalar subquery', sql: 'SELECT id, (SELECT count(*) FROM customers) AS n FROM orders', columns: { id: ['orders.id'], n: [] } },
  { name: 'EXISTS in WHERE', sql: "SELECT id FROM orders o WHERE EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.method = 'card')", columns: { id: ['orders.id', '~payments.method', '~payments.order_id'] } },
  { name: 'IN a subquery in WHERE', sql: "SELECT id FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE country = 'NL')", columns: { id: ['orders.id', '~customers.country', '~customers.id', '~orders.customer_id'] } },
  { name: 'IN a subquery as a value', sql: 'SELECT customer_id IN (SELECT id FROM customers) AS known FROM orders', columns: { known: ['customers.id', 'orders.customer_id'] } },
  { name: 'a LATERAL subquery correlated to the left side', sql: 'SELECT o.id, l.total FROM orders o, LATERAL (SELECT sum(amount) AS total FROM payments p WHERE p.order_id = o.id) l', columns: { id: ['orders.id', '~payments.order_id'], total: ['payments.amount', '~orders.id', '~payments.order_id'] } },

  // Set operations
  { name: 'UNION ALL takes each column from every branch', sql: 'SELECT id, amount FROM orders UNION ALL SELECT order_id, amount FROM payments', columns: { id: ['orders.id', 'payments.order_id'], amount: ['orders.amount', 'payments.amount'] } },
  { name: 'a branch filter stays a filter', sql: "SELECT id FROM orders WHERE status = 'x' UNION SELECT id FROM customers", columns: { id: ['customers.id', 'orders.id', '~orders.status'] } },
  { name: 'UNION BY NAME matches columns by name', sql: 'SELECT id, amount FROM orders UNION ALL BY NAME SELECT method, id FROM payments', columns: { id: ['orders.id', 'payments.id'], amount: ['orders.amount'], method: ['payments.method'] } },
  { name: 'EXCEPT filters by the right side', sql: 'SELECT id FROM orders EXCEPT SELECT order_id FROM payments', columns: { id: ['orders.id', '~payments.order_id'] } },
  { name: 'INTERSECT filters by the right side', sql: 'SELECT id, status FROM orders INTERSECT SELECT order_id, method FROM payments', columns: { id: ['orders.id', '~orders.status', '~payments.method', '~payments.order_id'], status: ['orders.status', '~orders.id', '~payments.method', '~payments.order_id'] } },
  { name: 'three branches', sql: 'SELECT id FROM orders UNION ALL SELECT id FROM payments UNION ALL SELECT id FROM customers', columns: { id: ['customers.id', 'orders.id', 'payments.id'] } },

  // Table functions and VALUES
  { name: 'VALUES rows have no upstream', sql: "SELECT v.a, v.b FROM (VALUES (1, 'x'), (2, 'y')) v(a, b)", columns: { a: [], b: [] } },
  { name: 'a range() table function', sql: 'SELECT range AS r FROM range(3)', columns: { r: [] } },
  { name: 'a column of a file-reading table function is a column of that file', sql: "SELECT x FROM read_parquet('f.parquet')", runs: false, columns: { x: ["read_parquet('f.parquet').x"] } },
  { name: 'a star over a file-reading table function is unknown', sql: "SELECT * FROM read_csv('x.csv')", runs: false, columns: { 'read_csv.*': { deps: [], unknown: 'table function read_csv' } } },
  { name: 'a qualified star naming no relation is unknown', sql: 'SELECT t.* FROM orders o', runs: false, columns: { 't.*': { deps: [], unknown: '"t.*" names no relation' } } },
];

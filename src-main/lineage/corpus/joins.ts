/**
 * Lineage corpus: joins as DuckDB documents them (FROM and JOIN clauses): ASOF with ON and
 * USING, POSITIONAL, NATURAL, USING over several columns, SEMI/ANTI, LEFT with extra ON
 * conditions, CROSS, LATERAL, joins written in WHERE. Join conditions decide rows: they are
 * filters of every column.
 */
import type { Case } from './case';

const ASOF = ['~prices.ticker', '~prices.ts', '~trades.ticker', '~trades.ts'];

export const joins: Case[] = [
  { name: 'an ASOF join with ON', sql: 'SELECT t.ticker, t.qty, p.price FROM trades t ASOF JOIN prices p ON t.ticker = p.ticker AND t.ts >= p.ts', columns: {
    ticker: ['trades.ticker', '~prices.ticker', '~prices.ts', '~trades.ts'], qty: ['trades.qty', ...ASOF], price: ['prices.price', ...ASOF],
  } },
  { name: 'an ASOF join with USING', sql: 'SELECT ticker, ts, qty, price FROM trades ASOF JOIN prices USING (ticker, ts)', columns: {
    ticker: ['trades.ticker', '~prices.ticker', '~prices.ts', '~trades.ts'], ts: ['trades.ts', '~prices.ticker', '~prices.ts', '~trades.ticker'], qty: ['trades.qty', ...ASOF], price: ['prices.price', ...ASOF],
  } },
  { name: 'a star over an ASOF join with USING', sql: 'SELECT * FROM trades ASOF JOIN prices USING (ticker, ts)', columns: {
    ticker: ['trades.ticker', '~prices.ticker', '~prices.ts', '~trades.ts'], ts: ['trades.ts', '~prices.ticker', '~prices.ts', '~trades.ticker'], qty: ['trades.qty', ...ASOF], price: ['prices.price', ...ASOF],
  } },
  { name: 'an ASOF join computing a value from both sides', sql: 'SELECT t.ticker, p.price * t.qty AS value FROM trades t ASOF JOIN prices p ON t.ticker = p.ticker AND t.ts >= p.ts', columns: {
    ticker: ['trades.ticker', '~prices.ticker', '~prices.ts', '~trades.ts'], value: ['prices.price', 'trades.qty', ...ASOF],
  } },
  { name: 'a POSITIONAL join has no join condition', sql: 'SELECT o.id, p.method FROM orders o POSITIONAL JOIN payments p', columns: { id: ['orders.id'], method: ['payments.method'] } },
  { name: 'a star over a POSITIONAL join', sql: 'SELECT * FROM trades POSITIONAL JOIN prices', columns: {
    ticker: ['trades.ticker'], ts: ['trades.ts'], qty: ['trades.qty'], ticker_1: ['prices.ticker'], ts_1: ['prices.ts'], price: ['prices.price'],
  } },
  { name: 'a NATURAL join on two common columns', sql: 'SELECT id, name FROM customers NATURAL JOIN employees', columns: {
    id: ['customers.id', '~customers.name', '~employees.id', '~employees.name'], name: ['customers.name', '~customers.id', '~employees.id', '~employees.name'],
  } },
  { name: 'an ANTI join keeps left rows with no match', sql: 'SELECT * FROM orders o ANTI JOIN payments p ON p.order_id = o.id', columns: {
    id: ['orders.id', '~payments.order_id'], customer_id: ['orders.customer_id', '~orders.id', '~payments.order_id'], amount: ['orders.amount', '~orders.id', '~payments.order_id'],
    status: ['orders.status', '~orders.id', '~payments.order_id'], created_at: ['orders.created_at', '~orders.id', '~payments.order_id'],
  } },
  { name: 'a LEFT join with an extra ON condition', sql: "SELECT c.name, o.amount FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.status = 'paid'", columns: {
    name: ['customers.name', '~customers.id', '~orders.customer_id', '~orders.status'], amount: ['orders.amount', '~customers.id', '~orders.customer_id', '~orders.status'],
  } },
  { name: 'a CROSS join has no filter', sql: 'SELECT o.id, c.name FROM orders o CROSS JOIN customers c', columns: { id: ['orders.id'], name: ['customers.name'] } },
  { name: 'USING over two columns', sql: 'SELECT id, amount FROM orders JOIN payments USING (id, amount)', columns: {
    id: ['orders.id', '~orders.amount', '~payments.amount', '~payments.id'], amount: ['orders.amount', '~orders.id', '~payments.amount', '~payments.id'],
  } },
  { name: 'a star over a USING join names the right duplicates', sql: 'SELECT * FROM orders JOIN payments USING (id)', columns: {
    id: ['orders.id', '~payments.id'], customer_id: ['orders.customer_id', '~orders.id', '~payments.id'], amount: ['orders.amount', '~orders.id', '~payments.id'],
    status: ['orders.status', '~orders.id', '~payments.id'], created_at: ['orders.created_at', '~orders.id', '~payments.id'], order_id: ['payments.order_id', '~orders.id', '~payments.id'],
    amount_1: ['payments.amount', '~orders.id', '~payments.id'], method: ['payments.method', '~orders.id', '~payments.id'],
  } },
  { name: 'a join written in WHERE', sql: "SELECT o.id FROM orders o, payments p WHERE o.id = p.order_id AND p.method = 'card'", columns: { id: ['orders.id', '~payments.method', '~payments.order_id'] } },
  { name: 'a join to an aggregated derived table', sql: 'SELECT o.id, x.total FROM orders o JOIN (SELECT order_id, sum(amount) AS total FROM payments GROUP BY ALL) x ON x.order_id = o.id', columns: {
    id: ['orders.id', '~payments.order_id'], total: ['payments.amount', '~orders.id', '~payments.order_id'],
  } },
  { name: 'three tables joined', sql: 'SELECT c.name, p.method FROM customers c JOIN orders o ON o.customer_id = c.id JOIN payments p ON p.order_id = o.id', columns: {
    name: ['customers.name', '~customers.id', '~orders.customer_id', '~orders.id', '~payments.order_id'], method: ['payments.method', '~customers.id', '~orders.customer_id', '~orders.id', '~payments.order_id'],
  } },
  { name: 'a FULL join ON coalescing keys', sql: 'SELECT coalesce(o.id, p.order_id) AS k FROM orders o FULL JOIN payments p ON p.order_id = o.id', columns: { k: ['orders.id', 'payments.order_id'] } },
  { name: 'a LATERAL subquery without FROM', sql: 'SELECT d.x FROM orders o, LATERAL (SELECT o.amount * 2 AS x) d', columns: { x: ['orders.amount'] } },
  { name: 'a SEMI join with a USING clause', sql: 'SELECT id, status FROM orders SEMI JOIN payments USING (id)', columns: { id: ['orders.id', '~payments.id'], status: ['orders.status', '~orders.id', '~payments.id'] } },
  { name: 'a join ON an expression of both sides', sql: 'SELECT o.id FROM orders o JOIN payments p ON abs(o.amount - p.amount) < 1', columns: { id: ['orders.id', '~orders.amount', '~payments.amount'] } },
];

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckEngine } from '../duck/engine';
import { outputColumns, type SchemaLookup } from './columns';
import { SqlParser } from './parse';
import { firstStatement } from './test-parser';

let engine: DuckEngine;
let connection: DuckDBConnection;
let parser: SqlParser;

const schemas: Record<string, string[]> = {
  orders: ['id', 'customer_id', 'amount', 'status'],
  customers: ['id', 'name', 'country'],
  'raw.events': ['event_id', 'payload', 'ts'],
};
const lookup: SchemaLookup = (r) => schemas[[r.schema, r.name].filter(Boolean).join('.')];

beforeAll(async () => {
  engine = await DuckEngine.open();
  connection = await engine.connect();
  parser = new SqlParser(connection);
  // The same tables in a real database, so DuckDB itself can confirm each expected list.
  await connection.run('CREATE SCHEMA raw');
  await connection.run('CREATE TABLE orders (id INT, customer_id INT, amount DOUBLE, status VARCHAR)');
  await connection.run('CREATE TABLE customers (id INT, name VARCHAR, country VARCHAR)');
  await connection.run('CREATE TABLE raw.events (event_id INT, payload VARCHAR, ts TIMESTAMP)');
});
afterAll(async () => {
  await engine.close();
});

const statement = (sql: string) => firstStatement(parser, sql);

const cases: { name: string; sql: string }[] = [
  { name: 'plain columns and aliases', sql: 'SELECT id, amount AS total FROM orders' },
  { name: 'qualified columns keep their last part', sql: 'SELECT o.id, o.amount FROM orders o' },
  { name: 'an expression without alias is named like DuckDB names it', sql: 'SELECT amount + 1, sum(amount), count(*), CAST(id AS INTEGER), 1, \'x\' FROM orders GROUP BY ALL' },
  { name: 'star over a table', sql: 'SELECT * FROM orders' },
  { name: 'star over a join', sql: 'SELECT * FROM orders o JOIN customers c ON o.customer_id = c.id' },
  { name: 'star over a USING join shows the key once', sql: 'SELECT * FROM orders JOIN customers USING (id)' },
  { name: 'star over a NATURAL join shows common columns once', sql: 'SELECT * FROM orders NATURAL JOIN customers' },
  { name: 'qualified star', sql: 'SELECT c.*, o.amount FROM orders o JOIN customers c ON o.customer_id = c.id' },
  { name: 'star EXCLUDE', sql: 'SELECT * EXCLUDE (status, amount) FROM orders' },
  { name: 'star REPLACE keeps position', sql: 'SELECT * REPLACE (amount * 2 AS amount) FROM orders' },
  { name: 'star RENAME', sql: 'SELECT * RENAME (amount AS total) FROM orders' },
  { name: 'duplicate names get suffixes', sql: 'SELECT id, id, amount AS id FROM orders' },
  { name: 'COLUMNS with a regex', sql: "SELECT COLUMNS('^(id|amount)$') FROM orders" },
  { name: 'COLUMNS with a partial-match regex', sql: "SELECT COLUMNS('id') FROM orders" },
  { name: 'COLUMNS with a lambda', sql: "SELECT COLUMNS(c -> c LIKE '%id') FROM orders" },
  { name: 'COLUMNS with a NOT LIKE lambda', sql: "SELECT COLUMNS(c -> c NOT LIKE '%id') FROM orders" },
  { name: 'COLUMNS with an IN lambda', sql: "SELECT COLUMNS(c -> c IN ('id', 'status')) FROM orders" },
  { name: 'COLUMNS with an OR of lambda tests', sql: "SELECT COLUMNS(c -> c LIKE 'a%' OR c = 'id') FROM orders" },
  { name: 'COLUMNS with a list of names', sql: "SELECT COLUMNS(['status', 'id']) FROM orders" },
  { name: 'COLUMNS with a qualified star', sql: 'SELECT COLUMNS(c.*) FROM orders o JOIN customers c ON o.customer_id = c.id' },
  { name: 'CTE columns', sql: 'WITH x AS (SELECT id, amount * 2 AS double_amount FROM orders) SELECT * FROM x' },
  { name: 'CTE column aliases', sql: 'WITH x(a, b) AS (SELECT id, amount FROM orders) SELECT * FROM x' },
  { name: 'derived table column aliases', sql: 'SELECT * FROM (SELECT id, amount FROM orders) d(k)' },
  { name: 'set operations take the left names', sql: 'SELECT id AS k FROM orders UNION ALL SELECT id FROM customers' },
  { name: 'UNION BY NAME combines names', sql: 'SELECT id, amount FROM orders UNION ALL BY NAME SELECT id, name FROM customers' },
  { name: 'recursive CTEs', sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r' },
  { name: 'VALUES lists', sql: 'SELECT * FROM (VALUES (1, 2)) v' },
  { name: 'unnest in FROM', sql: 'SELECT * FROM unnest([1, 2])' },
  { name: 'schema-qualified tables', sql: 'SELECT * FROM raw.events' },
  { name: 'struct field access takes the field name', sql: "SELECT s.f, s.f.g FROM (SELECT {'f': {'g': 1}} AS s)" },
];

describe('outputColumns', () => {
  for (const c of cases) {
    it(`matches DuckDB for ${c.name}`, async () => {
      const reader = await connection.runAndReadAll(`SELECT * FROM (${c.sql}) LIMIT 0`);
      const expected = reader.columnNames();
      expect(outputColumns(await statement(c.sql), lookup)).toEqual(expected);
    });
  }

  it('is null when a star reads a table the lookup does not know', async () => {
    expect(outputColumns(await statement('SELECT * FROM unknown_table'), lookup)).toBeNull();
    expect(outputColumns(await statement('SELECT * FROM orders'))).toBeNull();
  });

  it('is null when a star reads a table function whose columns need running it', async () => {
    expect(outputColumns(await statement("SELECT * FROM read_parquet('x.parquet')"), lookup)).toBeNull();
  });

  it('needs no schemas when no star is used', async () => {
    expect(outputColumns(await statement('SELECT a, b AS c FROM nowhere'))).toEqual(['a', 'c']);
  });
});

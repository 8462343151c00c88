/**
 * Lineage corpus: table functions as sources (range, generate_series, unnest, read_parquet,
 * read_csv) and PIVOT / UNPIVOT (statements and FROM items, DuckDB's and the SQL standard's
 * syntax) as DuckDB documents them.
 */
import type { Case } from './case';

const PIV = ['sales.amount', '~sales.quarter', '~sales.region'];
const UNP = ['~metrics.m1', '~metrics.m2', '~metrics.m3'];

export const sources: Case[] = [
  { name: 'generate_series with a column alias', sql: 'SELECT x FROM generate_series(1, 10) AS t(x)', columns: { x: [] } },
  { name: 'a star over range()', sql: 'SELECT * FROM range(5)', columns: { range: [] } },
  { name: 'range() crossed with a table', sql: 'SELECT r.range * o.amount AS v FROM orders o, range(3) r', columns: { v: ['orders.amount'] } },
  { name: 'generate_series over dates', sql: "SELECT generate_series AS d FROM generate_series(DATE '2024-01-01', DATE '2024-01-05', INTERVAL 1 DAY)", columns: { d: [] } },
  { name: 'a count over range() with a filter', sql: 'SELECT count(*) AS n FROM range(10) WHERE range % 2 = 0', columns: { n: [] } },
  { name: 'unnest in FROM over columns of the left side', sql: 'SELECT t.v FROM orders o, unnest([o.amount, o.id]) AS t(v)', columns: { v: ['orders.amount', 'orders.id'] } },
  { name: 'columns of read_csv are that file’s', sql: "SELECT a, b FROM read_csv('x.csv')", runs: false, columns: { a: ["read_csv('x.csv').a"], b: ["read_csv('x.csv').b"] } },
  { name: 'read_parquet joined to a table', sql: "SELECT f.id, o.status FROM read_parquet('o/*.parquet') f JOIN orders o USING (id)", runs: false, columns: {
    id: ["read_parquet('o/*.parquet').id", '~orders.id'], status: ['orders.status', '~orders.id', "~read_parquet('o/*.parquet').id"],
  } },
  { name: 'read_parquet over a list with a named option', sql: "SELECT x FROM read_parquet(['a.parquet', 'b.parquet'], union_by_name = true)", runs: false, columns: { x: ["read_parquet(['a.parquet', 'b.parquet'], union_by_name = true).x"] } },
  { name: 'a star over read_parquet is unknown', sql: "SELECT * FROM read_parquet('f.parquet')", runs: false, columns: { 'read_parquet.*': { deps: [], unknown: 'table function read_parquet' } } },

  { name: 'a PIVOT statement with IN and GROUP BY', sql: "PIVOT sales ON quarter IN ('Q1', 'Q2') USING sum(amount) GROUP BY region", columns: { region: ['sales.region'], Q1: PIV, Q2: PIV } },
  { name: 'PIVOT in FROM groups by the other columns', sql: "SELECT * FROM (PIVOT sales ON quarter IN ('Q1', 'Q2') USING sum(amount))", columns: {
    region: ['sales.region', '~sales.year'], year: ['sales.year', '~sales.region'], Q1: [...PIV, '~sales.year'], Q2: [...PIV, '~sales.year'],
  } },
  { name: 'PIVOT with two aggregates', sql: "PIVOT sales ON quarter IN ('Q1', 'Q2') USING sum(amount) AS total, count(*) AS n GROUP BY region", columns: {
    region: ['sales.region'], Q1_total: PIV, Q1_n: ['~sales.quarter', '~sales.region'], Q2_total: PIV, Q2_n: ['~sales.quarter', '~sales.region'],
  } },
  { name: 'PIVOT on two columns', sql: "PIVOT sales ON quarter IN ('Q1', 'Q2'), year IN (2023, 2024) USING sum(amount) GROUP BY region", columns: {
    region: ['sales.region'], Q1_2023: [...PIV, '~sales.year'], Q1_2024: [...PIV, '~sales.year'], Q2_2023: [...PIV, '~sales.year'], Q2_2024: [...PIV, '~sales.year'],
  } },
  { name: 'the SQL standard PIVOT', sql: "SELECT * FROM sales PIVOT (sum(amount) FOR quarter IN ('Q1', 'Q2') GROUP BY region)", columns: { region: ['sales.region'], Q1: PIV, Q2: PIV } },
  { name: 'a PIVOT in a CTE, read by name', sql: "WITH p AS (PIVOT sales ON quarter IN ('Q1', 'Q2') USING sum(amount) GROUP BY region) SELECT region, Q1 + Q2 AS h1 FROM p", columns: { region: ['sales.region'], h1: PIV } },
  { name: 'an UNPIVOT statement', sql: 'UNPIVOT metrics ON m1, m2, m3 INTO NAME metric VALUE val', columns: {
    id: ['metrics.id', ...UNP], label: ['metrics.label', ...UNP], metric: UNP, val: ['metrics.m1', 'metrics.m2', 'metrics.m3'],
  } },
  { name: 'UNPIVOT ON COLUMNS with a regex', sql: "UNPIVOT metrics ON COLUMNS('^m') INTO NAME metric VALUE val", columns: {
    id: ['metrics.id', ...UNP], label: ['metrics.label', ...UNP], metric: UNP, val: ['metrics.m1', 'metrics.m2', 'metrics.m3'],
  } },
  { name: 'UNPIVOT ON COLUMNS(* EXCLUDE ...)', sql: 'SELECT * FROM (UNPIVOT metrics ON COLUMNS(* EXCLUDE (id, label)) INTO NAME metric VALUE val)', columns: {
    id: ['metrics.id', ...UNP], label: ['metrics.label', ...UNP], metric: UNP, val: ['metrics.m1', 'metrics.m2', 'metrics.m3'],
  } },
  { name: 'the SQL standard UNPIVOT', sql: 'SELECT * FROM metrics UNPIVOT (val FOR metric IN (m1, m2, m3))', columns: {
    id: ['metrics.id', ...UNP], label: ['metrics.label', ...UNP], metric: UNP, val: ['metrics.m1', 'metrics.m2', 'metrics.m3'],
  } },
  { name: 'UNPIVOT into two value columns', sql: 'UNPIVOT metrics ON (m1, m2) AS a, (m3, id) AS b INTO NAME k VALUE x, y', columns: {
    label: ['metrics.label', '~metrics.id', ...UNP], k: ['~metrics.id', ...UNP], x: ['metrics.m1', 'metrics.m3', '~metrics.id', '~metrics.m2'], y: ['metrics.id', 'metrics.m2', '~metrics.m1', '~metrics.m3'],
  } },
  { name: 'an aggregate over an UNPIVOT', sql: 'SELECT metric, avg(val) AS mean FROM (UNPIVOT metrics ON m1, m2 INTO NAME metric VALUE val) GROUP BY metric', columns: {
    metric: ['~metrics.m1', '~metrics.m2'], mean: ['metrics.m1', 'metrics.m2'],
  } },
];

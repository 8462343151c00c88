/**
 * The lineage corpus: queries over a fixed set of tables, each with the exact upstream of
 * every output column. `rel.col` is a value dependency, `~rel.col` a filter dependency;
 * `{ deps, unknown }` a column whose lineage is partly unknown (with a part of the reason).
 * The runner (`../corpus.test.ts`) also binds every runnable query in DuckDB over tables
 * created from `TABLES`, so the corpus is real DuckDB and our column names are DuckDB's.
 */
export type Expected = string[] | { deps: string[]; unknown: string };

export interface Case {
  name: string;
  sql: string;
  columns: Record<string, Expected>;
  /** False when the query reads tables or files DuckDB does not have (unknown-lineage cases). */
  runs?: boolean;
}

/** The tables every corpus query may read, as DuckDB column definitions. */
export const TABLES: Record<string, string> = {
  orders: 'id INT, customer_id INT, amount DOUBLE, status VARCHAR, created_at TIMESTAMP',
  customers: 'id INT, name VARCHAR, country VARCHAR, tags VARCHAR[], address STRUCT(city VARCHAR, zip VARCHAR)',
  payments: 'id INT, order_id INT, amount DOUBLE, method VARCHAR',
  'raw.events': 'id INT, payload VARCHAR, ts TIMESTAMP',
  employees: 'id INT, manager_id INT, name VARCHAR',
  sales: 'region VARCHAR, quarter VARCHAR, year INT, amount DOUBLE',
  metrics: 'id INT, m1 DOUBLE, m2 DOUBLE, m3 DOUBLE, label VARCHAR',
  prices: 'ticker VARCHAR, ts TIMESTAMP, price DOUBLE',
  trades: 'ticker VARCHAR, ts TIMESTAMP, qty INT',
  docs: 'id INT, s STRUCT(a INT, b STRUCT(c VARCHAR)), l INT[], m MAP(VARCHAR, INT), ls STRUCT(k VARCHAR, v INT)[]',
};

/** Column names of each table, by lower-cased qualified name. */
export const SCHEMAS: Record<string, string[]> = Object.fromEntries(
  Object.entries(TABLES).map(([name, ddl]) => [name, ddl.split(/,(?![^(]*\))/).map((c) => c.trim().split(' ')[0] as string)]),
);

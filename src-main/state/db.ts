/**
 * The SQL connection state lives in: a DuckDB database file (the default, one process) or a
 * PostgreSQL database (teams; many processes). Both speak `$1` parameters and the same SQL
 * subset used by the state store; `transaction` runs its callback atomically.
 */
export interface StateDb {
  readonly dialect: 'duckdb' | 'postgres';
  /** Schema-qualified name of a state table, e.g. `"sqlmesh"."_snapshots"`. */
  table(name: string): string;
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  transaction<T>(fn: (db: StateDb) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const STATE_SCHEMA = 'sqlmesh';

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

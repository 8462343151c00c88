/**
 * The catalog database behind a lake: a DuckDB file attached into our DuckDB instance, or a
 * PostgreSQL database reached through `pg`. Both run the same SQL text, in which `{MD}` stands
 * for the schema that holds the ducklake_* tables; ids and counts come back as JS numbers,
 * times as Date.
 */
export type Row = Record<string, unknown>;

export interface CatalogExecutor {
  /** Runs one or more statements; returns the rows of the last one. */
  query(sql: string): Promise<Row[]>;
}

export interface CatalogStore extends CatalogExecutor {
  readonly kind: 'duckdb' | 'postgres';
  /** Where the catalog is, without secrets (a file path, or host/database/schema). */
  readonly description: string;
  /**
   * For a DuckDB-file catalog: the name it is attached under in the lake's DuckDB instance,
   * so DuckDB SQL can read catalog tables (inlined data) directly. Undefined for PostgreSQL.
   */
  readonly duckdbCatalogName?: string;
  /** Runs `fn` inside one catalog transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: CatalogExecutor) => Promise<T>): Promise<T>;
  /** Names of the tables in the metadata schema that start with `prefix`. */
  tableNames(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

/** A tiny FIFO mutex for serialising work on one connection. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

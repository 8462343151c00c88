/**
 * A DuckLake catalog in a DuckDB database file, attached into the lake's DuckDB instance as
 * `__ducklake_metadata_<name>` (the name the extension uses). One process at a time may have
 * the file open, as with the extension; inside the process, commits are serialised.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ident, lit } from '../sql';
import { Mutex, type CatalogExecutor, type CatalogStore, type Row } from './store';

export class DuckDBCatalogStore implements CatalogStore {
  readonly kind = 'duckdb' as const;
  private readonly mutex = new Mutex();
  private closed = false;

  private constructor(
    private readonly connection: DuckDBConnection,
    readonly duckdbCatalogName: string,
    readonly description: string,
  ) {}

  static async open(instance: DuckDBInstance, filePath: string, lakeName: string): Promise<DuckDBCatalogStore> {
    const connection = await instance.connect();
    const name = `__ducklake_metadata_${lakeName}`;
    try {
      await connection.run(`ATTACH IF NOT EXISTS ${lit(filePath)} AS ${ident(name)}`);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
    return new DuckDBCatalogStore(connection, name, filePath);
  }

  private sql(text: string): string {
    return text.replace(/\{MD\}/g, `${ident(this.duckdbCatalogName)}.main`);
  }

  private async run(text: string): Promise<Row[]> {
    if (this.closed) throw new Error('The lake catalog is closed.');
    const reader = await this.connection.runAndReadAll(this.sql(text));
    return reader.getRowObjectsJS().map(normaliseRow);
  }

  query(text: string): Promise<Row[]> {
    return this.mutex.run(() => this.run(text));
  }

  transaction<T>(fn: (tx: CatalogExecutor) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      await this.run('BEGIN TRANSACTION');
      try {
        const result = await fn({ query: (text) => this.run(text) });
        await this.run('COMMIT');
        return result;
      } catch (error) {
        await this.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async tableNames(prefix: string): Promise<string[]> {
    const rows = await this.query(
      `SELECT table_name FROM duckdb_tables() WHERE database_name = ${lit(this.duckdbCatalogName)} AND schema_name = 'main' AND starts_with(table_name, ${lit(prefix)})`,
    );
    return rows.map((r) => String(r.table_name));
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => {
      if (this.closed) return;
      this.closed = true;
      try {
        await this.connection.run(`DETACH ${ident(this.duckdbCatalogName)}`);
      } catch {
        // Views of an attachment may still reference it; the instance closes it later.
      }
      this.connection.closeSync();
    });
  }
}

function normaliseRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = normaliseValue(value);
  return out;
}

function normaliseValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  return value;
}

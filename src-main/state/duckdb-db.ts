/**
 * State in a DuckDB database file, attached into the process's engine under its own alias
 * with a dedicated connection; transactions are DuckDB transactions on that connection,
 * serialized so that callers never interleave statements of two transactions.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { DuckEngine } from '../duck/engine';
import { bigintCell } from '../duck/values';
import { quoteIdent, STATE_SCHEMA, type StateDb } from './db';

function toJs(value: unknown): unknown {
  if (typeof value === 'bigint') return bigintCell(value);
  return value;
}

export class DuckDbStateDb implements StateDb {
  readonly dialect = 'duckdb' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private inTransaction = false;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly alias: string,
  ) {}

  /**
   * Attaches `path` under `alias`, or reuses the database when the engine has attached that
   * file already (state can live in the warehouse's own DuckDB file, as SQLMesh keeps it).
   */
  static async open(engine: DuckEngine, path: string, alias = '__pas_state'): Promise<DuckDbStateDb> {
    const connection = await engine.connect();
    const byPath = await connection.runAndReadAll('SELECT database_name FROM duckdb_databases() WHERE path = $1 OR database_name = $2', [path, alias]);
    const existing = byPath.getRows()[0]?.[0];
    if (existing !== undefined) alias = String(existing);
    else await connection.run(`ATTACH ${sqlString(path)} AS ${quoteIdent(alias)}`);
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(alias)}.${quoteIdent(STATE_SCHEMA)}`);
    return new DuckDbStateDb(connection, alias);
  }

  table(name: string): string {
    return `${quoteIdent(this.alias)}.${quoteIdent(STATE_SCHEMA)}.${quoteIdent(name)}`;
  }

  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const run = async () => {
      const reader = await this.connection.runAndReadAll(sql, params as DuckDBValue[]);
      return reader.getRowObjects().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toJs(v)])) as T);
    };
    if (this.inTransaction) return run();
    return this.enqueue(run);
  }

  transaction<T>(fn: (db: StateDb) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      await this.connection.run('BEGIN TRANSACTION');
      this.inTransaction = true;
      try {
        const result = await fn(this);
        await this.connection.run('COMMIT');
        return result;
      } catch (error) {
        await this.connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        this.inTransaction = false;
      }
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    this.connection.closeSync();
  }
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

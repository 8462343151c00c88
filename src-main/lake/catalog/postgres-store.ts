/**
 * A DuckLake catalog in PostgreSQL, for many writers on many machines. The tables live in one
 * schema (`public` by default, as with the extension); commits are single multi-statement
 * transactions, so a commit costs a few round trips.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import { LakeCommitUnknownError } from '../errors';
import { ident, lit } from '../sql';
import type { CatalogExecutor, CatalogStore, Row } from './store';

const INT8_OID = 20;

/** `pg`, loaded on first use: a lake on a DuckDB file never pays for it at start. */
const loadModule = createRequire(import.meta.url);
let pgModule: typeof pg | undefined;
function pgLib(): typeof pg {
  pgModule ??= loadModule('pg') as typeof pg;
  return pgModule;
}

export interface PostgresCatalogOptions {
  /** libpq-style URL, e.g. `postgresql://user:pw@host:5432/db`. */
  connectionString?: string;
  /** `pg` connection options (host, port, database, user, password, ssl...), e.g. from the lake config. */
  connection?: pg.ClientConfig;
  /** Schema holding the ducklake_* tables; `public` by default. */
  schema?: string;
  /** Pool size; 4 by default. */
  maxConnections?: number;
}

export class PostgresCatalogStore implements CatalogStore {
  readonly kind = 'postgres' as const;
  readonly duckdbCatalogName = undefined;
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly schema: string;

  constructor(options: PostgresCatalogOptions) {
    this.schema = options.schema ?? 'public';
    const pg = pgLib();
    this.pool = new pg.Pool({
      ...(options.connection ?? {}),
      ...(options.connectionString ? { connectionString: options.connectionString } : {}),
      max: options.maxConnections ?? 4,
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8_OID
            ? (value: string) => {
                const n = Number(value);
                return Number.isSafeInteger(n) ? n : value;
              }
            : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    this.pool.on('error', () => undefined);
    let where = 'postgresql';
    try {
      if (options.connectionString) {
        const url = new URL(options.connectionString);
        where = `postgresql://${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
      } else if (options.connection) {
        const c = options.connection;
        where = `postgresql://${c.host ?? 'localhost'}${c.port ? `:${c.port}` : ''}/${c.database ?? ''}`;
      }
    } catch {
      // keep the generic description
    }
    this.description = `${where} (schema ${this.schema})`;
  }

  private sql(text: string): string {
    return text.replace(/\{MD\}/g, ident(this.schema));
  }

  private static rows(result: pg.QueryResult | pg.QueryResult[]): Row[] {
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    return (last?.rows ?? []) as Row[];
  }

  async query(text: string): Promise<Row[]> {
    return PostgresCatalogStore.rows(await this.pool.query(this.sql(text)));
  }

  async ensureSchema(): Promise<void> {
    if (this.schema !== 'public') await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${ident(this.schema)}`);
  }

  async transaction<T>(fn: (tx: CatalogExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      try {
        const result = await fn({
          query: async (text) => PostgresCatalogStore.rows(await client.query(this.sql(text))),
        });
        try {
          await client.query('COMMIT');
        } catch (error) {
          // A server's error answer means it rolled back; a lost connection leaves it unknown.
          if ((error as { code?: unknown }).code === undefined) {
            broken = true;
            throw new LakeCommitUnknownError(error);
          }
          throw error;
        }
        return result;
      } catch (error) {
        if (!(error instanceof LakeCommitUnknownError)) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
        }
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  async tableNames(prefix: string): Promise<string[]> {
    const rows = await this.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = ${lit(this.schema)} AND left(table_name, ${prefix.length}) = ${lit(prefix)}`,
    );
    return rows.map((r) => String(r.table_name));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

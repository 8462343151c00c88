/**
 * State in PostgreSQL through `pg`: a small pool; a transaction holds one client from BEGIN
 * to COMMIT, so many processes on many machines can share one state database safely.
 */
import type pg from 'pg';
import { quoteIdent, STATE_SCHEMA, type StateDb } from './db';

type Queryable = Pick<pg.PoolClient, 'query'>;

class PgExecutor implements StateDb {
  readonly dialect = 'postgres' as const;
  constructor(
    protected readonly target: Queryable,
    private readonly pool?: pg.Pool,
  ) {}

  table(name: string): string {
    return `${quoteIdent(STATE_SCHEMA)}.${quoteIdent(name)}`;
  }

  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const result = await this.target.query(sql, params);
    return result.rows as T[];
  }

  async transaction<T>(fn: (db: StateDb) => Promise<T>): Promise<T> {
    if (!this.pool) return fn(this);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PgExecutor(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }
}

export async function openPostgresState(config: pg.PoolConfig): Promise<StateDb> {
  // Loaded here, not at start: a CLI command without PostgreSQL never pays for `pg`.
  const { default: pg } = await import('pg');
  // BIGINT columns come back as JS numbers: state timestamps and ids fit a double exactly.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ max: 4, ...config, types });
  // An idle client dropped by the server (restart, failover) must not take the process down;
  // the next query gets a fresh client.
  pool.on('error', () => undefined);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(STATE_SCHEMA)}`);
  return new PgExecutor(pool, pool);
}

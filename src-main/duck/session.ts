/**
 * A session is one DuckDB connection used for a sequence of statements (a console tab, a
 * preview): statements run one at a time in order, share temp objects and settings, and a
 * running statement is cancelled by aborting its signal (DuckDB `interrupt`).
 */
import type { DuckDBConnection, DuckDBMaterializedResult } from '@duckdb/node-api';
import { PasException } from '../../src-shared/errors';
import { sqlError } from './sql-errors';

const CANCELLED = { code: 'cancelled', message: 'The query was cancelled.' } as const;

export class Session {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly onClose: () => void = () => {},
  ) {}

  /** Runs `sql` (one or more statements) and returns the last statement's full result. */
  run(sql: string, signal?: AbortSignal): Promise<DuckDBMaterializedResult> {
    const task = this.queue.then(() => this.runNow(sql, signal));
    this.queue = task.catch(() => undefined);
    return task;
  }

  /** Runs `fn` with the session's connection, in turn with the session's statements. */
  withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const task = this.queue.then(() => fn(this.connection));
    this.queue = task.catch(() => undefined);
    return task;
  }

  private async runNow(sql: string, signal?: AbortSignal): Promise<DuckDBMaterializedResult> {
    if (this.closed) throw new PasException({ code: 'internal', message: 'The session is closed.' });
    if (signal?.aborted) throw new PasException(CANCELLED);
    // DuckDB clears a pending interrupt when a statement starts, so an abort that lands just
    // before the statement begins would be lost: keep interrupting until the run settles.
    let repeat: ReturnType<typeof setInterval> | undefined;
    const interrupt = () => {
      this.connection.interrupt();
      repeat ??= setInterval(() => this.connection.interrupt(), 25);
    };
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      return await this.runStatements(sql);
    } catch (raw) {
      if (signal?.aborted) throw new PasException(CANCELLED);
      const message = raw instanceof Error ? raw.message : String(raw);
      const offset = message.startsWith('Parser Error') ? await this.parserOffset(sql) : undefined;
      throw new PasException(sqlError(sql, raw, offset));
    } finally {
      signal?.removeEventListener('abort', interrupt);
      if (repeat) clearInterval(repeat);
    }
  }

  /**
   * Runs every statement of `sql` in order and returns the last one's result, as a console
   * user expects (DuckDB's own multi-statement run hands back an earlier statement's result).
   */
  private async runStatements(sql: string): Promise<DuckDBMaterializedResult> {
    // One statement (no `;` but trailing ones: every preview and most queries) needs no split.
    if (!sql.replace(/[\s;]+$/, '').includes(';')) return this.connection.run(sql);
    // A text DuckDB cannot split fails in `run` too, with the message and position users know.
    const statements = await this.connection.extractStatements(sql).catch(() => undefined);
    if (!statements || statements.count <= 1) return this.connection.run(sql);
    let last: DuckDBMaterializedResult | undefined;
    for (let index = 0; index < statements.count; index++) {
      const prepared = await statements.prepare(index);
      last = await prepared.run();
    }
    return last as DuckDBMaterializedResult;
  }

  /** DuckDB's parser reports the offset of a syntax error that its message lacks. */
  private async parserOffset(sql: string): Promise<number | undefined> {
    try {
      const reader = await this.connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
      const parsed = JSON.parse(String(reader.getRows()[0]?.[0] ?? '{}')) as { position?: string };
      return parsed.position !== undefined ? Number(parsed.position) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Interrupts whatever runs, then disconnects once the queue has drained. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.interrupt();
    await this.queue;
    this.connection.closeSync();
    this.onClose();
  }
}

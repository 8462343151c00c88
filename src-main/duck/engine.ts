/**
 * The one owner of DuckDB in the process: the database instance and the connections made
 * from it. Everything else asks the engine for a connection or a session.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Session } from './session';

export interface EngineOptions {
  /** Database file; in-memory when omitted. */
  path?: string;
  /** DuckDB settings applied at start, e.g. `{ threads: '2' }`. */
  settings?: Record<string, string>;
}

export class DuckEngine {
  private closed = false;
  private readonly sessions = new Set<Session>();
  private defaultCatalog: string | undefined;

  private constructor(readonly instance: DuckDBInstance) {}

  static async open(options: EngineOptions = {}): Promise<DuckEngine> {
    const instance = await DuckDBInstance.create(options.path ?? ':memory:', options.settings);
    return new DuckEngine(instance);
  }

  async connect(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('The DuckDB engine is closed.');
    const connection = await this.instance.connect();
    if (this.defaultCatalog) await connection.run(`USE "${this.defaultCatalog.replace(/"/g, '""')}"`);
    return connection;
  }

  /**
   * Makes an attached database the default catalog of every connection made from now on, so
   * `marts.x` means the project's warehouse (USE is per connection in DuckDB).
   */
  useCatalog(name: string | undefined): void {
    this.defaultCatalog = name;
  }

  async openSession(): Promise<Session> {
    const session = new Session(await this.connect(), () => this.sessions.delete(session));
    this.sessions.add(session);
    return session;
  }

  async version(): Promise<string> {
    const connection = await this.connect();
    try {
      const reader = await connection.runAndReadAll('SELECT version()');
      return String(reader.getRows()[0]?.[0] ?? 'unknown');
    } finally {
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.sessions].map((session) => session.close()));
    this.instance.closeSync();
  }
}

/**
 * A warehouse in a DuckDB database (attached into the engine under an alias): tables and views
 * are plain DuckDB objects, and a delete-then-insert is one DuckDB transaction.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { readRows } from '../duck/read';
import type { QualifiedName } from './naming';
import { assertCatalog, quoteIdentifier, type Row, type Warehouse, type WarehouseColumn } from './warehouse';

export class DuckDbWarehouse implements Warehouse {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly connection: DuckDBConnection,
    readonly catalog: string,
  ) {}

  qualify(name: QualifiedName): string {
    assertCatalog(this.catalog, name);
    return `${quoteIdentifier(this.catalog)}.${quoteIdentifier(name.schema)}.${quoteIdentifier(name.table)}`;
  }

  query(sql: string, signal?: AbortSignal): Promise<Row[]> {
    return this.serial(async () => {
      return readRows(this.connection, sql, signal);
    });
  }


  async ensureSchema(schema: string): Promise<void> {
    await this.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.catalog)}.${quoteIdentifier(schema)}`);
  }

  async exists(name: QualifiedName): Promise<'table' | 'view' | undefined> {
    const rows = await this.params(
      `SELECT table_type FROM information_schema.tables WHERE table_catalog = $1 AND table_schema = $2 AND table_name = $3`,
      [this.catalog, name.schema, name.table],
    );
    const type = rows[0]?.table_type;
    return type === undefined ? undefined : type === 'VIEW' ? 'view' : 'table';
  }

  async columns(name: QualifiedName): Promise<WarehouseColumn[]> {
    const rows = await this.params(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = $1 AND table_schema = $2 AND table_name = $3 ORDER BY ordinal_position`,
      [this.catalog, name.schema, name.table],
    );
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.data_type) }));
  }

  async replaceTable(name: QualifiedName, selectSql: string, signal?: AbortSignal): Promise<void> {
    await this.exec(`CREATE OR REPLACE TABLE ${this.qualify(name)} AS ${selectSql}`, signal);
  }

  async createEmptyTable(name: QualifiedName, selectSql: string, signal?: AbortSignal): Promise<void> {
    await this.exec(`CREATE TABLE IF NOT EXISTS ${this.qualify(name)} AS SELECT * FROM (${selectSql}) AS __q LIMIT 0`, signal);
  }

  async deleteInsert(name: QualifiedName, predicateSql: string | undefined, selectSql: string, signal?: AbortSignal): Promise<void> {
    const target = this.qualify(name);
    await this.transaction(async () => {
      if (predicateSql) await this.execNow(`DELETE FROM ${target} WHERE ${predicateSql}`, signal);
      await this.execNow(`INSERT INTO ${target} BY NAME ${selectSql}`, signal);
    });
  }

  async replaceView(name: QualifiedName, selectSql: string): Promise<void> {
    await this.exec(`CREATE OR REPLACE VIEW ${this.qualify(name)} AS ${selectSql}`);
  }

  async addColumns(name: QualifiedName, columns: WarehouseColumn[]): Promise<void> {
    if (columns.length === 0) return;
    await this.transaction(async () => {
      for (const c of columns) await this.execNow(`ALTER TABLE ${this.qualify(name)} ADD COLUMN ${quoteIdentifier(c.name)} ${c.type}`);
    });
  }

  async swapViews(views: { name: QualifiedName; selectSql: string }[], drop: QualifiedName[]): Promise<void> {
    await this.transaction(async () => {
      for (const schema of new Set(views.map((v) => v.name.schema))) {
        await this.execNow(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.catalog)}.${quoteIdentifier(schema)}`);
      }
      for (const view of views) await this.execNow(`CREATE OR REPLACE VIEW ${this.qualify(view.name)} AS ${view.selectSql}`);
      for (const name of drop) await this.execNow(`DROP VIEW IF EXISTS ${this.qualify(name)}`);
    });
  }

  async drop(name: QualifiedName, what: 'table' | 'view'): Promise<void> {
    await this.exec(`DROP ${what === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${this.qualify(name)}`);
  }

  async schemas(): Promise<string[]> {
    const rows = await this.params(`SELECT schema_name FROM information_schema.schemata WHERE catalog_name = $1 ORDER BY 1`, [this.catalog]);
    return rows.map((r) => String(r.schema_name));
  }

  async objects(schema: string): Promise<{ name: string; kind: 'table' | 'view' }[]> {
    const rows = await this.params(
      `SELECT table_name, table_type FROM information_schema.tables WHERE table_catalog = $1 AND table_schema = $2 ORDER BY 1`,
      [this.catalog, schema],
    );
    return rows.map((r) => ({ name: String(r.table_name), kind: r.table_type === 'VIEW' ? ('view' as const) : ('table' as const) }));
  }

  private params(sql: string, values: DuckDBValue[]): Promise<Row[]> {
    return this.serial(async () => (await this.connection.runAndReadAll(sql, values)).getRowObjects());
  }

  private exec(sql: string, signal?: AbortSignal): Promise<void> {
    return this.serial(() => this.execNow(sql, signal));
  }

  private async execNow(sql: string, signal?: AbortSignal): Promise<void> {
    const stop = () => this.connection.interrupt();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await this.connection.run(sql);
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }

  private transaction(fn: () => Promise<void>): Promise<void> {
    return this.serial(async () => {
      await this.connection.run('BEGIN TRANSACTION');
      try {
        await fn();
        await this.connection.run('COMMIT');
      } catch (error) {
        await this.connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/**
 * A warehouse in the DuckLake lake: each write is one lake transaction (one snapshot), so a
 * delete-then-insert of an interval lands whole or not at all; reads go through the lake's
 * attachment, where tables are views over their Parquet files. View bodies are stored without
 * the attach alias (`schema.table`), as the DuckLake format expects.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { readRows } from '../duck/read';
import type { Lake } from '../lake/lake';
import type { LakeTransaction } from '../lake/transaction';
import type { QualifiedName } from './naming';
import { assertCatalog, quoteIdentifier, type Row, type Warehouse, type WarehouseColumn } from './warehouse';

export class LakeWarehouse implements Warehouse {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(
    readonly lake: Lake,
    private readonly connection: DuckDBConnection,
    readonly catalog: string,
  ) {}

  qualify(name: QualifiedName): string {
    assertCatalog(this.catalog, name);
    return `${quoteIdentifier(this.catalog)}.${quoteIdentifier(name.schema)}.${quoteIdentifier(name.table)}`;
  }

  /** SQL as a lake view stores it: our own catalog-qualified names without the attach alias. */
  private portable(sql: string): string {
    return sql.split(`${quoteIdentifier(this.catalog)}.`).join('');
  }

  query(sql: string, signal?: AbortSignal): Promise<Row[]> {
    return this.serial(async () => {
      await this.lake.refresh();
      return readRows(this.connection, sql, signal);
    });
  }


  ensureSchema(schema: string): Promise<void> {
    // Once per schema and warehouse: an apply of 1,000 models asks 1,000 times. Concurrent
    // callers share the one transaction (two creating it at once would conflict).
    let ensured = this.ensured.get(schema);
    if (!ensured) {
      ensured = this.write((tx) => {
        if (!tx.schema(schema)) tx.createSchema(schema, { ifNotExists: true });
      });
      this.ensured.set(schema, ensured);
      ensured.catch(() => this.ensured.delete(schema));
    }
    return ensured;
  }

  async exists(name: QualifiedName): Promise<'table' | 'view' | undefined> {
    return this.write((tx) => (tx.table(name.schema, name.table) ? 'table' : tx.view(name.schema, name.table) ? 'view' : undefined));
  }

  async columns(name: QualifiedName): Promise<WarehouseColumn[]> {
    const rows = await this.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = '${this.catalog.replace(/'/g, "''")}' AND table_schema = '${name.schema.replace(/'/g, "''")}' AND table_name = '${name.table.replace(/'/g, "''")}' ORDER BY ordinal_position`,
    );
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.data_type) }));
  }

  async replaceTable(name: QualifiedName, selectSql: string): Promise<void> {
    await this.write(async (tx) => {
      if (tx.view(name.schema, name.table)) tx.dropView(name.schema, name.table);
      await tx.createTableAs(name.schema, name.table, selectSql, { replace: true });
    });
  }

  async createEmptyTable(name: QualifiedName, selectSql: string): Promise<void> {
    await this.write(async (tx) => {
      if (!tx.table(name.schema, name.table)) await tx.createTableAs(name.schema, name.table, `SELECT * FROM (${selectSql}) AS __q LIMIT 0`);
    });
  }

  async deleteInsert(name: QualifiedName, predicateSql: string | undefined, selectSql: string): Promise<void> {
    await this.write(async (tx) => {
      if (predicateSql) await tx.delete(name.schema, name.table, predicateSql);
      await tx.append(name.schema, name.table, selectSql);
    });
  }

  async replaceView(name: QualifiedName, selectSql: string): Promise<void> {
    // The lake stores a view's text unbound; bind it now, so a view over a missing table fails
    // here, at its own model, instead of later as an unknown physical table in a downstream model.
    await this.query(`SELECT * FROM (${selectSql}) AS __bound LIMIT 0`);
    await this.write((tx) => {
      if (tx.table(name.schema, name.table)) tx.dropTable(name.schema, name.table);
      tx.createView(name.schema, name.table, this.portable(selectSql), { replace: true });
    });
  }

  async addColumns(name: QualifiedName, columns: WarehouseColumn[]): Promise<void> {
    if (columns.length === 0) return;
    await this.write(async (tx) => {
      for (const c of columns) await tx.addColumn(name.schema, name.table, { name: c.name, type: c.type });
    });
  }

  async swapViews(views: { name: QualifiedName; selectSql: string }[], drop: QualifiedName[]): Promise<void> {
    await this.write((tx) => {
      for (const view of views) {
        if (!tx.schema(view.name.schema)) tx.createSchema(view.name.schema, { ifNotExists: true });
        if (tx.table(view.name.schema, view.name.table)) tx.dropTable(view.name.schema, view.name.table);
        tx.createView(view.name.schema, view.name.table, this.portable(view.selectSql), { replace: true });
      }
      for (const name of drop) tx.dropView(name.schema, name.table, { ifExists: true });
    });
  }

  async drop(name: QualifiedName, what: 'table' | 'view'): Promise<void> {
    await this.write((tx) => {
      if (what === 'view') tx.dropView(name.schema, name.table, { ifExists: true });
      else tx.dropTable(name.schema, name.table, { ifExists: true });
    });
  }

  async schemas(): Promise<string[]> {
    const state = await this.lake.state();
    return state.schemas.map((s) => s.name).sort();
  }

  async objects(schema: string): Promise<{ name: string; kind: 'table' | 'view' }[]> {
    const state = await this.lake.state();
    return [
      ...state.tables.filter((t) => t.schemaName === schema).map((t) => ({ name: t.name, kind: 'table' as const })),
      ...state.views.filter((v) => v.schemaName === schema).map((v) => ({ name: v.name, kind: 'view' as const })),
    ].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * One lake transaction. Not queued behind other calls: each transaction has its own DuckDB
   * connection and commits optimistically, so independent models evaluated at once
   * (concurrent_tasks) write their Parquet files in parallel; commits serialize in the catalog.
   */
  private async write<T>(fn: (tx: LakeTransaction) => Promise<T> | T): Promise<T> {
    return (await this.lake.transaction(fn)).result;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

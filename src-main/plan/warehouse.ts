/**
 * Where models materialize: the operations the plan/apply/run engine needs from a warehouse,
 * and nothing else. Two implementations: a DuckDB database (a project whose gateway has a
 * plain duckdb connection) and the DuckLake lake (`catalogs:` entry of `type: ducklake`).
 * Each write is atomic: a delete-then-insert lands whole or not at all.
 */
import { PasException } from '../../src-shared/errors';
import type { QualifiedName } from './naming';

export type Row = Record<string, unknown>;

export interface WarehouseColumn {
  name: string;
  type: string;
}

export interface Warehouse {
  /** The DuckDB catalog (database alias) the warehouse's objects are visible under. */
  readonly catalog: string;
  /** A fully qualified, quoted SQL name of an object in this warehouse. */
  qualify(name: QualifiedName): string;
  /** Runs a read query (plain SQL over the warehouse catalog and anything else attached). */
  query(sql: string, signal?: AbortSignal): Promise<Row[]>;
  /** Creates a schema if missing, in `catalog` (a model name's catalog) or the default one. */
  ensureSchema(schema: string, catalog?: string): Promise<void>;
  exists(name: QualifiedName): Promise<'table' | 'view' | undefined>;
  columns(name: QualifiedName): Promise<WarehouseColumn[]>;
  /** Creates or replaces a table with a query's result. */
  replaceTable(name: QualifiedName, selectSql: string, signal?: AbortSignal): Promise<void>;
  /** Creates an empty table with the columns of a query, if it does not exist yet. */
  createEmptyTable(name: QualifiedName, selectSql: string, signal?: AbortSignal): Promise<void>;
  /** Deletes the rows matching `predicateSql` (omitted: none) and inserts a query's rows, atomically. */
  deleteInsert(name: QualifiedName, predicateSql: string | undefined, selectSql: string, signal?: AbortSignal): Promise<void>;
  replaceView(name: QualifiedName, selectSql: string): Promise<void>;
  /** Adds the given columns to a table (a forward-only change migrates its table in place). */
  addColumns(name: QualifiedName, columns: WarehouseColumn[]): Promise<void>;
  /**
   * Points many views at once (creating their schemas) and drops others, atomically: promoting
   * an environment of 1,000 models is one commit, not 1,000.
   */
  swapViews(views: { name: QualifiedName; selectSql: string }[], drop: QualifiedName[]): Promise<void>;
  drop(name: QualifiedName, what: 'table' | 'view'): Promise<void>;
  /** Schemas whose name starts with a prefix, for the janitor and the environment list. */
  schemas(): Promise<string[]>;
  objects(schema: string): Promise<{ name: string; kind: 'table' | 'view' }[]>;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A model whose name gives another catalog than the warehouse's own cannot live in it. */
export function assertCatalog(catalog: string, name: QualifiedName): void {
  if (name.catalog === undefined || name.catalog.toLowerCase() === catalog.toLowerCase()) return;
  throw new PasException({
    code: 'validation',
    message: `${name.catalog}.${name.schema}.${name.table} names catalog '${name.catalog}', which is not one of the gateway's catalogs (${catalog})`,
    issues: [],
  });
}

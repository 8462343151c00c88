/**
 * One lake transaction: the writes that become one snapshot. Data work happens as each call is
 * made (Parquet files are written to a local staging folder with DuckDB and their statistics
 * kept); the catalog rows are only built at commit (commit.ts), on top of whatever snapshot is
 * then the latest, so a retry after another writer's commit costs no data work.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CatalogState, DataFileState, SchemaState, TableState, ViewState } from './catalog/state';
import { LakeCatalogError } from './errors';
import { fileFitsTable, moveFile, type PreparedDataFile } from './prepared-file';
import { tableScanSql, type ReadSources } from './read';
import { ident, lit, uuidv7 } from './sql';
import {
  assignIds,
  duckdbType,
  fieldIdsSql,
  flatten,
  isFloatType,
  leafPaths,
  specFromDuckDBType,
  type ColumnSpec,
  type LakeColumn,
} from './types';

export const DELETE_FILE_PATH_FIELD_ID = 2147483646;
export const DELETE_POS_FIELD_ID = 2147483645;

/** A column for createTable / addColumn: a DuckDB type name and optionally a literal default. */
export interface ColumnDefinition {
  name: string;
  /** DuckDB type, e.g. `BIGINT`, `DECIMAL(9,2)`, `VARCHAR[]`, `STRUCT(a INT, b VARCHAR)`. */
  type: string;
  nullable?: boolean;
  /** A literal default (stored as its text). */
  default?: string | number | boolean | null;
}

export interface CommitInfo {
  author?: string;
  message?: string;
  extraInfo?: string;
}

export interface FileColumnStat {
  columnId: number;
  type: string;
  columnSizeBytes: number | null;
  valueCount: number | null;
  nullCount: number | null;
  min: string | null;
  max: string | null;
  containsNan: boolean | null;
}

export interface NewDataFile {
  tempId: number;
  tableRef: number;
  key: string;
  relPath: string;
  localPath: string;
  recordCount: number;
  fileSize: number;
  footerSize: number;
  stats: FileColumnStat[];
}

export interface NewDeleteFile {
  key: string;
  relPath: string;
  localPath: string;
  count: number;
  fileSize: number;
  footerSize: number;
}

export interface FileDelete {
  tableId: number;
  dataFileId: number;
  oldDeleteFileId: number | null;
  /** Every row of the data file is gone: end the file instead of writing a delete file. */
  endDataFile: boolean;
  file: NewDeleteFile | null;
}

export interface NewSchema {
  ref: number;
  name: string;
  uuid: string;
  path: string;
}
export interface NewTable {
  ref: number;
  schemaRef: number;
  name: string;
  uuid: string;
  path: string;
}
export interface NewView {
  ref: number;
  schemaRef: number;
  name: string;
  uuid: string;
  sql: string;
  aliases: string[];
}

/** Column rows to end and to insert for an existing table. */
export interface TableAlter {
  endColumnIds: Set<number>;
  newColumns: { column: LakeColumn; parentId: number | null }[];
}

/** What a transaction needs from its lake. */
export interface TransactionHost {
  readonly stagingDir: string;
  readonly dataPath: string;
  readSources(connection: DuckDBConnection, scratchCatalog: string): ReadSources;
  parquetOptions(): string;
  /** Fills the data files of committed tables as of the snapshot (loaded only when needed). */
  loadFiles(tables: TableState[], snapshotId: number): Promise<void>;
}

let nextTempId = -1;
const tempId = (): number => nextTempId--;

export class LakeTransaction {
  readonly newSchemas: NewSchema[] = [];
  readonly droppedSchemas = new Set<number>();
  readonly newTables: NewTable[] = [];
  readonly droppedTables = new Set<number>();
  readonly newViews: NewView[] = [];
  readonly droppedViews = new Set<number>();
  readonly alters = new Map<number, TableAlter>();
  readonly newFiles: NewDataFile[] = [];
  readonly fileDeletes = new Map<number, FileDelete>();
  /** Inlined-data rows deleted: table name → row ids, per table id. */
  readonly inlinedRowDeletes = new Map<number, Map<string, Set<number>>>();
  /** Max column id ever used per existing table (for ADD COLUMN). */
  readonly maxColumnIds = new Map<number, number>();
  readonly droppedSchemaNames = new Map<number, string>();
  readonly droppedTableNames = new Map<number, string>();
  readonly droppedViewNames = new Map<number, string>();
  info: CommitInfo = {};
  private staged: string[] = [];
  private readonly filesLoaded = new Set<number>();
  private counter = 0;
  private readonly sources: ReadSources;

  constructor(
    readonly base: CatalogState,
    private readonly host: TransactionHost,
    readonly connection: DuckDBConnection,
    maxColumnIds: Map<number, number>,
  ) {
    for (const [k, v] of maxColumnIds) this.maxColumnIds.set(k, v);
    this.sources = host.readSources(connection, 'temp');
  }

  /** The snapshot this transaction reads and builds on. */
  get baseSnapshot(): number {
    return this.base.snapshot.id;
  }

  get isEmpty(): boolean {
    return (
      !this.newSchemas.length &&
      !this.droppedSchemas.size &&
      !this.newTables.length &&
      !this.droppedTables.size &&
      !this.newViews.length &&
      !this.droppedViews.size &&
      !this.alters.size &&
      !this.newFiles.length &&
      !this.fileDeletes.size &&
      !this.inlinedRowDeletes.size
    );
  }

  /** Sets the author, message and extra info recorded with the snapshot. */
  setCommitInfo(info: CommitInfo): void {
    this.info = { ...this.info, ...info };
  }

  // ---- lookups -------------------------------------------------------------------------

  schema(name: string): SchemaState | undefined {
    return this.base.schemas.find((s) => s.name === name);
  }

  private requireSchema(name: string): SchemaState {
    const schema = this.schema(name);
    if (!schema) throw new LakeCatalogError(`Schema ${name} does not exist in the lake.`);
    return schema;
  }

  table(schema: string, name: string): TableState | undefined {
    return this.base.tables.find((t) => t.schemaName === schema && t.name === name);
  }

  private requireTable(schema: string, name: string): TableState {
    const table = this.table(schema, name);
    if (!table) throw new LakeCatalogError(`Table ${schema}.${name} does not exist in the lake.`);
    return table;
  }

  view(schema: string, name: string): ViewState | undefined {
    return this.base.views.find((v) => v.schemaName === schema && v.name === name);
  }

  tableName(tableId: number): string {
    const t = this.base.tables.find((x) => x.id === tableId);
    return t ? `${t.schemaName}.${t.name}` : (this.droppedTableNames.get(tableId) ?? `table ${tableId}`);
  }

  /** Reads a table as this transaction sees it (its own writes included). */
  async scanSql(schema: string, name: string): Promise<string> {
    return tableScanSql(await this.withFiles(this.requireTable(schema, name)), this.baseSnapshot, this.sources);
  }

  /** A table with its committed data files loaded (before files this transaction added). */
  private async withFiles(t: TableState): Promise<TableState> {
    if (t.id < 0 || this.filesLoaded.has(t.id)) return t;
    const added = t.files;
    t.files = [];
    await this.host.loadFiles([t], this.baseSnapshot);
    t.files.push(...added);
    this.filesLoaded.add(t.id);
    return t;
  }

  /** Runs a query on the transaction's DuckDB connection and returns plain rows. */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS();
  }

  // ---- schemas -------------------------------------------------------------------------

  createSchema(name: string, options: { ifNotExists?: boolean } = {}): void {
    if (this.schema(name)) {
      if (options.ifNotExists) return;
      throw new LakeCatalogError(`Schema ${name} already exists in the lake.`);
    }
    const ref = tempId();
    const uuid = crypto.randomUUID();
    const path = /^[A-Za-z0-9_-]+$/.test(name) ? `${name}/` : `${uuid}/`;
    this.newSchemas.push({ ref, name, uuid, path });
    this.base.schemas.push({ id: ref, name, path, dirKey: path });
  }

  dropSchema(name: string, options: { ifExists?: boolean; cascade?: boolean } = {}): void {
    const schema = this.schema(name);
    if (!schema) {
      if (options.ifExists) return;
      throw new LakeCatalogError(`Schema ${name} does not exist in the lake.`);
    }
    const tables = this.base.tables.filter((t) => t.schemaId === schema.id);
    const views = this.base.views.filter((v) => v.schemaId === schema.id);
    if ((tables.length || views.length) && !options.cascade) {
      throw new LakeCatalogError(`Schema ${name} is not empty; drop its tables and views first or use cascade.`);
    }
    for (const t of tables) this.dropTable(name, t.name);
    for (const v of views) this.dropView(name, v.name);
    this.base.schemas.splice(this.base.schemas.indexOf(schema), 1);
    if (schema.id < 0) this.newSchemas.splice(this.newSchemas.findIndex((s) => s.ref === schema.id), 1);
    else {
      this.droppedSchemas.add(schema.id);
      this.droppedSchemaNames.set(schema.id, schema.name);
    }
  }

  // ---- tables --------------------------------------------------------------------------

  /** Creates an empty table from column definitions. */
  async createTable(
    schema: string,
    name: string,
    columns: ColumnDefinition[],
    options: { replace?: boolean; ifNotExists?: boolean } = {},
  ): Promise<void> {
    if (!columns.length) throw new LakeCatalogError(`Table ${schema}.${name} needs at least one column.`);
    const select = columns.map((c) => `NULL::${c.type} AS ${ident(c.name)}`).join(', ');
    const specs = await this.specsOf(`SELECT ${select}`);
    specs.forEach((spec, i) => {
      const def = columns[i]!;
      spec.nullable = def.nullable ?? true;
      if (def.default !== undefined && def.default !== null) spec.defaultValue = String(def.default);
    });
    this.createTableFromSpecs(schema, name, specs, options);
  }

  /** CREATE TABLE ... AS query: the table takes the query's column names and types. */
  async createTableAs(schema: string, name: string, query: string, options: { replace?: boolean } = {}): Promise<number> {
    const specs = await this.specsOf(query);
    if (!this.createTableFromSpecs(schema, name, specs, options)) return 0;
    return this.append(schema, name, query);
  }

  private createTableFromSpecs(schema: string, name: string, specs: ColumnSpec[], options: { replace?: boolean; ifNotExists?: boolean }): boolean {
    const owner = this.requireSchema(schema);
    if (this.table(schema, name)) {
      if (options.ifNotExists) return false;
      if (!options.replace) throw new LakeCatalogError(`Table ${schema}.${name} already exists in the lake.`);
      this.dropTable(schema, name);
    }
    if (this.view(schema, name)) throw new LakeCatalogError(`${schema}.${name} is a view in the lake.`);
    const seen = new Set<string>();
    for (const s of specs) {
      const key = s.name.toLowerCase();
      if (seen.has(key)) throw new LakeCatalogError(`Table ${schema}.${name} would have two columns named ${s.name}.`);
      seen.add(key);
    }
    const ref = tempId();
    const uuid = uuidv7();
    const path = /^[A-Za-z0-9_-]+$/.test(name) ? `${name}/` : `${uuid}/`;
    this.newTables.push({ ref, schemaRef: owner.id, name, uuid, path });
    this.base.tables.push({
      id: ref,
      uuid,
      schemaId: owner.id,
      schemaName: schema,
      name,
      beginSnapshot: this.baseSnapshot + 1,
      dirKey: owner.dirKey + path,
      path,
      columns: assignIds(specs, { value: 1 }),
      files: [],
      inlined: [],
    });
    return true;
  }

  dropTable(schema: string, name: string, options: { ifExists?: boolean } = {}): void {
    const table = this.table(schema, name);
    if (!table) {
      if (options.ifExists) return;
      throw new LakeCatalogError(`Table ${schema}.${name} does not exist in the lake.`);
    }
    this.base.tables.splice(this.base.tables.indexOf(table), 1);
    if (table.id < 0) {
      this.newTables.splice(this.newTables.findIndex((t) => t.ref === table.id), 1);
      for (let i = this.newFiles.length - 1; i >= 0; i -= 1) {
        if (this.newFiles[i]!.tableRef === table.id) this.discard(this.newFiles.splice(i, 1)[0]!.localPath);
      }
      return;
    }
    this.droppedTables.add(table.id);
    this.droppedTableNames.set(table.id, `${schema}.${name}`);
    this.alters.delete(table.id);
    for (let i = this.newFiles.length - 1; i >= 0; i -= 1) {
      if (this.newFiles[i]!.tableRef === table.id) this.discard(this.newFiles.splice(i, 1)[0]!.localPath);
    }
    for (const [id, del] of [...this.fileDeletes]) {
      if (del.tableId === table.id) {
        if (del.file) this.discard(del.file.localPath);
        this.fileDeletes.delete(id);
      }
    }
    this.inlinedRowDeletes.delete(table.id);
  }

  // ---- columns -------------------------------------------------------------------------

  private alterOf(table: TableState): TableAlter | undefined {
    if (table.id < 0) return undefined;
    let alter = this.alters.get(table.id);
    if (!alter) {
      alter = { endColumnIds: new Set(), newColumns: [] };
      this.alters.set(table.id, alter);
    }
    return alter;
  }

  async addColumn(schema: string, table: string, column: ColumnDefinition): Promise<void> {
    const t = this.requireTable(schema, table);
    if (t.columns.some((c) => c.name.toLowerCase() === column.name.toLowerCase())) {
      throw new LakeCatalogError(`Table ${schema}.${table} already has a column ${column.name}.`);
    }
    const [spec] = await this.specsOf(`SELECT NULL::${column.type} AS ${ident(column.name)}`);
    const literal = column.default === undefined || column.default === null ? null : String(column.default);
    spec!.nullable = column.nullable ?? true;
    spec!.initialDefault = literal;
    spec!.defaultValue = literal;
    const maxId = t.id < 0 ? Math.max(0, ...flatten(t.columns).map((c) => c.id)) : (this.maxColumnIds.get(t.id) ?? 0);
    const next = { value: maxId + 1 };
    const [added] = assignIds([spec!], next);
    if (t.id >= 0) this.maxColumnIds.set(t.id, next.value - 1);
    t.columns.push(added!);
    const alter = this.alterOf(t);
    if (alter) {
      const walk = (c: LakeColumn, parentId: number | null): void => {
        alter.newColumns.push({ column: c, parentId });
        c.children.forEach((child) => walk(child, c.id));
      };
      walk(added!, null);
    }
  }

  renameColumn(schema: string, table: string, from: string, to: string): void {
    const t = this.requireTable(schema, table);
    const column = t.columns.find((c) => c.name === from) ?? t.columns.find((c) => c.name.toLowerCase() === from.toLowerCase());
    if (!column) throw new LakeCatalogError(`Table ${schema}.${table} has no column ${from}.`);
    if (t.columns.some((c) => c !== column && c.name.toLowerCase() === to.toLowerCase())) {
      throw new LakeCatalogError(`Table ${schema}.${table} already has a column ${to}.`);
    }
    column.name = to;
    // Files written before now carry the old name: read them by field id.
    column.beginSnapshot = undefined;
    const alter = this.alterOf(t);
    if (alter) {
      const existing = alter.newColumns.find((n) => n.column.id === column.id);
      if (!existing) {
        alter.endColumnIds.add(column.id);
        alter.newColumns.push({ column, parentId: null });
      }
    }
  }

  dropColumn(schema: string, table: string, name: string): void {
    const t = this.requireTable(schema, table);
    const column = t.columns.find((c) => c.name === name) ?? t.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!column) throw new LakeCatalogError(`Table ${schema}.${table} has no column ${name}.`);
    if (t.columns.length === 1) throw new LakeCatalogError(`Cannot drop the only column of ${schema}.${table}.`);
    t.columns.splice(t.columns.indexOf(column), 1);
    const alter = this.alterOf(t);
    if (alter) {
      const ids = new Set(flatten([column]).map((c) => c.id));
      alter.newColumns = alter.newColumns.filter((n) => !ids.has(n.column.id));
      for (const id of ids) alter.endColumnIds.add(id);
    }
  }

  // ---- views ---------------------------------------------------------------------------

  createView(schema: string, name: string, sql: string, options: { replace?: boolean; columnAliases?: string[] } = {}): void {
    const owner = this.requireSchema(schema);
    if (this.table(schema, name)) throw new LakeCatalogError(`${schema}.${name} is a table in the lake.`);
    if (this.view(schema, name)) {
      if (!options.replace) throw new LakeCatalogError(`View ${schema}.${name} already exists in the lake.`);
      this.dropView(schema, name);
    }
    const body = sql.trim().replace(/;+\s*$/, '');
    const ref = tempId();
    const uuid = crypto.randomUUID();
    this.newViews.push({ ref, schemaRef: owner.id, name, uuid, sql: body, aliases: options.columnAliases ?? [] });
    this.base.views.push({ id: ref, schemaId: owner.id, schemaName: schema, name, dialect: 'duckdb', sql: body, columnAliases: options.columnAliases ?? [] });
  }

  dropView(schema: string, name: string, options: { ifExists?: boolean } = {}): void {
    const view = this.view(schema, name);
    if (!view) {
      if (options.ifExists) return;
      throw new LakeCatalogError(`View ${schema}.${name} does not exist in the lake.`);
    }
    this.base.views.splice(this.base.views.indexOf(view), 1);
    if (view.id < 0) this.newViews.splice(this.newViews.findIndex((v) => v.ref === view.id), 1);
    else {
      this.droppedViews.add(view.id);
      this.droppedViewNames.set(view.id, `${schema}.${name}`);
    }
  }

  // ---- data ----------------------------------------------------------------------------

  /** Appends the rows of `query` (matched to the table's columns by name); returns the row count. */
  async append(schema: string, table: string, query: string): Promise<number> {
    const t = this.requireTable(schema, table);
    const specs = await this.specsOf(query);
    const byName = new Map(specs.map((s) => [s.name.toLowerCase(), s]));
    for (const s of specs) {
      if (!t.columns.some((c) => c.name.toLowerCase() === s.name.toLowerCase())) {
        throw new LakeCatalogError(`Table ${schema}.${table} has no column ${s.name} (the query's columns must match the table's by name).`);
      }
    }
    const select = t.columns.map((c) => {
      const source = byName.get(c.name.toLowerCase());
      const expr = source
        ? `CAST(q.${ident(source.name)} AS ${duckdbType(c)})`
        : c.defaultValue !== null
          ? `CAST(${lit(c.defaultValue)} AS ${duckdbType(c)})`
          : `NULL::${duckdbType(c)}`;
      return `${expr} AS ${ident(c.name)}`;
    });
    const file = await this.writeDataFile(t, `SELECT ${select.join(', ')} FROM (${query}) AS q`);
    return file ? file.recordCount : 0;
  }

  private async writeDataFile(t: TableState, selectSql: string): Promise<NewDataFile | undefined> {
    const name = `ducklake-${uuidv7()}.parquet`;
    const localPath = this.stagePath(name);
    const reader = await this.connection.runAndReadAll(
      `COPY (${selectSql}) TO ${lit(localPath)} (FORMAT parquet, FIELD_IDS ${fieldIdsSql(t.columns)}${this.host.parquetOptions()}, RETURN_STATS)`,
    );
    return this.registerDataFile(t, name, localPath, reader.getRowObjectsJS()[0] as Record<string, unknown> | undefined);
  }

  /**
   * Takes a Parquet file written outside the transaction (see prepared-file.ts) as a data file
   * of the table, without rewriting it: moved into staging, stored at commit. Returns its row
   * count, or undefined (the file untouched) when it does not have exactly the table's columns,
   * types and field ids — the caller then writes its rows with `append`.
   */
  async adoptDataFile(schema: string, table: string, file: PreparedDataFile): Promise<number | undefined> {
    const [adopted] = await this.adoptDataFiles(schema, table, [file]);
    return adopted;
  }

  /**
   * `adoptDataFile` for several files of one table, in their order, reading their schemas in one
   * query (and describing each distinct schema once) instead of two queries per file.
   */
  async adoptDataFiles(schema: string, table: string, files: readonly PreparedDataFile[]): Promise<(number | undefined)[]> {
    const t = this.requireTable(schema, table);
    if (files.length === 0) return [];
    const found = await this.connection.runAndReadAll(
      `SELECT file_name, name, type, type_length, repetition_type, num_children, converted_type, scale, precision, field_id, logical_type FROM parquet_schema([${files.map((f) => lit(f.path)).join(', ')}])`,
    );
    // Per file: the leaf columns' field ids, and its whole schema as text — files with the same
    // text read as the same DuckDB columns, so each distinct one is described once.
    const schemas = new Map<string, { fieldIds: Map<string, number | null>; text: string[] }>();
    for (const row of found.getRowObjectsJS()) {
      const file = String(row.file_name);
      let entry = schemas.get(file);
      if (!entry) schemas.set(file, (entry = { fieldIds: new Map(), text: [] }));
      entry.text.push(JSON.stringify(Object.values(row).slice(1), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
      if (row.num_children === null || Number(row.num_children) === 0) entry.fieldIds.set(String(row.name).toLowerCase(), row.field_id === null ? null : Number(row.field_id));
    }
    const fits = new Map<string, boolean>();
    const fitsTable = async (file: PreparedDataFile): Promise<boolean> => {
      const entry = schemas.get(file.path);
      if (!entry) return false;
      const key = entry.text.join('\n');
      let fit = fits.get(key);
      if (fit === undefined) {
        fit = fileFitsTable(t.columns, await this.specsOf(`SELECT * FROM read_parquet(${lit(file.path)})`), entry.fieldIds);
        fits.set(key, fit);
      }
      return fit;
    };
    const adopted: (number | undefined)[] = [];
    for (const file of files) {
      if (!(await fitsTable(file))) {
        adopted.push(undefined);
        continue;
      }
      const name = `ducklake-${uuidv7()}.parquet`;
      const localPath = this.stagePath(name);
      await moveFile(file.path, localPath);
      const added = this.registerDataFile(t, name, localPath, file.stats);
      adopted.push(added ? added.recordCount : 0);
    }
    return adopted;
  }

  /** Records a staged Parquet file (with the RETURN_STATS row of its COPY) as a new data file of `t`. */
  private registerDataFile(t: TableState, name: string, localPath: string, row: Record<string, unknown> | undefined): NewDataFile | undefined {
    const count = Number(row?.count ?? 0);
    if (!row || count === 0) {
      this.discard(localPath);
      return undefined;
    }
    const stats = parseColumnStats(row.column_statistics, t.columns);
    const notNull = new Set(t.columns.filter((c) => !c.nullable && c.children.length === 0).map((c) => c.id));
    const violated = stats.find((s) => notNull.has(s.columnId) && (s.nullCount ?? 0) > 0);
    if (violated) {
      this.discard(localPath);
      const column = t.columns.find((c) => c.id === violated.columnId)!;
      throw new LakeCatalogError(`Column ${column.name} of ${t.schemaName}.${t.name} is NOT NULL, but ${violated.nullCount} new rows have no value.`);
    }
    const file: NewDataFile = {
      tempId: tempId(),
      tableRef: t.id,
      key: t.dirKey + name,
      relPath: name,
      localPath,
      recordCount: count,
      fileSize: Number(row.file_size_bytes),
      footerSize: Number(row.footer_size_bytes),
      stats,
    };
    this.newFiles.push(file);
    t.files.push({
      id: file.tempId,
      key: file.key,
      path: name,
      recordCount: count,
      fileSize: file.fileSize,
      rowIdStart: 0,
      beginSnapshot: this.baseSnapshot + 1,
      partialMax: null,
      mappingId: null,
      localPath,
    });
    return file;
  }

  /** Deletes the rows matching `predicate` (a SQL condition on the table's columns); returns how many. */
  async delete(schema: string, table: string, predicate = 'true'): Promise<number> {
    const t = await this.withFiles(this.requireTable(schema, table));
    const scan = await tableScanSql(t, this.baseSnapshot, this.sources, { locator: true });
    const temp = `__lake_delete_${process.pid}_${++this.counter}`;
    await this.connection.run(
      `CREATE OR REPLACE TEMP TABLE ${ident(temp)} AS SELECT __lake_src AS src, __lake_pos AS pos, __lake_inlined AS inl FROM (${scan}) AS t WHERE (${predicate})`,
    );
    try {
      const groups = await this.query(`SELECT src, inl, count(*) AS n FROM ${ident(temp)} GROUP BY ALL`);
      let total = 0;
      for (const g of groups) {
        const n = Number(g.n);
        total += n;
        if (g.inl !== null && g.inl !== undefined) {
          const rows = await this.query(`SELECT pos FROM ${ident(temp)} WHERE inl = ${lit(String(g.inl))}`);
          this.deleteInlinedRows(t, String(g.inl), rows.map((r) => Number(r.pos)));
          continue;
        }
        const fileId = Number(g.src);
        const file = t.files.find((f) => f.id === fileId);
        if (!file) throw new Error(`Internal error: deleted rows from an unknown file ${fileId}.`);
        if (fileId < 0) await this.rewritePendingFile(t, file, temp);
        else await this.deleteFromFile(t, file, temp);
      }
      return total;
    } finally {
      await this.connection.run(`DROP TABLE IF EXISTS ${ident(temp)}`);
    }
  }

  private deleteInlinedRows(t: TableState, inlinedTable: string, rowIds: number[]): void {
    let perTable = this.inlinedRowDeletes.get(t.id);
    if (!perTable) {
      perTable = new Map();
      this.inlinedRowDeletes.set(t.id, perTable);
    }
    let set = perTable.get(inlinedTable);
    if (!set) {
      set = new Set();
      perTable.set(inlinedTable, set);
    }
    for (const id of rowIds) set.add(id);
    const state = t.inlined.find((i) => i.name === inlinedTable);
    if (state) state.excludedRowIds = [...set];
  }

  /** A file this transaction wrote: write it again without the deleted rows. */
  private async rewritePendingFile(t: TableState, file: DataFileState, temp: string): Promise<void> {
    const index = this.newFiles.findIndex((f) => f.tempId === file.id);
    const old = this.newFiles[index]!;
    const cols = t.columns.map((c) => `${c.id}: {name: ${lit(`c${c.id}`)}, type: ${lit(duckdbType(c))}, default_value: NULL::VARCHAR}`);
    const select = t.columns.map((c) => `${ident(`c${c.id}`)} AS ${ident(c.name)}`).join(', ');
    const sql = `SELECT ${select} FROM read_parquet(${lit(old.localPath)}, schema = MAP {${cols.join(', ')}}, file_row_number = true) WHERE file_row_number NOT IN (SELECT pos FROM ${ident(temp)} WHERE src = ${file.id})`;
    this.newFiles.splice(index, 1);
    t.files.splice(t.files.indexOf(file), 1);
    await this.writeDataFile(t, sql);
    this.discard(old.localPath);
  }

  private async deleteFromFile(t: TableState, file: DataFileState, temp: string): Promise<void> {
    const previous = file.deleteFile;
    const previousSql = previous ? `SELECT pos FROM read_parquet(${lit(await this.sources.filePath(previous))})` : undefined;
    const union = `SELECT pos FROM ${ident(temp)} WHERE src = ${file.id}${previousSql ? ` UNION ${previousSql}` : ''}`;
    let inlinedDeleted = 0;
    if (t.inlinedDeleteTable) {
      const source = await this.sources.catalogTable(t.inlinedDeleteTable);
      const rows = await this.query(
        `SELECT count(DISTINCT row_id) AS n FROM ${source} WHERE file_id = ${file.id} AND begin_snapshot <= ${this.baseSnapshot} AND row_id NOT IN (${union})`,
      );
      inlinedDeleted = Number(rows[0]?.n ?? 0);
    }
    const counted = await this.query(`SELECT count(*) AS n FROM (${union})`);
    const positions = Number(counted[0]?.n ?? 0);
    const existing = this.fileDeletes.get(file.id);
    if (existing?.file) this.discard(existing.file.localPath);
    const oldDeleteFileId = existing ? existing.oldDeleteFileId : (previous?.id ?? null);
    if (positions + inlinedDeleted >= file.recordCount) {
      this.fileDeletes.set(file.id, { tableId: t.id, dataFileId: file.id, oldDeleteFileId, endDataFile: true, file: null });
      t.files.splice(t.files.indexOf(file), 1);
      return;
    }
    const name = `ducklake-${uuidv7()}-delete.parquet`;
    const localPath = this.stagePath(name);
    const fullPath = this.host.dataPath + file.key;
    const reader = await this.connection.runAndReadAll(
      `COPY (SELECT ${lit(fullPath)} AS file_path, pos::BIGINT AS pos FROM (${union}) ORDER BY pos) TO ${lit(localPath)} (FORMAT parquet, FIELD_IDS {file_path: ${DELETE_FILE_PATH_FIELD_ID}, pos: ${DELETE_POS_FIELD_ID}}, RETURN_STATS)`,
    );
    const row = reader.getRowObjectsJS()[0] as Record<string, unknown>;
    const newFile: NewDeleteFile = {
      key: t.dirKey + name,
      relPath: name,
      localPath,
      count: Number(row.count),
      fileSize: Number(row.file_size_bytes),
      footerSize: Number(row.footer_size_bytes),
    };
    this.fileDeletes.set(file.id, { tableId: t.id, dataFileId: file.id, oldDeleteFileId, endDataFile: false, file: newFile });
    file.deleteFile = {
      id: tempId(),
      key: newFile.key,
      deleteCount: newFile.count,
      fileSize: newFile.fileSize,
      beginSnapshot: this.baseSnapshot + 1,
      partialMax: null,
      hasSnapshotColumn: false,
      localPath,
    };
  }

  // ---- helpers -------------------------------------------------------------------------

  private async specsOf(query: string): Promise<ColumnSpec[]> {
    const result = await this.connection.run(`SELECT * FROM (${query}) AS q LIMIT 0`);
    const names = result.columnNames();
    const types = result.columnTypes();
    return names.map((n, i) => specFromDuckDBType(n, types[i]!));
  }

  private stagePath(name: string): string {
    const p = path.join(this.host.stagingDir, name);
    this.staged.push(p);
    return p;
  }

  private discard(localPath: string): void {
    rmSync(localPath, { force: true });
  }

  /** Removes whatever staged files are left (after a commit moved them, or after an abort). */
  cleanupStaging(): void {
    for (const p of this.staged) rmSync(p, { force: true });
    this.staged = [];
  }

  /** Every file to upload before the commit: [local path, storage key]. */
  uploads(): [string, string][] {
    const out: [string, string][] = this.newFiles.map((f) => [f.localPath, f.key]);
    for (const d of this.fileDeletes.values()) if (d.file) out.push([d.file.localPath, d.file.key]);
    return out;
  }
}

/** RETURN_STATS `column_statistics` → one entry per leaf column of `columns`. */
export function parseColumnStats(raw: unknown, columns: LakeColumn[]): FileColumnStat[] {
  const entries = toEntries(raw);
  const leaves = leafPaths(columns);
  const out: FileColumnStat[] = [];
  for (const [pathKey, column] of leaves) {
    const stats = new Map(toEntries(entries.get(pathKey)));
    const num = (k: string): number | null => (stats.has(k) && stats.get(k) !== null ? Number(stats.get(k)) : null);
    const str = (k: string): string | null => {
      const v = stats.get(k);
      return v === null || v === undefined || String(v).includes('\u0000') ? null : String(v);
    };
    const numValues = num('num_values');
    const nullCount = num('null_count');
    out.push({
      columnId: column.id,
      type: column.type,
      columnSizeBytes: num('column_size_bytes'),
      valueCount: numValues !== null ? numValues - (nullCount ?? 0) : null,
      nullCount,
      min: str('min'),
      max: str('max'),
      containsNan: isFloatType(column.type) ? str('has_nan') === 'true' : null,
    });
  }
  return out;
}

function toEntries(raw: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!raw) return out;
  if (Array.isArray(raw)) {
    for (const e of raw as { key: unknown; value: unknown }[]) out.set(String(e.key), e.value);
  } else if (typeof raw === 'object') {
    const r = raw as { entries?: { key: unknown; value: unknown }[] };
    if (Array.isArray(r.entries)) for (const e of r.entries) out.set(String(e.key), e.value);
    else for (const [k, v] of Object.entries(raw as Record<string, unknown>)) out.set(k, v);
  }
  return out;
}

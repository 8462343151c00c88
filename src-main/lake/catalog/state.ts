/**
 * Reads what a catalog holds at one snapshot: schemas, tables with their columns, data and
 * delete files and inlined-data tables, and views. Everything else (reading, writing, stats)
 * starts from this.
 */
import { lit, parseChanges } from '../sql';
import { buildColumnTree, type LakeColumn } from '../types';
import type { CatalogExecutor, CatalogStore, Row } from './store';

export interface SnapshotRow {
  id: number;
  time: Date;
  schemaVersion: number;
  nextCatalogId: number;
  nextFileId: number;
}

export interface SchemaState {
  id: number;
  name: string;
  /** Storage key prefix of the schema folder, ending in '/' (or ''). */
  dirKey: string;
  path: string;
}

export interface DeleteFileState {
  id: number;
  key: string;
  deleteCount: number;
  fileSize: number;
  beginSnapshot: number;
  partialMax: number | null;
  /** Positions carry a per-row snapshot column (a partial delete file). */
  hasSnapshotColumn: boolean;
  /** A file staged by an open transaction, not in storage yet. */
  localPath?: string;
}

export interface DataFileState {
  id: number;
  key: string;
  /** The path as stored (relative to the table folder when relative). */
  path: string;
  recordCount: number;
  fileSize: number;
  rowIdStart: number;
  beginSnapshot: number;
  partialMax: number | null;
  mappingId: number | null;
  deleteFile?: DeleteFileState;
  /** A file staged by an open transaction, not in storage yet. */
  localPath?: string;
}

export interface InlinedTableState {
  name: string;
  schemaVersion: number;
  /** The table's columns as of that schema version (the inlined table's layout). */
  columns: LakeColumn[];
  /** Row ids an open transaction has deleted. */
  excludedRowIds?: number[];
}

export interface TableState {
  id: number;
  uuid: string;
  schemaId: number;
  schemaName: string;
  name: string;
  beginSnapshot: number;
  /** Storage key prefix of the table folder, ending in '/'. */
  dirKey: string;
  path: string;
  columns: LakeColumn[];
  files: DataFileState[];
  inlined: InlinedTableState[];
  /** Name of `ducklake_inlined_delete_<id>` when it exists. */
  inlinedDeleteTable?: string;
}

export interface ViewState {
  id: number;
  schemaId: number;
  schemaName: string;
  name: string;
  dialect: string;
  sql: string;
  columnAliases: string[];
}

export interface CatalogState {
  snapshot: SnapshotRow;
  dataPath: string;
  schemas: SchemaState[];
  tables: TableState[];
  views: ViewState[];
}

export const visibleAt = (s: number, alias = ''): string => {
  const p = alias ? `${alias}.` : '';
  return `(${p}begin_snapshot <= ${s} AND (${p}end_snapshot IS NULL OR ${p}end_snapshot > ${s}))`;
};

export function toSnapshotRow(row: Row): SnapshotRow {
  return {
    id: Number(row.snapshot_id),
    time: row.snapshot_time instanceof Date ? row.snapshot_time : new Date(String(row.snapshot_time)),
    schemaVersion: Number(row.schema_version),
    nextCatalogId: Number(row.next_catalog_id),
    nextFileId: Number(row.next_file_id),
  };
}

export async function latestSnapshot(db: CatalogExecutor): Promise<SnapshotRow> {
  const rows = await db.query('SELECT * FROM {MD}.ducklake_snapshot WHERE snapshot_id = (SELECT max(snapshot_id) FROM {MD}.ducklake_snapshot)');
  if (!rows[0]) throw new Error('The catalog has no snapshot.');
  return toSnapshotRow(rows[0]);
}

export async function snapshotById(db: CatalogExecutor, id: number): Promise<SnapshotRow> {
  const rows = await db.query(`SELECT * FROM {MD}.ducklake_snapshot WHERE snapshot_id = ${lit(id)}`);
  if (!rows[0]) throw new Error(`No snapshot ${id} in the lake (it may have been expired).`);
  return toSnapshotRow(rows[0]);
}

/** The latest snapshot taken at or before `time` (ties broken by id). */
export async function snapshotAtTime(db: CatalogExecutor, time: Date): Promise<SnapshotRow> {
  const rows = await db.query(
    `SELECT * FROM {MD}.ducklake_snapshot WHERE snapshot_time <= ${lit(time.toISOString())}::TIMESTAMPTZ ORDER BY snapshot_time DESC, snapshot_id DESC LIMIT 1`,
  );
  if (!rows[0]) throw new Error(`No snapshot of the lake is as old as ${time.toISOString()}.`);
  return toSnapshotRow(rows[0]);
}

export async function readDataPath(db: CatalogExecutor): Promise<string> {
  const rows = await db.query(`SELECT value FROM {MD}.ducklake_metadata WHERE key = 'data_path' AND scope IS NULL`);
  return rows[0] ? String(rows[0].value) : '';
}

/** Joins catalog path parts; an absolute part replaces what came before. */
export function joinPath(base: string, part: string | null | undefined, relative: unknown): string {
  if (part === null || part === undefined) return base;
  return relative === false ? part : base + part;
}

/**
 * Turns a path relative to data_path into a storage key. Absolute paths under the data path
 * (as stored in the catalog) or under the storage root are made relative.
 */
export function toKey(path: string, dataPath: string, storageRoot: string): string {
  const p = path.replace(/\\/g, '/');
  for (const root of [dataPath, storageRoot]) {
    if (root && isAbsolute(root) && p.startsWith(root)) return p.slice(root.length);
  }
  if (isAbsolute(p)) throw new Error(`File ${p} lies outside the lake's data path ${dataPath}.`);
  return p;
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || /^[A-Za-z]:[\\/]/.test(p);
}

export interface LoadOptions {
  storageRoot: string;
  /** The catalog's data_path when already known (saves a query). */
  dataPath?: string;
  /** Only these table ids (all when omitted). */
  tableIds?: number[];
  /** Skip data files (loadDataFiles fills them when needed). */
  withoutFiles?: boolean;
  /** Skip views (the result has none). */
  withoutViews?: boolean;
}

/**
 * A copy a transaction may edit (it adds and removes schemas, tables, views, files and
 * top-level columns, and renames columns) without touching the original; nested column
 * children and file records are shared, as nothing edits them. ~50x cheaper than structuredClone.
 */
export function copyState(state: CatalogState, options: { withoutFiles?: boolean } = {}): CatalogState {
  return {
    ...state,
    schemas: state.schemas.map((x) => ({ ...x })),
    tables: state.tables.map((t) => ({ ...t, columns: t.columns.map((c) => ({ ...c })), files: options.withoutFiles ? [] : [...t.files], inlined: [...t.inlined] })),
    views: state.views.map((v) => ({ ...v })),
  };
}

/** Change types that name the id of the one table they touch. */
const TABLE_ID_CHANGES = new Set([
  'dropped_table',
  'altered_table',
  'inserted_into_table',
  'deleted_from_table',
  'inlined_insert',
  'inlined_delete',
  'inline_flush',
  'flushed_inlined',
  'merge_adjacent',
  'rewrite_delete',
  'compacted_table',
]);

/**
 * The state at `snapshot`, derived from `known` (an earlier state loaded with the same options)
 * by reloading only what the snapshots in between changed: the tables they name or create, the
 * schemas, and the views when a view changed. At 1,000 tables this costs a few small queries
 * instead of reading the whole catalog. Undefined when a change is not understood (load afresh).
 * `known` is not modified.
 */
export async function advanceState(
  store: CatalogStore | CatalogExecutor,
  known: CatalogState,
  snapshot: SnapshotRow,
  options: LoadOptions,
): Promise<CatalogState | undefined> {
  const from = known.snapshot.id;
  if (snapshot.id === from) return known;
  if (snapshot.id < from) return undefined;
  const changeRows = await store.query(
    `SELECT changes_made FROM {MD}.ducklake_snapshot_changes WHERE snapshot_id > ${from} AND snapshot_id <= ${snapshot.id}`,
  );
  if (changeRows.length !== snapshot.id - from) return undefined; // expired or missing snapshots
  const ids = new Set<number>();
  let created = false;
  let views = false;
  for (const row of changeRows) {
    for (const [type, value] of parseChanges(row.changes_made as string | null)) {
      if (TABLE_ID_CHANGES.has(type)) ids.add(Number(value));
      else if (type === 'created_table') created = true;
      else if (type === 'created_view' || type === 'dropped_view' || type === 'altered_view') views = true;
      else if (type !== 'created_schema') return undefined; // schema drops, macros, anything new: reload all
    }
  }
  if (created) {
    const rows = await store.query(`SELECT table_id FROM {MD}.ducklake_table WHERE begin_snapshot > ${from} AND begin_snapshot <= ${snapshot.id}`);
    for (const r of rows) ids.add(Number(r.table_id));
  }
  const fresh = await loadState(store, snapshot, { ...options, tableIds: [...ids], withoutViews: !views });
  const replaced = new Set(ids);
  const tables = known.tables.filter((t) => !replaced.has(t.id));
  // Schema names can change under a table only through a rename, which names the table.
  const schemaById = new Map(fresh.schemas.map((x) => [x.id, x]));
  if (tables.some((t) => schemaById.get(t.schemaId)?.name !== t.schemaName)) return undefined;
  tables.push(...fresh.tables);
  tables.sort((a, b) => a.id - b.id);
  return { ...fresh, tables, views: views ? fresh.views : known.views };
}

/** Everything visible at snapshot `s`. */
export async function loadState(store: CatalogStore | CatalogExecutor, snapshot: SnapshotRow, options: LoadOptions): Promise<CatalogState> {
  const s = snapshot.id;
  const dataPath = options.dataPath ?? (await readDataPath(store));
  const schemaRows = await store.query(`SELECT * FROM {MD}.ducklake_schema WHERE ${visibleAt(s)} ORDER BY schema_id`);
  const schemas: SchemaState[] = schemaRows.map((r) => ({
    id: Number(r.schema_id),
    name: String(r.schema_name),
    path: r.path === null || r.path === undefined ? '' : String(r.path),
    dirKey: joinPath('', r.path as string | null, r.path_is_relative),
  }));
  const schemaById = new Map(schemas.map((x) => [x.id, x]));
  const tableFilter = options.tableIds ? ` AND table_id IN (${options.tableIds.length ? options.tableIds.join(',') : 'NULL'})` : '';
  const tableRows = await store.query(`SELECT * FROM {MD}.ducklake_table WHERE ${visibleAt(s)}${tableFilter} ORDER BY table_id`);
  const tables: TableState[] = [];
  const tableIds = tableRows.map((r) => Number(r.table_id));
  const idList = tableIds.length ? tableIds.join(',') : 'NULL';
  const columnRows = tableIds.length
    ? await store.query(`SELECT * FROM {MD}.ducklake_column WHERE table_id IN (${idList}) ORDER BY table_id, column_order`)
    : [];
  // Grouped once: filtering every column row for every table is quadratic at 1,000+ tables.
  const columnRowsOf = new Map<number, Row[]>();
  for (const r of columnRows) {
    const id = Number(r.table_id);
    const list = columnRowsOf.get(id);
    if (list) list.push(r);
    else columnRowsOf.set(id, [r]);
  }
  const columnsOf = (tableId: number, at: number): LakeColumn[] =>
    buildColumnTree(
      (columnRowsOf.get(tableId) ?? []).filter(
        (r) => Number(r.begin_snapshot) <= at && (r.end_snapshot === null || r.end_snapshot === undefined || Number(r.end_snapshot) > at),
      ),
    );

  for (const r of tableRows) {
    const schema = schemaById.get(Number(r.schema_id));
    if (!schema) continue;
    const rawDataPath = dataPath;
    const dir = joinPath(schema.dirKey, r.path as string | null, r.path_is_relative);
    tables.push({
      id: Number(r.table_id),
      uuid: String(r.table_uuid),
      schemaId: schema.id,
      schemaName: schema.name,
      name: String(r.table_name),
      beginSnapshot: Number(r.begin_snapshot),
      path: r.path === null || r.path === undefined ? '' : String(r.path),
      dirKey: toKey(dir, rawDataPath, options.storageRoot),
      columns: columnsOf(Number(r.table_id), s),
      files: [],
      inlined: [],
    });
  }
  const tableById = new Map(tables.map((t) => [t.id, t]));

  if (tables.length) {
    if (!options.withoutFiles) await loadDataFiles(store, s, tables, dataPath, options.storageRoot);
    const registry = await store.query(
      `SELECT i.table_id, i.table_name, i.schema_version,
              (SELECT max(v.begin_snapshot) FROM {MD}.ducklake_schema_versions v WHERE v.table_id = i.table_id AND v.schema_version <= i.schema_version) AS layout_snapshot
       FROM {MD}.ducklake_inlined_data_tables i WHERE i.table_id IN (${idList}) ORDER BY i.table_id, i.schema_version`,
    );
    for (const r of registry) {
      const table = tableById.get(Number(r.table_id));
      if (!table) continue;
      const layoutAt = r.layout_snapshot === null || r.layout_snapshot === undefined ? table.beginSnapshot : Number(r.layout_snapshot);
      table.inlined.push({ name: String(r.table_name), schemaVersion: Number(r.schema_version), columns: columnsOf(table.id, layoutAt) });
    }
    const deleteTables = new Set('tableNames' in store ? await store.tableNames('ducklake_inlined_delete_') : []);
    for (const table of tables) {
      const name = `ducklake_inlined_delete_${table.id}`;
      if (deleteTables.has(name)) table.inlinedDeleteTable = name;
    }
  }

  const viewRows = options.withoutViews ? [] : await store.query(`SELECT * FROM {MD}.ducklake_view WHERE ${visibleAt(s)} ORDER BY view_id`);
  const views: ViewState[] = [];
  for (const r of viewRows) {
    const schema = schemaById.get(Number(r.schema_id));
    if (!schema) continue;
    views.push({
      id: Number(r.view_id),
      schemaId: schema.id,
      schemaName: schema.name,
      name: String(r.view_name),
      dialect: String(r.dialect ?? 'duckdb'),
      sql: String(r.sql),
      columnAliases: parseAliases(r.column_aliases as string | null),
    });
  }
  return { snapshot, dataPath, schemas, tables, views };
}

/** Fills `files` (data files with their visible delete file) of `tables` at snapshot `s`. */
export async function loadDataFiles(store: CatalogExecutor, s: number, tables: TableState[], dataPath: string, storageRoot: string): Promise<void> {
  const tableById = new Map(tables.map((t) => [t.id, t]));
  const idList = tables.map((t) => t.id).join(',') || 'NULL';
  const fileRows = await store.query(
    `SELECT d.data_file_id, d.table_id, d.begin_snapshot, d.path, d.path_is_relative, d.record_count, d.file_size_bytes, d.row_id_start, d.partial_max, d.mapping_id,
            del.delete_file_id, del.path AS del_path, del.path_is_relative AS del_rel, del.delete_count, del.file_size_bytes AS del_size, del.begin_snapshot AS del_begin, del.partial_max AS del_partial_max, del.format AS del_format
     FROM {MD}.ducklake_data_file d
     LEFT JOIN (SELECT * FROM {MD}.ducklake_delete_file WHERE ${visibleAt(s)}) del ON del.data_file_id = d.data_file_id
     WHERE d.table_id IN (${idList}) AND ${visibleAt(s, 'd')}
     ORDER BY d.table_id, d.begin_snapshot, d.row_id_start, d.data_file_id`,
  );
  for (const r of fileRows) {
    const table = tableById.get(Number(r.table_id));
    if (!table) continue;
    const file: DataFileState = {
      id: Number(r.data_file_id),
      path: String(r.path),
      key: r.path_is_relative === false ? toKey(String(r.path), dataPath, storageRoot) : table.dirKey + String(r.path),
      recordCount: Number(r.record_count),
      fileSize: Number(r.file_size_bytes),
      rowIdStart: Number(r.row_id_start ?? 0),
      beginSnapshot: Number(r.begin_snapshot),
      partialMax: r.partial_max === null || r.partial_max === undefined ? null : Number(r.partial_max),
      mappingId: r.mapping_id === null || r.mapping_id === undefined ? null : Number(r.mapping_id),
    };
    if (r.delete_file_id !== null && r.delete_file_id !== undefined) {
      if (r.del_format && r.del_format !== 'parquet') {
        throw new Error(`Table ${table.schemaName}.${table.name} uses ${String(r.del_format)} deletion vectors, which this reader does not support.`);
      }
      const partialMax = r.del_partial_max === null || r.del_partial_max === undefined ? null : Number(r.del_partial_max);
      file.deleteFile = {
        id: Number(r.delete_file_id),
        key: r.del_rel === false ? toKey(String(r.del_path), dataPath, storageRoot) : table.dirKey + String(r.del_path),
        deleteCount: Number(r.delete_count),
        fileSize: Number(r.del_size),
        beginSnapshot: Number(r.del_begin),
        partialMax,
        hasSnapshotColumn: partialMax !== null,
      };
    }
    table.files.push(file);
  }
}

/** `"a","b"` → ['a', 'b'] */
export function parseAliases(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  const re = /"((?:[^"]|"")*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) out.push(m[1]!.replace(/""/g, '"'));
  return out;
}

export function formatAliases(names: string[]): string {
  return names.map((n) => `"${n.replace(/"/g, '""')}"`).join(',');
}

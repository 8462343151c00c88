/**
 * Committing a transaction as one snapshot: inside one catalog transaction, read the latest
 * snapshot, check for conflicts with whatever others committed since ours began, allocate ids
 * as the extension does, and write every row in one batch, the snapshot row first (its primary
 * key is what makes two writers collide; the loser retries from the new head).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { latestSnapshot, type SnapshotRow } from './catalog/state';
import type { CatalogExecutor, Row } from './catalog/store';
import { LakeConflictError } from './errors';
import { ident, lit, parseChanges, parseQuotedNames } from './sql';
import type { FileColumnStat, LakeTransaction, NewDataFile } from './transaction';
import { duckdbType, flatten, isFloatType, type LakeColumn } from './types';

interface Changes {
  createdSchemas: Map<string, number[]>;
  createdObjects: Map<string, number[]>; // "schema\0name" → snapshots
  droppedSchemas: Map<number, number[]>;
  droppedTables: Map<number, number[]>;
  droppedViews: Map<number, number[]>;
  altered: Map<number, number[]>; // tables and views
  inserted: Map<number, number[]>; // incl. inlined inserts
  deleted: Map<number, number[]>;
  inlinedDeleted: Map<number, number[]>;
  maintained: Map<number, number[]>; // flush, merge, rewrite
}

function emptyChanges(): Changes {
  return {
    createdSchemas: new Map(),
    createdObjects: new Map(),
    droppedSchemas: new Map(),
    droppedTables: new Map(),
    droppedViews: new Map(),
    altered: new Map(),
    inserted: new Map(),
    deleted: new Map(),
    inlinedDeleted: new Map(),
    maintained: new Map(),
  };
}

function add<K>(map: Map<K, number[]>, key: K, snapshot: number): void {
  const list = map.get(key);
  if (list) list.push(snapshot);
  else map.set(key, [snapshot]);
}

async function changesSince(db: CatalogExecutor, since: number): Promise<Changes> {
  const rows = await db.query(`SELECT snapshot_id, changes_made FROM {MD}.ducklake_snapshot_changes WHERE snapshot_id > ${since} ORDER BY snapshot_id`);
  const out = emptyChanges();
  for (const row of rows) {
    const s = Number(row.snapshot_id);
    for (const [type, value] of parseChanges(row.changes_made as string | null)) {
      const id = Number(value);
      switch (type) {
        case 'created_schema':
          add(out.createdSchemas, parseQuotedNames(value)[0] ?? value, s);
          break;
        case 'created_table':
        case 'created_view':
        case 'created_scalar_macro':
        case 'created_table_macro': {
          const [schema, name] = parseQuotedNames(value);
          add(out.createdObjects, `${schema}\u0000${name}`, s);
          break;
        }
        case 'dropped_schema':
          add(out.droppedSchemas, id, s);
          break;
        case 'dropped_table':
          add(out.droppedTables, id, s);
          break;
        case 'dropped_view':
          add(out.droppedViews, id, s);
          break;
        case 'altered_table':
        case 'altered_view':
          add(out.altered, id, s);
          break;
        case 'inserted_into_table':
        case 'inlined_insert':
          add(out.inserted, id, s);
          break;
        case 'deleted_from_table':
          add(out.deleted, id, s);
          break;
        case 'inlined_delete':
          add(out.inlinedDeleted, id, s);
          break;
        case 'inline_flush':
        case 'flushed_inlined':
        case 'merge_adjacent':
        case 'rewrite_delete':
        case 'compacted_table':
          add(out.maintained, id, s);
          break;
        default:
          break;
      }
    }
  }
  return out;
}

/** Throws LakeConflictError when `tx` cannot be applied on top of what others committed since it began. */
async function checkConflicts(db: CatalogExecutor, tx: LakeTransaction, head: SnapshotRow): Promise<void> {
  const base = tx.baseSnapshot;
  const theirs = await changesSince(db, base);
  const fail = (object: string, ours: string, snapshots: number[], what: string): never => {
    const unique = [...new Set(snapshots)].sort((a, b) => a - b);
    throw new LakeConflictError(
      `Commit conflict on ${object}: this transaction ${ours}, but snapshot${unique.length > 1 ? 's' : ''} ${unique.join(', ')} ${what} since it began at snapshot ${base} (the lake is now at snapshot ${head.id}). Nothing was written; retry the transaction.`,
      object,
      base,
      unique,
    );
  };
  const pick = (...maps: Map<number, number[]>[]) => (id: number): number[] => maps.flatMap((m) => m.get(id) ?? []);

  for (const s of tx.newSchemas) {
    const hit = theirs.createdSchemas.get(s.name);
    if (hit) fail(`schema ${s.name}`, 'creates it', hit, 'created a schema of the same name');
  }
  for (const id of tx.droppedSchemas) {
    const name = schemaName(tx, id);
    const hit = theirs.droppedSchemas.get(id);
    if (hit) fail(`schema ${name}`, 'drops it', hit, 'dropped it too');
    const created = [...theirs.createdObjects].filter(([k]) => k.startsWith(`${name}\u0000`)).flatMap(([, v]) => v);
    if (created.length) fail(`schema ${name}`, 'drops it', created, 'created objects in it');
  }
  const created = [
    ...tx.newTables.map((t) => ({ schemaRef: t.schemaRef, name: t.name })),
    ...tx.newViews.map((v) => ({ schemaRef: v.schemaRef, name: v.name })),
  ];
  for (const c of created) {
    const schema = schemaName(tx, c.schemaRef);
    const hit = theirs.createdObjects.get(`${schema}\u0000${c.name}`);
    if (hit) fail(`${schema}.${c.name}`, 'creates it', hit, 'created an object of the same name');
    if (c.schemaRef >= 0) {
      const dropped = theirs.droppedSchemas.get(c.schemaRef);
      if (dropped) fail(`${schema}.${c.name}`, 'creates it', dropped, `dropped schema ${schema}`);
    }
  }
  for (const id of tx.droppedTables) {
    const hit = pick(theirs.droppedTables, theirs.altered, theirs.inserted, theirs.deleted, theirs.inlinedDeleted, theirs.maintained)(id);
    if (hit.length) fail(`table ${tx.tableName(id)}`, 'drops it', hit, 'changed it');
  }
  for (const id of tx.droppedViews) {
    const hit = pick(theirs.droppedViews, theirs.altered)(id);
    if (hit.length) fail(`view ${viewName(tx, id)}`, 'drops it', hit, 'changed it');
  }
  for (const id of tx.alters.keys()) {
    const hit = pick(theirs.droppedTables, theirs.altered)(id);
    if (hit.length) fail(`table ${tx.tableName(id)}`, 'alters it', hit, 'dropped or altered it');
  }
  const insertedInto = new Set(tx.newFiles.map((f) => f.tableRef).filter((id) => id >= 0));
  for (const id of insertedInto) {
    const hit = pick(theirs.droppedTables, theirs.altered, theirs.deleted, theirs.inlinedDeleted)(id);
    if (hit.length) fail(`table ${tx.tableName(id)}`, 'inserts into it', hit, 'dropped, altered or deleted from it');
  }
  const deletedFrom = new Set([...tx.fileDeletes.values()].map((d) => d.tableId));
  for (const id of tx.inlinedRowDeletes.keys()) deletedFrom.add(id);
  for (const id of deletedFrom) {
    const hit = pick(theirs.droppedTables, theirs.altered, theirs.inserted, theirs.maintained, theirs.inlinedDeleted)(id);
    if (hit.length) fail(`table ${tx.tableName(id)}`, 'deletes from it', hit, 'dropped, altered, inserted into or compacted it');
    if (theirs.deleted.has(id)) {
      // Deletes by both sides conflict only when they touched the same data file.
      const ours = [...tx.fileDeletes.values()].filter((d) => d.tableId === id).map((d) => d.dataFileId);
      if (ours.length) {
        const touched = await db.query(
          `SELECT data_file_id, begin_snapshot AS s FROM {MD}.ducklake_delete_file WHERE table_id = ${id} AND begin_snapshot > ${base} AND data_file_id IN (${ours.join(',')})
           UNION ALL SELECT data_file_id, end_snapshot AS s FROM {MD}.ducklake_data_file WHERE table_id = ${id} AND end_snapshot > ${base} AND data_file_id IN (${ours.join(',')})`,
        );
        if (touched.length) fail(`table ${tx.tableName(id)}`, 'deletes from it', touched.map((r) => Number(r.s)), 'deleted rows of the same data files');
      }
    }
  }
}

function schemaName(tx: LakeTransaction, id: number): string {
  const fromNew = tx.newSchemas.find((s) => s.ref === id);
  if (fromNew) return fromNew.name;
  return tx.base.schemas.find((s) => s.id === id)?.name ?? tx.droppedSchemaNames.get(id) ?? `schema ${id}`;
}

function viewName(tx: LakeTransaction, id: number): string {
  return tx.droppedViewNames.get(id) ?? `view ${id}`;
}

const quoteName = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export interface CommitResult {
  snapshotId: number;
  /** Final ids of the tables the transaction created, by "schema.name". */
  tableIds: Map<string, number>;
}

/**
 * Writes the transaction's catalog rows as snapshot head+1. Must run inside a catalog
 * transaction; `duck` compares statistics values with DuckDB's typed ordering.
 */
export async function writeCommit(
  db: CatalogExecutor,
  tx: LakeTransaction,
  duck: DuckDBConnection,
  dialect: 'duckdb' | 'postgres',
): Promise<CommitResult> {
  const head = await latestSnapshot(db);
  if (head.id !== tx.baseSnapshot) await checkConflicts(db, tx, head);
  const S = head.id + 1;

  // Ids: schemas first, then tables and views in creation order (as the extension).
  const idMap = new Map<number, number>();
  let nextCatalogId = head.nextCatalogId;
  for (const s of tx.newSchemas) idMap.set(s.ref, nextCatalogId++);
  const createdObjects = [...tx.newTables.map((t) => t.ref), ...tx.newViews.map((v) => v.ref)].sort((a, b) => b - a);
  for (const ref of createdObjects) idMap.set(ref, nextCatalogId++);
  const rid = (ref: number): number => (ref < 0 ? idMap.get(ref)! : ref);
  let nextFileId = head.nextFileId;
  const fileIds = new Map<number, number>();
  for (const f of tx.newFiles) fileIds.set(f.tempId, nextFileId++);
  const deleteFileIds = new Map<number, number>();
  for (const d of tx.fileDeletes.values()) if (d.file) deleteFileIds.set(d.dataFileId, nextFileId++);

  // A data change that allocated no file id (only ended files or inlined rows) still bumps
  // next_file_id: the extension keys its statistics cache on it.
  const dataChange = tx.newFiles.length > 0 || tx.fileDeletes.size > 0 || tx.inlinedRowDeletes.size > 0;
  if (dataChange && nextFileId === head.nextFileId) nextFileId += 1;

  const ddl =
    tx.newSchemas.length + tx.droppedSchemas.size + tx.newTables.length + tx.droppedTables.size + tx.newViews.length + tx.droppedViews.size + tx.alters.size > 0;
  const schemaVersion = head.schemaVersion + (ddl ? 1 : 0);

  // The snapshot row goes alone first, so a collision with another writer shows before any
  // other work, and everything read after it (statistics) is current.
  await db.query(`INSERT INTO {MD}.ducklake_snapshot VALUES (${S}, NOW(), ${schemaVersion}, ${nextCatalogId}, ${nextFileId});`);
  const sql: string[] = [];
  const inserts = new Map<string, string[]>();
  /** Rows are gathered per table and written as one multi-row INSERT after all updates. */
  const insert = (table: string, values: string): void => {
    const list = inserts.get(table);
    if (list) list.push(values);
    else inserts.set(table, [values]);
  };
  const changes: string[] = [];
  const end = (table: string, key: string, id: number, extra = ''): void => {
    sql.push(`UPDATE {MD}.${table} SET end_snapshot = ${S} WHERE ${key} = ${id} AND end_snapshot IS NULL${extra};`);
  };

  // Drops.
  for (const id of tx.droppedTables) {
    for (const t of ['ducklake_table', 'ducklake_partition_info', 'ducklake_column', 'ducklake_column_tag', 'ducklake_data_file', 'ducklake_delete_file', 'ducklake_sort_info']) {
      end(t, 'table_id', id);
    }
    end('ducklake_tag', 'object_id', id);
    changes.push(`dropped_table:${id}`);
  }
  for (const id of tx.droppedViews) {
    end('ducklake_view', 'view_id', id);
    end('ducklake_tag', 'object_id', id);
    changes.push(`dropped_view:${id}`);
  }
  for (const id of tx.droppedSchemas) {
    end('ducklake_schema', 'schema_id', id);
    changes.push(`dropped_schema:${id}`);
  }

  // Creations.
  for (const s of tx.newSchemas) {
    insert('ducklake_schema', `(${rid(s.ref)}, ${lit(s.uuid)}::UUID, ${S}, NULL, ${lit(s.name)}, ${lit(s.path)}, true)`);
    changes.push(`created_schema:${quoteName(s.name)}`);
  }
  const tableIds = new Map<string, number>();
  for (const t of tx.newTables) {
    const id = rid(t.ref);
    const state = tx.base.tables.find((x) => x.id === t.ref);
    if (!state) continue;
    tableIds.set(`${state.schemaName}.${state.name}`, id);
    insert('ducklake_table', `(${id}, ${lit(t.uuid)}::UUID, ${S}, NULL, ${rid(t.schemaRef)}, ${lit(t.name)}, ${lit(t.path)}, true)`);
    const walk = (c: LakeColumn, parent: number | null): void => {
      insert('ducklake_column', columnValues(c, S, id, parent));
      c.children.forEach((child) => walk(child, c.id));
    };
    state.columns.forEach((c) => walk(c, null));
    insert('ducklake_schema_versions', `(${S}, ${schemaVersion}, ${id})`);
    changes.push(`created_table:${quoteName(state.schemaName)}.${quoteName(t.name)}`);
  }
  for (const v of tx.newViews) {
    const schema = schemaName(tx, v.schemaRef);
    const aliases = v.aliases.map(quoteName).join(',');
    insert('ducklake_view', `(${rid(v.ref)}, ${lit(v.uuid)}::UUID, ${S}, NULL, ${rid(v.schemaRef)}, ${lit(v.name)}, 'duckdb', ${lit(v.sql)}, ${lit(aliases)})`);
    changes.push(`created_view:${quoteName(schema)}.${quoteName(v.name)}`);
  }

  // Column changes of existing tables.
  for (const [id, alter] of tx.alters) {
    if (!alter.endColumnIds.size && !alter.newColumns.length) continue;
    if (alter.endColumnIds.size) {
      sql.push(`UPDATE {MD}.ducklake_column SET end_snapshot = ${S} WHERE table_id = ${id} AND column_id IN (${[...alter.endColumnIds].join(',')}) AND end_snapshot IS NULL;`);
    }
    for (const n of alter.newColumns) insert('ducklake_column', columnValues(n.column, S, id, n.parentId));
    insert('ducklake_schema_versions', `(${S}, ${schemaVersion}, ${id})`);
    changes.push(`altered_table:${id}`);
    // A table with inlined data gets an inlined table for its new layout, as the extension
    // does, or the extension's next small insert would use the old layout.
    const state = tx.base.tables.find((t) => t.id === id);
    if (state && state.inlined.length > 0) {
      const name = `ducklake_inlined_data_${id}_${schemaVersion}`;
      const columns = state.columns.map((c) => `${ident(c.name)} ${inlinedColumnType(c, dialect)}`);
      sql.push(`CREATE TABLE IF NOT EXISTS {MD}.${ident(name)} (row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT${columns.map((c) => `, ${c}`).join('')});`);
      insert('ducklake_inlined_data_tables', `(${id}, ${lit(name)}, ${schemaVersion})`);
    }
  }

  // New data files and the table statistics.
  const filesByTable = new Map<number, NewDataFile[]>();
  for (const f of tx.newFiles) {
    const id = rid(f.tableRef);
    const list = filesByTable.get(id);
    if (list) list.push(f);
    else filesByTable.set(id, [f]);
  }
  for (const [tableId, files] of filesByTable) {
    const table = tx.base.tables.find((t) => rid(t.id) === tableId);
    const stats = await db.query(`SELECT * FROM {MD}.ducklake_table_stats WHERE table_id = ${tableId}`);
    const current = stats[0];
    let nextRowId = current ? Number(current.next_row_id ?? 0) : 0;
    let records = 0;
    let bytes = 0;
    for (const f of files) {
      const fileId = fileIds.get(f.tempId)!;
      insert('ducklake_data_file', `(${fileId}, ${tableId}, ${S}, NULL, NULL, ${lit(f.relPath)}, true, 'parquet', ${f.recordCount}, ${f.fileSize}, ${f.footerSize}, ${nextRowId}, NULL, NULL, NULL, NULL)`);
      for (const st of f.stats) {
        insert('ducklake_file_column_stats', `(${fileId}, ${tableId}, ${st.columnId}, ${lit(st.columnSizeBytes)}, ${lit(st.valueCount)}, ${lit(st.nullCount)}, ${lit(st.min)}, ${lit(st.max)}, ${lit(st.containsNan)}, NULL)`);
      }
      nextRowId += f.recordCount;
      records += f.recordCount;
      bytes += f.fileSize;
    }
    const merged = await mergeStats(duck, files.flatMap((f) => f.stats), table ? flatten(table.columns) : []);
    if (!current) {
      insert('ducklake_table_stats', `(${tableId}, ${records}, ${nextRowId}, ${bytes})`);
      for (const m of merged.values()) {
        insert('ducklake_table_column_stats', `(${tableId}, ${m.columnId}, ${lit(m.containsNull)}, ${lit(m.containsNan)}, ${lit(m.min)}, ${lit(m.max)}, NULL)`);
      }
    } else {
      sql.push(
        `UPDATE {MD}.ducklake_table_stats SET record_count = COALESCE(record_count, 0) + ${records}, next_row_id = ${nextRowId}, file_size_bytes = COALESCE(file_size_bytes, 0) + ${bytes} WHERE table_id = ${tableId};`,
      );
      const existing = await db.query(`SELECT * FROM {MD}.ducklake_table_column_stats WHERE table_id = ${tableId}`);
      const requests: BoundRequest[] = [];
      const updates: { row: Row; m: MergedStat; min: number; max: number }[] = [];
      for (const row of existing) {
        const m = merged.get(Number(row.column_id));
        if (!m) continue;
        const min = m.unknown || row.min_value === null || row.min_value === undefined ? -1 : requests.push({ a: String(row.min_value), b: m.min, type: m.type, kind: 'min' }) - 1;
        const max = m.unknown || row.max_value === null || row.max_value === undefined ? -1 : requests.push({ a: String(row.max_value), b: m.max, type: m.type, kind: 'max' }) - 1;
        updates.push({ row, m, min, max });
      }
      const bounds = await pickBounds(duck, requests);
      for (const { row, m, min, max } of updates) {
        const containsNull = row.contains_null === true || m.containsNull === true;
        const containsNan = row.contains_nan === null && m.containsNan === null ? null : row.contains_nan === true || m.containsNan === true;
        sql.push(
          `UPDATE {MD}.ducklake_table_column_stats SET contains_null = ${lit(containsNull)}, contains_nan = ${lit(containsNan)}, min_value = ${lit(min < 0 ? null : bounds[min]!)}, max_value = ${lit(max < 0 ? null : bounds[max]!)} WHERE table_id = ${tableId} AND column_id = ${Number(row.column_id)};`,
        );
      }
    }
    changes.push(`inserted_into_table:${tableId}`);
  }

  // Deletes.
  const deletedTables = new Set<number>();
  for (const d of tx.fileDeletes.values()) {
    if (d.endDataFile) {
      end('ducklake_data_file', 'data_file_id', d.dataFileId);
      end('ducklake_delete_file', 'data_file_id', d.dataFileId);
    } else if (d.file) {
      if (d.oldDeleteFileId !== null) end('ducklake_delete_file', 'data_file_id', d.dataFileId);
      insert('ducklake_delete_file', `(${deleteFileIds.get(d.dataFileId)}, ${d.tableId}, ${S}, NULL, ${d.dataFileId}, ${lit(d.file.relPath)}, true, 'parquet', ${d.file.count}, ${d.file.fileSize}, ${d.file.footerSize}, NULL, NULL)`);
    }
    deletedTables.add(d.tableId);
  }
  for (const id of deletedTables) changes.push(`deleted_from_table:${id}`);
  for (const [tableId, perTable] of tx.inlinedRowDeletes) {
    for (const [name, ids] of perTable) {
      if (!ids.size) continue;
      sql.push(`UPDATE {MD}.${ident(name)} SET end_snapshot = ${S} WHERE row_id IN (${[...ids].join(',')}) AND end_snapshot IS NULL;`);
    }
    changes.push(`inlined_delete:${tableId}`);
  }

  const info = tx.info;
  insert('ducklake_snapshot_changes', `(${S}, ${lit(changes.length ? [...new Set(changes)].join(',') : null)}, ${lit(info.author ?? null)}, ${lit(info.message ?? null)}, ${lit(info.extraInfo ?? null)})`);

  for (const [table, values] of inserts) sql.push(`INSERT INTO {MD}.${table} VALUES ${values.join(', ')};`);
  await db.query(sql.join('\n'));
  return { snapshotId: S, tableIds };
}

/** Column type of an inlined-data table (PostgreSQL stores several DuckDB types differently). */
function inlinedColumnType(c: LakeColumn, dialect: 'duckdb' | 'postgres'): string {
  const type = duckdbType(c);
  if (dialect === 'duckdb') return type;
  switch (c.type) {
    case 'float64':
      return 'DOUBLE PRECISION';
    case 'float32':
      return 'REAL';
    case 'int8':
      return 'SMALLINT';
    case 'uint8':
    case 'uint16':
      return 'INTEGER';
    case 'uint32':
      return 'BIGINT';
    case 'varchar':
    case 'blob':
    case 'json':
      return 'BYTEA';
    case 'uint64':
    case 'int128':
    case 'uint128':
    case 'date':
    case 'timestamp':
    case 'timestamp_us':
    case 'timestamptz':
    case 'timestamp_s':
    case 'timestamp_ms':
    case 'timestamp_ns':
    case 'struct':
    case 'list':
    case 'map':
    case 'variant':
    case 'geometry':
      return 'VARCHAR';
    default:
      return type;
  }
}

function columnValues(c: LakeColumn, S: number, tableId: number, parent: number | null): string {
  const nested = c.children.length > 0 || c.type === 'struct' || c.type === 'list' || c.type === 'map';
  return `(${c.id}, ${S}, NULL, ${tableId}, ${c.id}, ${lit(c.name)}, ${lit(c.type)}, ${lit(c.initialDefault)}, ${lit(c.defaultValue ?? 'NULL')}, ${lit(c.nullable)}, ${lit(parent)}, ${lit(nested ? '' : 'literal')}, 'duckdb')`;
}

interface MergedStat {
  /** Some file had values but no bounds: the bounds stay unknown (null). */
  unknown?: boolean;
  columnId: number;
  type: string;
  containsNull: boolean;
  containsNan: boolean | null;
  min: string | null;
  max: string | null;
}

/** Column statistics over several new files: bounds widened with DuckDB's typed ordering. */
async function mergeStats(duck: DuckDBConnection, stats: FileColumnStat[], columns: LakeColumn[]): Promise<Map<number, MergedStat>> {
  const types = new Map(columns.map((c) => [c.id, c.type]));
  const byColumn = new Map<number, FileColumnStat[]>();
  for (const st of stats) byColumn.set(st.columnId, [...(byColumn.get(st.columnId) ?? []), st]);
  const out = new Map<number, MergedStat>();
  // Fold file by file; each round compares every column's running bound with the next file's.
  const rounds = Math.max(0, ...[...byColumn.values()].map((l) => l.length));
  for (let i = 0; i < rounds; i++) {
    const requests: BoundRequest[] = [];
    const pending: { m: MergedStat; min: number; max: number }[] = [];
    for (const [columnId, list] of byColumn) {
      const st = list[i];
      if (!st) continue;
      const type = types.get(columnId) ?? st.type;
      const m = out.get(columnId);
      if (!m) {
        out.set(columnId, {
          unknown: st.min === null && st.max === null && (st.valueCount ?? 0) > 0,
          columnId,
          type,
          containsNull: (st.nullCount ?? 0) > 0,
          containsNan: isFloatType(type) ? st.containsNan === true : null,
          min: st.min,
          max: st.max,
        });
        continue;
      }
      m.containsNull = m.containsNull || (st.nullCount ?? 0) > 0;
      if (m.containsNan !== null) m.containsNan = m.containsNan || st.containsNan === true;
      if (m.unknown || (st.min === null && st.max === null && (st.valueCount ?? 0) > 0)) {
        m.unknown = true;
        m.min = null;
        m.max = null;
        continue;
      }
      const min = m.min === null ? -2 : requests.push({ a: m.min, b: st.min, type, kind: 'min' }) - 1;
      const max = m.max === null ? -2 : requests.push({ a: m.max, b: st.max, type, kind: 'max' }) - 1;
      if (m.min === null) m.min = st.min;
      if (m.max === null) m.max = st.max;
      pending.push({ m, min, max });
    }
    const bounds = await pickBounds(duck, requests);
    for (const { m, min, max } of pending) {
      if (min >= 0) m.min = bounds[min]!;
      if (max >= 0) m.max = bounds[max]!;
    }
  }
  return out;
}

interface BoundRequest {
  a: string;
  b: string | null;
  type: string;
  kind: 'min' | 'max';
}

const COMPARABLE_AS_STRING = new Set(['varchar', 'json', 'uuid', 'blob', 'boolean']);
const NOT_COMPARABLE = new Set(['struct', 'list', 'map', 'variant', 'geometry']);

/**
 * The wider of each pair of bounds, compared as typed values in one DuckDB query; null
 * (unknown, always safe) when a pair cannot be compared.
 */
async function pickBounds(duck: DuckDBConnection, requests: BoundRequest[]): Promise<(string | null)[]> {
  const out: (string | null)[] = requests.map((r) => (r.b === null || r.a === r.b ? r.a : null));
  const compare: string[] = [];
  const index: number[] = [];
  requests.forEach((r, i) => {
    if (r.b === null || r.a === r.b || NOT_COMPARABLE.has(r.type)) return;
    let sqlType: string;
    try {
      sqlType = COMPARABLE_AS_STRING.has(r.type) ? 'VARCHAR' : duckdbType({ type: r.type, children: [] });
    } catch {
      return;
    }
    compare.push(`TRY_CAST(${lit(r.a)} AS ${sqlType}) < TRY_CAST(${lit(r.b)} AS ${sqlType}) AS c${compare.length}`);
    index.push(i);
  });
  if (!compare.length) return out;
  const row = ((await duck.runAndReadAll(`SELECT ${compare.join(', ')}`)).getRowsJS()[0] ?? []) as unknown[];
  index.forEach((i, k) => {
    const r = requests[i]!;
    const lt = row[k];
    out[i] = lt === null || lt === undefined ? null : r.kind === 'min' ? (lt ? r.a : r.b) : lt ? r.b : r.a;
  });
  return out;
}

/**
 * Snapshot listing, expiry and file cleanup. Expiry removes snapshots and every catalog row no
 * remaining snapshot can see, scheduling the files of those rows for deletion; cleanup deletes
 * scheduled files and orphans (files in storage that no catalog row knows, e.g. written by a
 * writer that died before its commit).
 */
import { joinPath, type SnapshotRow } from './catalog/state';
import type { CatalogExecutor, CatalogStore, Row } from './catalog/store';
import { ident, lit, parseChanges, parseQuotedNames, uuidv7Time } from './sql';
import type { LakeStorage } from './storage/storage';

export interface SnapshotInfo {
  id: number;
  time: Date;
  schemaVersion: number;
  /** The extension's change summary: `tables_created: ['main.trips']`, `tables_inserted_into: ['1']`... */
  changes: Record<string, string[]>;
  /** `changes_made` as stored. */
  changesMade: string | null;
  author: string | null;
  message: string | null;
  extraInfo: string | null;
}

const CHANGE_KEYS: Record<string, string> = {
  created_schema: 'schemas_created',
  created_table: 'tables_created',
  created_view: 'views_created',
  created_scalar_macro: 'scalar_macros_created',
  created_table_macro: 'table_macros_created',
  dropped_schema: 'schemas_dropped',
  dropped_table: 'tables_dropped',
  dropped_view: 'views_dropped',
  dropped_scalar_macro: 'scalar_macros_dropped',
  dropped_table_macro: 'table_macros_dropped',
  altered_table: 'tables_altered',
  altered_view: 'views_altered',
  inserted_into_table: 'tables_inserted_into',
  deleted_from_table: 'tables_deleted_from',
  inlined_insert: 'inlined_insert',
  inlined_delete: 'inlined_delete',
  inline_flush: 'flushed_inlined',
  flushed_inlined: 'flushed_inlined',
  merge_adjacent: 'merge_adjacent',
  compacted_table: 'merge_adjacent',
  rewrite_delete: 'rewrite_delete',
};

/** Parses `changes_made` into the extension's `snapshots()` map. */
export function summariseChanges(changesMade: string | null): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [type, value] of parseChanges(changesMade)) {
    const key = CHANGE_KEYS[type] ?? type;
    const shown = value.startsWith('"') ? parseQuotedNames(value).join('.') : value;
    (out[key] ??= []).push(shown);
  }
  return out;
}

/** The summary as DuckDB prints the MAP: `{tables_created=[main.trips], inlined_insert=[3]}`. */
export function formatChanges(changes: Record<string, string[]>): string {
  return `{${Object.entries(changes)
    .map(([k, v]) => `${k}=[${v.join(', ')}]`)
    .join(', ')}}`;
}

export async function listSnapshots(store: CatalogExecutor): Promise<SnapshotInfo[]> {
  const rows = await store.query(
    `SELECT s.snapshot_id, s.snapshot_time, s.schema_version, c.changes_made, c.author, c.commit_message, c.commit_extra_info
     FROM {MD}.ducklake_snapshot s LEFT JOIN {MD}.ducklake_snapshot_changes c ON c.snapshot_id = s.snapshot_id ORDER BY s.snapshot_id`,
  );
  return rows.map((r) => ({
    id: Number(r.snapshot_id),
    time: r.snapshot_time instanceof Date ? r.snapshot_time : new Date(String(r.snapshot_time)),
    schemaVersion: Number(r.schema_version),
    changes: summariseChanges((r.changes_made as string | null) ?? null),
    changesMade: (r.changes_made as string | null) ?? null,
    author: (r.author as string | null) ?? null,
    message: (r.commit_message as string | null) ?? null,
    extraInfo: (r.commit_extra_info as string | null) ?? null,
  }));
}

/** Storage key (relative to data_path) of every data and delete file row, whatever its snapshot range. */
async function knownFiles(db: CatalogExecutor): Promise<{ kind: 'data' | 'delete'; id: number; dataFileId: number; key: string; dead?: boolean }[]> {
  const schemas = new Map<number, Row>();
  for (const r of await db.query('SELECT schema_id, path, path_is_relative FROM {MD}.ducklake_schema ORDER BY begin_snapshot')) schemas.set(Number(r.schema_id), r);
  const tables = new Map<number, Row>();
  for (const r of await db.query('SELECT table_id, schema_id, path, path_is_relative FROM {MD}.ducklake_table ORDER BY begin_snapshot')) tables.set(Number(r.table_id), r);
  const dirOf = (tableId: number): string => {
    const t = tables.get(tableId);
    if (!t) return '';
    const s = schemas.get(Number(t.schema_id));
    const schemaDir = s ? joinPath('', s.path as string | null, s.path_is_relative) : '';
    return joinPath(schemaDir, t.path as string | null, t.path_is_relative);
  };
  const out: { kind: 'data' | 'delete'; id: number; dataFileId: number; key: string }[] = [];
  for (const r of await db.query('SELECT data_file_id, table_id, path, path_is_relative FROM {MD}.ducklake_data_file')) {
    out.push({ kind: 'data', id: Number(r.data_file_id), dataFileId: Number(r.data_file_id), key: joinPath(dirOf(Number(r.table_id)), String(r.path), r.path_is_relative) });
  }
  for (const r of await db.query('SELECT delete_file_id, data_file_id, table_id, path, path_is_relative FROM {MD}.ducklake_delete_file')) {
    out.push({ kind: 'delete', id: Number(r.delete_file_id), dataFileId: Number(r.data_file_id), key: joinPath(dirOf(Number(r.table_id)), String(r.path), r.path_is_relative) });
  }
  return out;
}

export interface ExpireOptions {
  /** Expire snapshots taken before this time. */
  olderThan?: Date;
  /** Keep at least the newest N snapshots. */
  keepLast?: number;
  /** Expire exactly these snapshot ids. */
  snapshots?: number[];
  /** Report what would be expired without changing anything. */
  dryRun?: boolean;
}

export interface ExpireResult {
  expired: number[];
  /** Files (storage keys) scheduled for deletion because no snapshot sees them any more. */
  scheduledFiles: string[];
}

class DryRun extends Error {
  constructor(readonly result: ExpireResult) {
    super('dry run');
  }
}

const dead = (alias: string) =>
  `${alias}.end_snapshot IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {MD}.ducklake_snapshot s WHERE s.snapshot_id >= ${alias}.begin_snapshot AND s.snapshot_id < ${alias}.end_snapshot)`;

export async function expireSnapshots(store: CatalogStore, options: ExpireOptions): Promise<ExpireResult> {
  if (options.olderThan === undefined && options.keepLast === undefined && options.snapshots === undefined) {
    throw new Error('Say which snapshots to expire: olderThan, keepLast or snapshots.');
  }
  try {
    return await store.transaction(async (db) => {
      const all = (await db.query('SELECT snapshot_id, snapshot_time FROM {MD}.ducklake_snapshot ORDER BY snapshot_id')).map((r) => ({
        id: Number(r.snapshot_id),
        time: r.snapshot_time instanceof Date ? r.snapshot_time : new Date(String(r.snapshot_time)),
      }));
      const latest = all[all.length - 1]?.id;
      const keep = new Set(options.keepLast !== undefined ? all.slice(Math.max(0, all.length - options.keepLast)).map((s) => s.id) : []);
      const chosen = new Set(options.snapshots ?? []);
      const expired = all
        .filter((s) => s.id !== latest && !keep.has(s.id))
        .filter((s) => (options.olderThan ? s.time.getTime() < options.olderThan.getTime() : true))
        .filter((s) => (options.snapshots ? chosen.has(s.id) : true))
        .map((s) => s.id);
      if (!expired.length) return { expired, scheduledFiles: [] };
      const filesBefore = await knownFiles(db);
      const list = expired.join(',');
      await db.query(`DELETE FROM {MD}.ducklake_snapshot WHERE snapshot_id IN (${list}); DELETE FROM {MD}.ducklake_snapshot_changes WHERE snapshot_id IN (${list});`);

      const deadData = (await db.query(`SELECT data_file_id FROM {MD}.ducklake_data_file d WHERE ${dead('d')}`)).map((r) => Number(r.data_file_id));
      const deadDelete = (
        await db.query(
          `SELECT delete_file_id FROM {MD}.ducklake_delete_file x WHERE (${dead('x')}) OR x.data_file_id IN (SELECT data_file_id FROM {MD}.ducklake_data_file d WHERE ${dead('d')})`,
        )
      ).map((r) => Number(r.delete_file_id));
      const keyOf = new Map(filesBefore.map((f) => [`${f.kind}:${f.id}`, f]));
      const scheduled: string[] = [];
      const sql: string[] = [];
      for (const id of deadData) {
        const f = keyOf.get(`data:${id}`);
        if (f) {
          scheduled.push(f.key);
          sql.push(`INSERT INTO {MD}.ducklake_files_scheduled_for_deletion VALUES (${id}, ${lit(f.key)}, true, NOW());`);
        }
      }
      for (const id of deadDelete) {
        const f = keyOf.get(`delete:${id}`);
        if (f) {
          scheduled.push(f.key);
          sql.push(`INSERT INTO {MD}.ducklake_files_scheduled_for_deletion VALUES (${f.dataFileId}, ${lit(f.key)}, true, NOW());`);
        }
      }
      if (deadDelete.length) sql.push(`DELETE FROM {MD}.ducklake_delete_file WHERE delete_file_id IN (${deadDelete.join(',')});`);
      if (deadData.length) {
        const ids = deadData.join(',');
        for (const t of ['ducklake_file_column_stats', 'ducklake_file_partition_value', 'ducklake_file_variant_stats', 'ducklake_data_file']) {
          sql.push(`DELETE FROM {MD}.${t} WHERE data_file_id IN (${ids});`);
        }
      }
      for (const t of ['ducklake_table', 'ducklake_column', 'ducklake_schema', 'ducklake_view', 'ducklake_tag', 'ducklake_column_tag', 'ducklake_partition_info', 'ducklake_sort_info', 'ducklake_macro']) {
        sql.push(`DELETE FROM {MD}.${t} x WHERE ${dead('x')};`);
      }
      if (sql.length) await db.query(sql.join('\n'));

      // Tables with no catalog row left lose their per-table rows and inlined-data tables.
      const gone = (
        await db.query(
          `SELECT DISTINCT table_id FROM {MD}.ducklake_table_stats WHERE table_id NOT IN (SELECT table_id FROM {MD}.ducklake_table)
           UNION SELECT DISTINCT table_id FROM {MD}.ducklake_inlined_data_tables WHERE table_id NOT IN (SELECT table_id FROM {MD}.ducklake_table)
           UNION SELECT DISTINCT table_id FROM {MD}.ducklake_schema_versions WHERE table_id NOT IN (SELECT table_id FROM {MD}.ducklake_table)`,
        )
      ).map((r) => Number(r.table_id));
      if (gone.length) {
        const ids = gone.join(',');
        const inlined = await db.query(`SELECT table_name FROM {MD}.ducklake_inlined_data_tables WHERE table_id IN (${ids})`);
        const drops = inlined.map((r) => `DROP TABLE IF EXISTS {MD}.${ident(String(r.table_name))};`);
        for (const id of gone) drops.push(`DROP TABLE IF EXISTS {MD}.${ident(`ducklake_inlined_delete_${id}`)};`);
        const cleanup = [
          'ducklake_table_stats',
          'ducklake_table_column_stats',
          'ducklake_schema_versions',
          'ducklake_inlined_data_tables',
          'ducklake_partition_column',
          'ducklake_sort_expression',
        ].map((t) => `DELETE FROM {MD}.${t} WHERE table_id IN (${ids});`);
        cleanup.push(
          `DELETE FROM {MD}.ducklake_name_mapping WHERE mapping_id IN (SELECT mapping_id FROM {MD}.ducklake_column_mapping WHERE table_id IN (${ids}));`,
          `DELETE FROM {MD}.ducklake_column_mapping WHERE table_id IN (${ids});`,
        );
        await db.query([...cleanup, ...drops].join('\n'));
      }
      const result = { expired, scheduledFiles: scheduled };
      if (options.dryRun) throw new DryRun(result);
      return result;
    });
  } catch (error) {
    if (error instanceof DryRun) return error.result;
    throw error;
  }
}

export interface CleanupOptions {
  /** List what would be deleted, delete nothing. */
  dryRun?: boolean;
  /** Only files scheduled for deletion before this time (all scheduled files by default). */
  olderThan?: Date;
  /**
   * Orphans younger than this (by the time in their UUIDv7 name) are left alone: they may
   * belong to a commit in flight. One hour by default; 0 removes every orphan.
   */
  orphanMinAgeMs?: number;
}

export interface CleanupResult {
  /** Files of expired snapshots (scheduled for deletion). */
  scheduled: string[];
  /** Files in storage that no snapshot refers to. */
  orphans: { key: string; size: number }[];
  dryRun: boolean;
}

export async function cleanupFiles(store: CatalogStore, storage: LakeStorage, options: CleanupOptions = {}): Promise<CleanupResult> {
  const scheduledRows = await store.query('SELECT path, path_is_relative, schedule_start FROM {MD}.ducklake_files_scheduled_for_deletion');
  const cutoff = options.olderThan?.getTime();
  const scheduled = scheduledRows
    .filter((r) => cutoff === undefined || (r.schedule_start instanceof Date ? r.schedule_start.getTime() : Date.parse(String(r.schedule_start))) < cutoff)
    .map((r) => String(r.path));
  const known = new Set((await knownFiles(store)).map((f) => f.key));
  for (const r of scheduledRows) known.add(String(r.path));
  const minAge = options.orphanMinAgeMs ?? 3_600_000;
  const now = Date.now();
  const orphans = (await storage.list(''))
    .filter((o) => o.key.endsWith('.parquet') && !known.has(o.key))
    .filter((o) => {
      const born = uuidv7Time(o.key.slice(o.key.lastIndexOf('/') + 1));
      return born === undefined || now - born >= minAge;
    });
  const dryRun = options.dryRun ?? false;
  if (!dryRun) {
    await storage.delete([...scheduled, ...orphans.map((o) => o.key)]);
    for (let i = 0; i < scheduled.length; i += 500) {
      const chunk = scheduled.slice(i, i + 500);
      await store.query(`DELETE FROM {MD}.ducklake_files_scheduled_for_deletion WHERE path IN (${chunk.map(lit).join(',')})`);
    }
  }
  return { scheduled, orphans, dryRun };
}

export type { SnapshotRow };

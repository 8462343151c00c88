/**
 * The SQL that reads one lake table at one snapshot in DuckDB: its Parquet files mapped by
 * field id (so renamed, added and dropped columns come out right), minus positional deletes
 * (delete files and inlined deletes), plus rows inlined in the catalog.
 */
import { ident, lit } from './sql';
import type { DataFileState, TableState } from './catalog/state';
import { duckdbType, flatten, type LakeColumn } from './types';

export const ROW_ID_FIELD_ID = 2147483540;
export const SNAPSHOT_ID_FIELD_ID = 2147483539;

export interface ReadSources {
  /** Local path of a data or delete file. */
  filePath(file: { key: string; localPath?: string }): Promise<string>;
  /** A DuckDB relation (qualified name) holding the rows of a catalog table (inlined data / deletes). */
  catalogTable(name: string): Promise<string>;
}

export interface ScanOptions {
  /** Adds `__lake_src` (data file id, or -1 for inlined rows) and `__lake_pos` (file row number or inlined row id) and `__lake_inlined` (inlined table name). */
  locator?: boolean;
}

export function defaultSql(column: LakeColumn): string {
  return column.initialDefault === null ? `NULL::${duckdbType(column)}` : `CAST(${lit(column.initialDefault)} AS ${duckdbType(column)})`;
}

/** A SELECT that returns the table's rows visible at `snapshotId`, with its current column names. */
export async function tableScanSql(table: TableState, snapshotId: number, sources: ReadSources, options: ScanOptions = {}): Promise<string> {
  const columns = table.columns;
  if (columns.length === 0) throw new Error(`Table ${table.schemaName}.${table.name} has no columns at snapshot ${snapshotId}.`);
  const parts: string[] = [];

  // Files written with the table's current layout are read by column name, which lets DuckDB
  // answer count/min/max from Parquet statistics; older (or staged) files by field id.
  const layoutSince = currentLayoutSince(columns);
  const reserved = columns.some((c) => ['filename', 'file_row_number'].includes(c.name.toLowerCase()));
  const byName = table.files.filter(
    (f) => !reserved && layoutSince !== undefined && f.beginSnapshot >= layoutSince && !f.localPath && f.partialMax === null && f.mappingId === null,
  );
  const byFieldId = table.files.filter((f) => !byName.includes(f));
  if (byName.length > 0) parts.push(await parquetPart(table, byName, snapshotId, sources, options, 'name'));
  if (byFieldId.length > 0) parts.push(await parquetPart(table, byFieldId, snapshotId, sources, options, 'field_id'));

  for (const inlined of table.inlined) {
    const source = await sources.catalogTable(inlined.name);
    const byId = new Map(inlined.columns.map((c) => [c.id, c]));
    const select = columns.map((c) => {
      const old = byId.get(c.id);
      const expr = old ? `CAST(${ident(old.name)} AS ${duckdbType(c)})` : defaultSql(c);
      return `${expr} AS ${ident(c.name)}`;
    });
    if (options.locator) select.push(`-1::BIGINT AS __lake_src`, `row_id::BIGINT AS __lake_pos`, `${lit(inlined.name)} AS __lake_inlined`);
    const excluded = inlined.excludedRowIds?.length ? ` AND row_id NOT IN (${inlined.excludedRowIds.join(', ')})` : '';
    parts.push(
      `SELECT ${select.join(', ')} FROM ${source} WHERE begin_snapshot <= ${snapshotId} AND (end_snapshot IS NULL OR end_snapshot > ${snapshotId})${excluded}`,
    );
  }

  if (parts.length === 0) {
    const select = columns.map((c) => `NULL::${duckdbType(c)} AS ${ident(c.name)}`);
    if (options.locator) select.push('NULL::BIGINT AS __lake_src', 'NULL::BIGINT AS __lake_pos', 'NULL::VARCHAR AS __lake_inlined');
    return `SELECT ${select.join(', ')} WHERE false`;
  }
  return parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(' UNION ALL ');
}

/** The snapshot since which every column has had its current name and type; undefined if not committed. */
function currentLayoutSince(columns: LakeColumn[]): number | undefined {
  let since = 0;
  for (const c of flatten(columns)) {
    if (c.beginSnapshot === undefined) return undefined;
    since = Math.max(since, c.beginSnapshot);
  }
  return since;
}

async function parquetPart(
  table: TableState,
  files: DataFileState[],
  snapshotId: number,
  sources: ReadSources,
  options: ScanOptions,
  mode: 'name' | 'field_id',
): Promise<string> {
  const mapped = files.find((f) => f.mappingId !== null);
  if (mapped) {
    throw new Error(
      `Table ${table.schemaName}.${table.name} has files added without field ids (name-mapped, mapping ${mapped.mappingId}), which this reader does not support yet.`,
    );
  }
  const paths = await Promise.all(files.map((f) => sources.filePath(f)));
  const needsSnapshotFilter = files.some((f) => f.partialMax !== null && f.partialMax > snapshotId);
  const entries = table.columns.map(
    (c) =>
      `${c.id}: {name: ${lit(`c${c.id}`)}, type: ${lit(duckdbType(c))}, default_value: ${c.initialDefault === null ? 'NULL' : lit(c.initialDefault)}::VARCHAR}`,
  );
  if (needsSnapshotFilter) entries.push(`${SNAPSHOT_ID_FIELD_ID}: {name: '__lake_sid', type: 'BIGINT', default_value: NULL::VARCHAR}`);
  // Deleted positions, keyed by the local path DuckDB reports in `filename`.
  const deleteParts: string[] = [];
  const idByPath: string[] = [];
  for (let i = 0; i < files.length; i += 1) {
    const file = files[i]!;
    idByPath.push(`WHEN ${lit(paths[i]!)} THEN ${file.id}`);
    const del = file.deleteFile;
    if (del) {
      const delPath = await sources.filePath(del);
      const filter = del.hasSnapshotColumn && (del.partialMax ?? 0) > snapshotId ? ` WHERE _ducklake_internal_snapshot_id <= ${snapshotId}` : '';
      deleteParts.push(`SELECT ${lit(paths[i]!)} AS fname, pos FROM read_parquet(${lit(delPath)})${filter}`);
    }
  }
  if (table.inlinedDeleteTable) {
    const source = await sources.catalogTable(table.inlinedDeleteTable);
    const cases = files.map((f, i) => `WHEN ${f.id} THEN ${lit(paths[i]!)}`).join(' ');
    deleteParts.push(
      `SELECT CASE file_id ${cases} END AS fname, row_id AS pos FROM ${source} WHERE begin_snapshot <= ${snapshotId} AND file_id IN (${files.map((f) => f.id).join(', ')})`,
    );
  }

  // Row positions and file names cost a little on every scan: only ask for them when needed.
  const positions = options.locator || deleteParts.length > 0;
  const extra = positions ? ', file_row_number = true, filename = true' : '';
  const scan =
    mode === 'name'
      ? `read_parquet([${paths.map(lit).join(', ')}]${extra})`
      : `read_parquet([${paths.map(lit).join(', ')}], schema = MAP {${entries.join(', ')}}${extra})`;
  // By name, cast to the catalog's type (e.g. HUGEINT is stored as DOUBLE); a cast to the same type costs nothing.
  const select = table.columns.map((c) =>
    mode === 'name' ? `CAST(f.${ident(c.name)} AS ${duckdbType(c)}) AS ${ident(c.name)}` : `f.${ident(`c${c.id}`)} AS ${ident(c.name)}`,
  );
  if (options.locator) {
    select.push(`(CASE f.filename ${idByPath.join(' ')} END)::BIGINT AS __lake_src`, 'f.file_row_number::BIGINT AS __lake_pos', 'NULL::VARCHAR AS __lake_inlined');
  }
  let sql = `SELECT ${select.join(', ')} FROM ${scan} AS f`;
  if (deleteParts.length) {
    sql += ` ANTI JOIN (${deleteParts.join(' UNION ALL ')}) AS d ON f.filename = d.fname AND f.file_row_number = d.pos`;
  }
  if (needsSnapshotFilter) sql += ` WHERE f.__lake_sid IS NULL OR f.__lake_sid <= ${snapshotId}`;
  return sql;
}

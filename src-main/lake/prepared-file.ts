/**
 * Prepared data files: Parquet files written outside a lake transaction — by another DuckDB,
 * while the data is still arriving — in exactly the form the lake writes its own, so that a
 * later transaction adopts them as they are (`LakeTransaction.adoptDataFile`) instead of
 * reading and writing every row again. The form: the table's field ids by column name, the
 * lake's Parquet settings, and the RETURN_STATS row the transaction needs for the catalog.
 */
import { copyFile, rename, rm } from 'node:fs/promises';
import { lit } from './sql';
import type { ColumnSpec, LakeColumn } from './types';

export interface PreparedDataFile {
  /** Local path; the transaction moves the file into its staging folder when it adopts it. */
  path: string;
  /** The row `COPY ... (RETURN_STATS)` returned when the file was written. */
  stats: Record<string, unknown>;
}

/** What a writer needs to prepare files for one table: its columns' field ids. */
export interface PreparedTableLayout {
  /** Field id by lower-case column name. */
  ids: Map<string, number>;
  /** The highest column id the table ever used (new columns get the next ones, in order). */
  maxColumnId: number;
  /** False when the table has nested columns (their files are not prepared). */
  flat: boolean;
}

/**
 * Field ids for a file of `columns` (names in the table's order after this load's additions):
 * existing columns keep theirs, new columns get the ids ADD COLUMN will give them, in order.
 * A table that does not exist yet gets 1, 2, 3… as CREATE TABLE assigns them.
 */
export function predictFieldIds(layout: PreparedTableLayout | undefined, columns: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  let next = (layout?.maxColumnId ?? 0) + 1;
  for (const name of columns) out[name] = layout?.ids.get(name.toLowerCase()) ?? next++;
  return out;
}

/** The options of `COPY ... TO file (...)` that write a prepared file. */
export function preparedCopyOptions(fieldIds: Record<string, number>, lakeParquetOptions: string, defaults: { rowGroupSize?: number } = {}): string {
  const ids = Object.entries(fieldIds).map(([name, id]) => `${lit(name)}: ${id}`);
  const rowGroup = defaults.rowGroupSize !== undefined && !/\bROW_GROUP_SIZE\b/i.test(lakeParquetOptions) ? `, ROW_GROUP_SIZE ${defaults.rowGroupSize}` : '';
  return `FORMAT parquet, FIELD_IDS {${ids.join(', ')}}${lakeParquetOptions}${rowGroup}, RETURN_STATS`;
}

/**
 * Whether a file (its column specs as read, and its field ids by lower-case name) holds
 * exactly the table's columns: same names, same types, same field ids, nothing nested. Only
 * then can the lake read it like its own files (by name when the layout is current, by field
 * id otherwise).
 */
export function fileFitsTable(columns: LakeColumn[], specs: ColumnSpec[], fieldIds: Map<string, number | null>): boolean {
  if (specs.length !== columns.length) return false;
  const byName = new Map(specs.map((s) => [s.name.toLowerCase(), s]));
  for (const column of columns) {
    const spec = byName.get(column.name.toLowerCase());
    if (!spec || column.children.length > 0 || (spec.children?.length ?? 0) > 0) return false;
    if (spec.type !== column.type) return false;
    if (fieldIds.get(column.name.toLowerCase()) !== column.id) return false;
  }
  return true;
}

/** Moves a file (a rename on one filesystem, else a copy and remove). */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

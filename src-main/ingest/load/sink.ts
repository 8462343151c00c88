/**
 * `LakeSink`: what ingestion needs from a destination. The lake (src-main/lake/) implements it
 * over DuckLake; `DuckDbSink` implements it over a plain DuckDB file for tests and local use.
 * `commitLoad` is all-or-nothing: schema changes, data (append / replace / merge as
 * delete-then-insert on the primary key), the `_dlt_loads` record and the pipeline state land
 * in one snapshot, or none of them do.
 */
import type { TableSchema } from '../schema/types';
import type { LoadPackage, PackageFile, PipelineState } from './package';

export interface LoadRecord {
  loadId: string;
  pipeline: string;
  dataset: string;
  /** Committed loads only; a failed load leaves no record. */
  status: 'loaded';
  insertedAt: string;
  tables: { name: string; rows: number }[];
}

/** How the package writer writes Parquet files for a sink that takes them as they are. */
export interface PackageFileForm {
  /**
   * The options of `COPY ... TO file (...)` for a file of `table` with these columns (the
   * table's columns in order as they stand, `_dlt_load_id` included); they must include
   * RETURN_STATS. Undefined: write this table's files in the plain package form.
   */
  copyOptions(table: string, columns: string[]): string | undefined;
}

export interface LakeSink {
  /** Schemas of every ingested table in a dataset (empty when the dataset does not exist). */
  currentSchemas(dataset: string): Promise<TableSchema[]>;
  currentSchema(dataset: string, table: string): Promise<TableSchema | undefined>;
  /** The state stored by the last committed load of a pipeline. */
  pipelineState(dataset: string, pipeline: string): Promise<PipelineState | undefined>;
  /**
   * Optional: the form in which this load's files should be written so the commit can take them
   * unchanged instead of rewriting every row (asked once per load, before extraction).
   */
  packageFileForm?(dataset: string): Promise<PackageFileForm>;
  /** Applies the package as one atomic commit. Throws and changes nothing on failure. */
  commitLoad(pkg: LoadPackage, signal?: AbortSignal): Promise<void>;
  /** Committed loads of a pipeline, newest first. */
  loads(dataset: string, pipeline: string, limit?: number): Promise<LoadRecord[]>;
  /** Forgets a pipeline's state (cursors); with `dropTables` also drops those tables. */
  dropPipeline(dataset: string, pipeline: string, dropTables?: string[]): Promise<void>;
}

/** A table every sink keeps beside the data, under dlt's name. */
export interface SystemTable {
  name: string;
  /** Columns with DuckDB types; JSON documents are `JSON`. */
  columns: readonly { name: string; type: string }[];
  /** The column each row is unique on, if any. */
  key?: string;
}

/** Load records, pipeline state (with the incremental cursors) and table schemas. */
export const SYSTEM_TABLES = {
  loads: {
    name: '_dlt_loads',
    columns: [
      { name: 'load_id', type: 'VARCHAR' },
      { name: 'pipeline_name', type: 'VARCHAR' },
      { name: 'status', type: 'INTEGER' },
      { name: 'inserted_at', type: 'TIMESTAMP' },
      { name: 'tables', type: 'JSON' },
    ],
  },
  state: {
    name: '_dlt_pipeline_state',
    columns: [
      { name: 'pipeline_name', type: 'VARCHAR' },
      { name: 'version', type: 'BIGINT' },
      { name: 'state', type: 'JSON' },
      { name: 'load_id', type: 'VARCHAR' },
      { name: 'created_at', type: 'TIMESTAMP' },
    ],
  },
  tables: {
    name: '_dlt_tables',
    columns: [
      { name: 'table_name', type: 'VARCHAR' },
      { name: 'schema', type: 'JSON' },
    ],
    key: 'table_name',
  },
} as const satisfies Record<string, SystemTable>;

/** The query every sink runs on its `_dlt_loads` table (qualified name given), newest first. */
export function loadsQuery(loadsTable: string, pipeline: string, limit: number): string {
  return `SELECT load_id, pipeline_name, CAST(inserted_at AS VARCHAR) AS inserted_at, tables FROM ${loadsTable} WHERE pipeline_name = '${pipeline.replaceAll("'", "''")}' ORDER BY load_id DESC LIMIT ${Math.max(1, Math.floor(limit))}`;
}

/** A `_dlt_loads` row as a LoadRecord. */
export function loadRecord(row: Record<string, unknown>, dataset: string): LoadRecord {
  return {
    loadId: String(row.load_id),
    pipeline: String(row.pipeline_name),
    dataset,
    status: 'loaded',
    insertedAt: String(row.inserted_at),
    tables: JSON.parse(String(row.tables)) as { name: string; rows: number }[],
  };
}

/** `[...]` of the files' paths as a SQL list literal, for `read_parquet`. */
export function parquetList(files: PackageFile[]): string {
  return `[${files.map((f) => `'${f.path.replaceAll("'", "''")}'`).join(', ')}]`;
}

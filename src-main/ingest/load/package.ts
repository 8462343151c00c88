/**
 * The load package: the hand-off from ingestion to a lake. One package = one load = one lake
 * snapshot: Parquet files per table, the table schemas they conform to (including new columns
 * and variant columns), and the pipeline state (incremental cursors) that becomes true only if
 * the package commits. Also the pipeline state document itself.
 */
import type { TableSchema } from '../schema/types';

/** Incremental cursor state of one resource (dlt's `incremental.<cursor_path>` slot). */
export interface IncrementalState {
  cursorPath: string;
  initialValue?: string | number;
  /** Highest (or lowest, for `min`) cursor value seen in committed loads. */
  lastValue?: string | number;
  /** Primary-key hashes of rows whose cursor equals `lastValue`, to skip them at the boundary. */
  uniqueHashes: string[];
}

export interface ResourceState {
  incremental?: IncrementalState;
}

/** The whole state document of one pipeline, committed with each load. */
export interface PipelineState {
  /** Increases by one with every committed load. */
  version: number;
  resources: Record<string, ResourceState>;
}

/** One Parquet file of a package. */
export interface PackageFile {
  /** Absolute path, named `<table>.<sequence>.parquet` (arrival order sorts by name). */
  path: string;
  /**
   * Set when the file was written in the sink's own form (`LakeSink.packageFileForm`): the
   * RETURN_STATS row of its COPY, so the sink can take the file without rewriting it.
   */
  stats?: Record<string, unknown>;
}

export interface LoadTable {
  /** Full schema of the table after this load (columns only ever grow). */
  schema: TableSchema;
  /** Parquet files with this load's rows, in arrival order; empty when the load had none. */
  files: PackageFile[];
  rows: number;
}

export interface LoadPackage {
  /** Unique, sortable id: unix epoch seconds with microseconds, like dlt (`1732531200.123456`). */
  loadId: string;
  pipeline: string;
  /** Dataset (schema) in the lake that holds the tables. */
  dataset: string;
  createdAt: string;
  /** Folder with the package's files; the caller removes it after commit or failure. */
  dir: string;
  /** Root tables first, then children (parents always before their children). */
  tables: LoadTable[];
  /** The pipeline state to store in the same commit. */
  state: PipelineState;
}

export function emptyState(): PipelineState {
  return { version: 0, resources: {} };
}

let lastLoadMicros = 0;

/** A new load id; strictly increasing within the process. */
export function newLoadId(now = Date.now()): string {
  let micros = now * 1000;
  if (micros <= lastLoadMicros) micros = lastLoadMicros + 1;
  lastLoadMicros = micros;
  const seconds = Math.floor(micros / 1_000_000);
  return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

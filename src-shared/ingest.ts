/** Shared shapes of ingestion: pipelines, a run's progress and result, a pipeline's info. */

export interface PipelineSummary {
  name: string;
  /** Project-relative file. */
  file: string;
  dataset?: string;
  resources: string[];
  /** The problem that keeps the pipeline from loading (with file:line:column). */
  error?: string;
}

export interface IngestProgressEvent {
  requestId: string;
  pipeline: string;
  loadId: string;
  stage: 'extract' | 'retry' | 'commit' | 'done';
  resource?: string;
  pages: number;
  rows: number;
  bytes: number;
  rowsPerSecond: number;
  elapsedMs: number;
  message?: string;
}

export interface IngestRunResult {
  pipeline: string;
  load_id: string;
  status: 'loaded' | 'failed' | 'cancelled';
  tables: { name: string; rows: number }[];
  elapsed_ms: number;
  error?: string;
}

export interface PipelineInfoView {
  pipeline: string;
  dataset: string;
  loads: { loadId: string; insertedAt: string; tables: { name: string; rows: number }[] }[];
  cursors: { resource: string; cursorPath: string; lastValue?: string | number }[];
  stateVersion: number | null;
  tables: { name: string; writeDisposition: string; primaryKey: string[]; columns: { name: string; dataType: string }[] }[];
}

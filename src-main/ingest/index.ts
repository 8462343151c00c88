/**
 * The public surface of ingestion, for the service layer and the lake: load a pipeline file,
 * run it into a `LakeSink`, read its info, drop its state; plus the hand-off types.
 */
export { loadPipelineFile, loadPipelineText } from './config/load';
export type { ResolvedPipeline, ResolvedResource, ConfigIssue, LoadOptions } from './config/load';
export type { PipelineConfig } from './config/schema';
export { runPipeline } from './pipeline/run';
export type { RunOptions, RunResult, IngestProgress, ResourceProgress } from './pipeline/run';
export { pipelineInfo, dropPipeline } from './pipeline/info';
export type { PipelineInfo } from './pipeline/info';
export type { LoadPackage, LoadTable, PipelineState, ResourceState, IncrementalState } from './load/package';
export type { LakeSink, LoadRecord } from './load/sink';
export { DuckDbSink } from './load/duckdb-sink';
export type { TableSchema, ColumnSchema, DataType, WriteDisposition } from './schema/types';
export { duckType, dataTypeFromDuck } from './schema/types';

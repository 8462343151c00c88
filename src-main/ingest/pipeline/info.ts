/**
 * Pipeline information and reset: the last loads with their row counts, the current state
 * (incremental cursors), and the schema of each table with its columns and types; `drop`
 * forgets the state (and optionally drops the tables) so the next run starts from scratch.
 */
import type { ResolvedPipeline } from '../config/load';
import type { PipelineState } from '../load/package';
import type { LakeSink, LoadRecord } from '../load/sink';
import type { TableSchema } from '../schema/types';

export interface PipelineInfo {
  pipeline: string;
  dataset: string;
  loads: LoadRecord[];
  state: PipelineState | undefined;
  /** Cursor per resource with incremental loading. */
  cursors: { resource: string; cursorPath: string; lastValue?: string | number }[];
  tables: TableSchema[];
}

export async function pipelineInfo(pipeline: ResolvedPipeline, sink: LakeSink, loadLimit = 10): Promise<PipelineInfo> {
  const state = await sink.pipelineState(pipeline.dataset, pipeline.name);
  const own = new Set(pipeline.resources.map((r) => r.table));
  const tables = (await sink.currentSchemas(pipeline.dataset)).filter((t) => own.has(t.name) || [...own].some((o) => t.name.startsWith(`${o}__`)));
  const cursors = Object.entries(state?.resources ?? {}).flatMap(([resource, s]) =>
    s.incremental ? [{ resource, cursorPath: s.incremental.cursorPath, ...(s.incremental.lastValue !== undefined ? { lastValue: s.incremental.lastValue } : {}) }] : [],
  );
  return { pipeline: pipeline.name, dataset: pipeline.dataset, loads: await sink.loads(pipeline.dataset, pipeline.name, loadLimit), state, cursors, tables };
}

/** Resets a pipeline: forgets its state; with `dropTables` also drops its tables (root and child). */
export async function dropPipeline(pipeline: ResolvedPipeline, sink: LakeSink, options: { dropTables?: boolean } = {}): Promise<void> {
  let tables: string[] = [];
  if (options.dropTables) {
    const own = pipeline.resources.map((r) => r.table);
    tables = (await sink.currentSchemas(pipeline.dataset)).map((t) => t.name).filter((n) => own.some((o) => n === o || n.startsWith(`${o}__`)));
    tables.sort((a, b) => b.length - a.length);
  }
  await sink.dropPipeline(pipeline.dataset, pipeline.name, tables);
}

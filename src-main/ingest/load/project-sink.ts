/**
 * Where a project's pipelines load, as dlt's destination would be chosen for it: the default
 * gateway's DuckLake lake (its first DuckLake catalog), else its DuckDB database (the default
 * catalog). A project with neither (an in-memory warehouse) has nowhere to keep the data.
 */
import { PasException } from '../../../src-shared/errors';
import { lakeWarehouseOf } from '../../plan/multi-catalog-warehouse';
import type { Workspace } from '../../plan/workspace';
import { DuckDbSink } from './duckdb-sink';
import { LakeIngestSink } from './lake-sink';
import type { LakeSink } from './sink';

export interface ProjectSink {
  sink: LakeSink;
  /** Releases what the sink holds (a DuckDB connection); the workspace stays open. */
  close(): Promise<void>;
}

export async function openProjectSink(ws: Workspace): Promise<ProjectSink> {
  const lake = lakeWarehouseOf(ws.warehouse);
  if (lake) return { sink: new LakeIngestSink(lake), close: async () => undefined };
  if (ws.warehouse.catalog === 'memory') {
    throw new PasException({
      code: 'not_found',
      what: 'lake',
      message: `Pipelines load into the project's lake or database, and the gateway has neither: add a catalogs: entry of type ducklake (or a database: file) to ${ws.project.config.file ?? 'config.yaml'}.`,
    });
  }
  const sink = DuckDbSink.onConnection(await ws.engine.connect());
  return { sink, close: () => sink.close() };
}

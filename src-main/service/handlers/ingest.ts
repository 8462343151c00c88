/**
 * `ingest.*`: the project's pipelines (`pipelines/*.yaml`), running one into the lake with
 * live progress (cancellable), its info (loads, cursors, schema) and resetting its state.
 */
import path from 'node:path';
import { PasException, formatPasError, isPasException } from '../../../src-shared/errors';
import type { PipelineSummary } from '../../../src-shared/ingest';
import { loadPipelineFile } from '../../ingest/config/load';
import { findPipeline, pipelineFiles, pipelineName } from '../../ingest/config/project-pipelines';
import { LakeIngestSink } from '../../ingest/load/lake-sink';
import { dropPipeline, pipelineInfo } from '../../ingest/pipeline/info';
import { runPipeline } from '../../ingest/pipeline/run';
import { LakeWarehouse } from '../../plan/lake-warehouse';
import type { ProjectSession } from '../project-session';
import type { Handlers } from './types';

const PROGRESS_INTERVAL_MS = 100;

function message(error: unknown): string {
  return isPasException(error) ? formatPasError(error.error) : error instanceof Error ? error.message : String(error);
}

export async function ingestSink(project: ProjectSession): Promise<LakeIngestSink> {
  const ws = await project.workspace();
  if (!(ws.warehouse instanceof LakeWarehouse)) {
    throw new PasException({ code: 'not_found', what: 'lake', message: "Ingestion loads into the project's DuckLake lake, and the gateway has no catalogs entry of type ducklake." });
  }
  return new LakeIngestSink(ws.warehouse);
}

export function ingestHandlers(project: ProjectSession): Handlers<'ingest.pipelines' | 'ingest.run' | 'ingest.info' | 'ingest.drop'> {
  return {
    'ingest.pipelines': async () => {
      const pipelines: PipelineSummary[] = [];
      for (const file of await pipelineFiles(project.projectDir)) {
        const name = pipelineName(file);
        const relative = path.relative(project.projectDir, file).split(path.sep).join('/');
        try {
          const p = loadPipelineFile(file, { projectDir: project.projectDir });
          pipelines.push({ name, file: relative, dataset: p.dataset, resources: p.resources.map((r) => r.name) });
        } catch (error) {
          pipelines.push({ name, file: relative, resources: [], error: message(error) });
        }
      }
      return { pipelines };
    },
    'ingest.run': async ({ pipeline: name }, ctx) => {
      const pipeline = await findPipeline(project.projectDir, name);
      const sink = await ingestSink(project);
      let last = 0;
      const result = await runPipeline(pipeline, {
        sink,
        signal: ctx.signal,
        onProgress: (p) => {
          const now = performance.now();
          if (p.stage === 'extract' && now - last < PROGRESS_INTERVAL_MS) return;
          last = now;
          const { resources: _perResource, ...event } = p;
          ctx.events.emit('ingest.progress', { requestId: ctx.requestId, ...event });
        },
      });
      return {
        pipeline: result.pipeline,
        load_id: result.load_id,
        status: result.status,
        tables: result.tables,
        elapsed_ms: result.elapsed_ms,
        ...(result.error ? { error: formatPasError(result.error) } : {}),
      };
    },
    'ingest.info': async ({ pipeline: name }) => {
      const pipeline = await findPipeline(project.projectDir, name);
      const info = await pipelineInfo(pipeline, await ingestSink(project));
      return {
        pipeline: info.pipeline,
        dataset: info.dataset,
        loads: info.loads.map((l) => ({ loadId: l.loadId, insertedAt: l.insertedAt, tables: l.tables })),
        cursors: info.cursors,
        stateVersion: info.state?.version ?? null,
        tables: info.tables.map((t) => ({ name: t.name, writeDisposition: t.writeDisposition, primaryKey: t.primaryKey, columns: t.columns.map((c) => ({ name: c.name, dataType: c.dataType })) })),
      };
    },
    'ingest.drop': async ({ pipeline: name, dropTables }) => {
      const pipeline = await findPipeline(project.projectDir, name);
      await dropPipeline(pipeline, await ingestSink(project), { dropTables: dropTables === true });
      return { dropped: true };
    },
  };
}

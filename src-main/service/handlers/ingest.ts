/**
 * `ingest.*`: the project's pipelines (`pipelines/*.yaml`), running one into the lake with
 * live progress (cancellable), its info (loads, cursors, schema) and resetting its state.
 */
import path from 'node:path';
import { formatPasError, isPasException } from '../../../src-shared/errors';
import type { PipelineSummary } from '../../../src-shared/ingest';
import { loadPipelineFile } from '../../ingest/config/load';
import { findPipeline, pipelineFiles, pipelineName } from '../../ingest/config/project-pipelines';
import { openProjectSink } from '../../ingest/load/project-sink';
import type { LakeSink } from '../../ingest/load/sink';
import { dropPipeline, pipelineInfo } from '../../ingest/pipeline/info';
import { runPipeline } from '../../ingest/pipeline/run';
import type { ProjectSession } from '../project-session';
import type { Handlers } from './types';

const PROGRESS_INTERVAL_MS = 100;

function message(error: unknown): string {
  return isPasException(error) ? formatPasError(error.error) : error instanceof Error ? error.message : String(error);
}

/** Runs `fn` with the project's destination (its lake, else its database), then releases it. */
export async function withIngestSink<T>(project: ProjectSession, fn: (sink: LakeSink) => Promise<T>): Promise<T> {
  const opened = await openProjectSink(await project.workspace());
  try {
    return await fn(opened.sink);
  } finally {
    await opened.close();
  }
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
      let last = 0;
      const result = await withIngestSink(project, (sink) => runPipeline(pipeline, {
        sink,
        signal: ctx.signal,
        onProgress: (p) => {
          const now = performance.now();
          if (p.stage === 'extract' && now - last < PROGRESS_INTERVAL_MS) return;
          last = now;
          const { resources: _perResource, ...event } = p;
          ctx.events.emit('ingest.progress', { requestId: ctx.requestId, ...event });
        },
      }));
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
      const info = await withIngestSink(project, (sink) => pipelineInfo(pipeline, sink));
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
      await withIngestSink(project, (sink) => dropPipeline(pipeline, sink, { dropTables: dropTables === true }));
      return { dropped: true };
    },
  };
}

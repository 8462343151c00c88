/** A project's pipelines: `pipelines/NAME.yaml`, found by name or by a table they load. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PasException } from '../../../src-shared/errors';
import { loadPipelineFile, type ResolvedPipeline } from './load';

export async function pipelineFiles(projectDir: string): Promise<string[]> {
  const dir = path.join(projectDir, 'pipelines');
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries.filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
}

export function pipelineName(file: string): string {
  return path.basename(file).replace(/\.ya?ml$/, '');
}

export async function findPipeline(projectDir: string, name: string): Promise<ResolvedPipeline> {
  const files = await pipelineFiles(projectDir);
  const file = files.find((f) => pipelineName(f) === name);
  if (!file) {
    const known = files.map(pipelineName);
    throw new PasException({
      code: 'not_found',
      what: 'pipeline',
      message: `No pipeline ${name}: expected pipelines/${name}.yaml in ${projectDir}${known.length ? ` (pipelines: ${known.join(', ')})` : ''}.`,
    });
  }
  return loadPipelineFile(file, { projectDir });
}

/** The project's pipelines that load `name` (`dataset.table`, or a bare table name); pipelines that do not load are skipped. */
export async function pipelinesLoading(projectDir: string, name: string): Promise<string[]> {
  const wanted = name.toLowerCase();
  const found: string[] = [];
  for (const file of await pipelineFiles(projectDir)) {
    let pipeline: ResolvedPipeline;
    try {
      pipeline = loadPipelineFile(file, { projectDir });
    } catch {
      continue;
    }
    const loads = pipeline.resources.some((r) => {
      const table = r.table.toLowerCase();
      return wanted === table || wanted === `${pipeline.dataset.toLowerCase()}.${table}`;
    });
    if (loads) found.push(pipeline.name);
  }
  return found;
}

/**
 * For a DuckDB "Table with name X does not exist" message where project pipelines load X (a
 * fresh project used before its first load): the table, those pipelines, and the sentence that
 * says which to run.
 */
export async function missingTableHint(message: string, projectDir: string): Promise<{ table: string; pipelines: string[]; text: string } | undefined> {
  const table = /Table with name "?([A-Za-z0-9_.]+)"? does not exist/.exec(message)?.[1];
  if (!table) return undefined;
  const pipelines = await pipelinesLoading(projectDir, table).catch(() => []);
  if (pipelines.length === 0) return undefined;
  const run = pipelines.map((p) => `\`pas ingest ${p}\``).join(' or ');
  return { table, pipelines, text: `${table} is loaded by ${pipelines.length === 1 ? 'the pipeline' : 'the pipelines'} ${pipelines.join(', ')}: run ${run} (or Ingest in the app) first.` };
}

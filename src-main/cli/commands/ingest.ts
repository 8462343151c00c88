/**
 * `pas ingest PIPELINE [--json]` loads a pipeline into the project's lake (progress on stderr);
 * `pas pipeline info PIPELINE [--json]` shows its loads, cursors and schema;
 * `pas pipeline drop PIPELINE [--drop-tables] [--yes]` resets its state after a confirmation.
 */
import { createInterface } from 'node:readline/promises';
import { findPipeline } from '../../ingest/config/project-pipelines';
import { openProjectSink } from '../../ingest/load/project-sink';
import type { LakeSink } from '../../ingest/load/sink';
import { dropPipeline, pipelineInfo } from '../../ingest/pipeline/info';
import { runPipeline } from '../../ingest/pipeline/run';
import type { Workspace } from '../../plan/workspace';
import { formatPasError } from '../../../src-shared/errors';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { withWorkspace } from '../workspace';

/** Runs `fn` with the project's destination (its lake, else its database), then releases it. */
async function withSink<T>(ws: Workspace, fn: (sink: LakeSink) => Promise<T>): Promise<T> {
  const opened = await openProjectSink(ws).catch((error: unknown) => {
    throw new CliError(error instanceof Error ? error.message : String(error), 1);
  });
  try {
    return await fn(opened.sink);
  } finally {
    await opened.close();
  }
}

function human(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

export async function ingestCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('ingest', argv, { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new CliError('usage: pas ingest PIPELINE [--json] [--project DIR]');
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const pipeline = await findPipeline(ws.project.root, positionals[0] ?? '');
    let last = 0;
    const result = await withSink(ws, (sink) => runPipeline(pipeline, {
      sink,
      signal: io.signal,
      onProgress: (p) => {
        const now = performance.now();
        if (p.stage === 'extract' && now - last < 500) return;
        last = now;
        io.stderr.write(`${p.stage === 'retry' ? `retry: ${p.message}` : `${p.stage}: ${p.pages} pages, ${human(p.rows)} rows, ${human(p.bytes)}B, ${human(p.rowsPerSecond)} rows/s`}\n`);
      },
    }));
    const json = { pipeline: result.pipeline, load_id: result.load_id, status: result.status, tables: result.tables, elapsed_ms: Math.round(result.elapsed_ms) };
    if (values.json) await write(io.stdout, `${JSON.stringify(json)}\n`);
    else {
      const tables = result.tables.map((t) => `  ${pipeline.dataset}.${t.name}: ${t.rows} rows`).join('\n');
      await write(io.stdout, `${result.status === 'loaded' ? 'Loaded' : result.status === 'cancelled' ? 'Cancelled' : 'Failed'} ${result.pipeline} (load ${result.load_id}) in ${(result.elapsed_ms / 1000).toFixed(2)}s\n${tables}\n`);
    }
    if (result.error) io.stderr.write(`Error: ${formatPasError(result.error)}\n`);
    return result.status === 'loaded' ? 0 : result.status === 'cancelled' ? 130 : 1;
  });
}

export async function pipelineCommand(argv: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(`pipeline ${sub ?? ''}`.trim(), rest, {
    project: { type: 'string', short: 'p' },
    json: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'drop-tables': { type: 'boolean' },
  });
  if ((sub !== 'info' && sub !== 'drop') || positionals.length !== 1) throw new CliError('usage: pas pipeline info|drop PIPELINE [--json] [--drop-tables] [--yes]');
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const pipeline = await findPipeline(ws.project.root, positionals[0] ?? '');
    return withSink(ws, async (sink) => {
    if (sub === 'info') {
      const info = await pipelineInfo(pipeline, sink);
      if (values.json) {
        await write(io.stdout, `${JSON.stringify(info)}\n`);
        return 0;
      }
      const lines = [
        `Pipeline ${info.pipeline} → dataset ${info.dataset}`,
        `State version: ${info.state?.version ?? '(never loaded)'}`,
        ...info.cursors.map((c) => `Cursor ${c.resource}.${c.cursorPath}: ${c.lastValue ?? '(none)'}`),
        'Loads:',
        ...(info.loads.length ? info.loads.map((l) => `  ${l.loadId}  ${l.insertedAt}  ${l.tables.map((t) => `${t.name}: ${t.rows}`).join(', ')}`) : ['  (none)']),
        'Tables:',
        ...info.tables.map((t) => `  ${t.name} (${t.writeDisposition}${t.primaryKey.length ? `, key ${t.primaryKey.join(', ')}` : ''}): ${t.columns.map((c) => `${c.name} ${c.dataType}`).join(', ')}`),
      ];
      await write(io.stdout, `${lines.join('\n')}\n`);
      return 0;
    }
    if (!values.yes) {
      const rl = createInterface({ input: process.stdin, output: io.stderr, terminal: false });
      io.stderr.write(`Reset the state of ${pipeline.name}${values['drop-tables'] ? ' and drop its tables' : ''}? Its next run starts from scratch. [y/n]: `);
      const answer = await Promise.race([rl.question(''), new Promise<string>((resolve) => rl.once('close', () => resolve('')))]);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        await write(io.stdout, 'Nothing was changed.\n');
        return 1;
      }
    }
    await dropPipeline(pipeline, sink, { dropTables: values['drop-tables'] === true });
    await write(io.stdout, `Reset ${pipeline.name}${values['drop-tables'] ? ' and dropped its tables' : ''}.\n`);
    return 0;
    });
  });
}

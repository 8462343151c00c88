/**
 * `pas ingest PIPELINE [--json]` loads a pipeline into the project's lake (progress on stderr);
 * `pas pipeline info PIPELINE [--json]` shows its loads, cursors and schema;
 * `pas pipeline drop PIPELINE [--drop-tables] [--yes]` resets its state after a confirmation.
 */
import { createInterface } from 'node:readline/promises';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { newRequestId } from '../client';
import { withClient } from '../connect';
import { write } from '../output';

function human(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

export const ingestOptions = { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } } as const;

export async function ingestCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('ingest', argv, ingestOptions);
  const name = positionals[0];
  if (positionals.length !== 1 || !name) throw new CliError('usage: pas ingest PIPELINE [--json] [--project DIR]');
  return withClient({ project: values.project }, async (client) => {
    const requestId = newRequestId();
    let last = 0;
    const off = client.subscribe('ingest.progress', (p) => {
      if (p.requestId !== requestId) return;
      const now = performance.now();
      if (p.stage === 'extract' && now - last < 500) return;
      last = now;
      io.stderr.write(`${p.stage === 'retry' ? `retry: ${p.message}` : `${p.stage}: ${p.pages} pages, ${human(p.rows)} rows, ${human(p.bytes)}B, ${human(p.rowsPerSecond)} rows/s`}\n`);
    });
    let result;
    try {
      result = await client.invoke('ingest.run', { pipeline: name }, { signal: io.signal, requestId });
    } finally {
      off();
    }
    const json = { pipeline: result.pipeline, load_id: result.load_id, status: result.status, tables: result.tables, elapsed_ms: Math.round(result.elapsed_ms) };
    if (values.json) await write(io.stdout, `${JSON.stringify(json)}\n`);
    else {
      const { pipelines } = await client.invoke('ingest.pipelines', {});
      const dataset = pipelines.find((p) => p.name === result.pipeline)?.dataset ?? result.pipeline;
      const tables = result.tables.map((t) => `  ${dataset}.${t.name}: ${t.rows} rows`).join('\n');
      await write(io.stdout, `${result.status === 'loaded' ? 'Loaded' : result.status === 'cancelled' ? 'Cancelled' : 'Failed'} ${result.pipeline} (load ${result.load_id}) in ${(result.elapsed_ms / 1000).toFixed(2)}s\n${tables}\n`);
    }
    if (result.error) io.stderr.write(`Error: ${result.error}\n`);
    return result.status === 'loaded' ? 0 : result.status === 'cancelled' ? 130 : 1;
  });
}

export const pipelineOptions = {
  project: { type: 'string', short: 'p' },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'drop-tables': { type: 'boolean' },
} as const;

export async function pipelineCommand(argv: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(`pipeline ${sub ?? ''}`.trim(), rest, pipelineOptions);
  const name = positionals[0];
  if ((sub !== 'info' && sub !== 'drop') || positionals.length !== 1 || !name) throw new CliError('usage: pas pipeline info|drop PIPELINE [--json] [--drop-tables] [--yes]');
  return withClient({ project: values.project }, async (client) => {
    if (sub === 'info') {
      const info = await client.invoke('ingest.info', { pipeline: name });
      if (values.json) {
        const json = {
          pipeline: info.pipeline,
          dataset: info.dataset,
          state_version: info.stateVersion,
          cursors: info.cursors.map((c) => ({ resource: c.resource, cursor_path: c.cursorPath, ...(c.lastValue !== undefined ? { last_value: c.lastValue } : {}) })),
          loads: info.loads.map((l) => ({ load_id: l.loadId, inserted_at: l.insertedAt, tables: l.tables })),
          tables: info.tables.map((t) => ({ name: t.name, write_disposition: t.writeDisposition, primary_key: t.primaryKey, columns: t.columns.map((c) => ({ name: c.name, data_type: c.dataType })) })),
        };
        await write(io.stdout, `${JSON.stringify(json)}\n`);
        return 0;
      }
      const lines = [
        `Pipeline ${info.pipeline} → dataset ${info.dataset}`,
        `State version: ${info.stateVersion ?? '(never loaded)'}`,
        ...info.cursors.map((c) => `Cursor ${c.resource}.${c.cursorPath}: ${c.lastValue ?? '(none)'}`),
        'Loads:',
        ...(info.loads.length ? info.loads.map((l) => `  ${l.loadId}  ${l.insertedAt}  ${l.tables.map((t) => `${t.name}: ${t.rows}`).join(', ')}`) : ['  (none)']),
        'Tables:',
        ...info.tables.map((t) => `  ${t.name} (${t.writeDisposition}${t.primaryKey.length ? `, key ${t.primaryKey.join(', ')}` : ''}): ${t.columns.map((c) => `${c.name} ${c.dataType}`).join(', ')}`),
      ];
      await write(io.stdout, `${lines.join('\n')}\n`);
      return 0;
    }
    // Check the pipeline exists before asking.
    await client.invoke('ingest.info', { pipeline: name });
    if (!values.yes) {
      const rl = createInterface({ input: process.stdin, output: io.stderr, terminal: false });
      io.stderr.write(`Reset the state of ${name}${values['drop-tables'] ? ' and drop its tables' : ''}? Its next run starts from scratch. [y/n]: `);
      const answer = await Promise.race([rl.question(''), new Promise<string>((resolve) => rl.once('close', () => resolve('')))]);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        await write(io.stdout, 'Nothing was changed.\n');
        return 1;
      }
    }
    await client.invoke('ingest.drop', { pipeline: name, dropTables: values['drop-tables'] === true });
    await write(io.stdout, `Reset ${name}${values['drop-tables'] ? ' and dropped its tables' : ''}.\n`);
    return 0;
  });
}

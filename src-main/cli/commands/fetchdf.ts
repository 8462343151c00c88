/** `pas fetchdf "SQL" [--json|--csv] [--project DIR]`: run a query and print its rows. */
import type { Writable } from 'node:stream';
import type { OutputFormat } from '../output';
import { resultWriter } from '../output';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import type { EngineClient } from '../client';
import { withClient } from '../connect';

/** Rows per page when streaming a result out: four DuckDB chunks. */
export const FETCH_PAGE_ROWS = 8192;

export const fetchdfOptions = { json: { type: 'boolean' }, csv: { type: 'boolean' }, project: { type: 'string', short: 'p' } } as const;

export async function fetchdfCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('fetchdf', argv, fetchdfOptions);
  const sql = positionals[0];
  if (sql === undefined || positionals.length > 1) {
    throw new CliError('usage: pas fetchdf "SQL" [--json|--csv] [--project DIR]');
  }
  if (values.json && values.csv) throw new CliError('choose one of --json and --csv');
  const format: OutputFormat = values.json ? 'json' : values.csv ? 'csv' : 'table';
  return withClient({ project: values.project as string | undefined, needsProject: false }, async (client) => {
    await fetchInto(client, sql, format, io.stdout, io.signal);
    return 0;
  });
}

/** Runs `sql` through the client and streams every row to `out` page by page. */
export async function fetchInto(client: Pick<EngineClient, 'invoke'>, sql: string, format: OutputFormat, out: Writable, signal?: AbortSignal): Promise<number> {
  const handle = await client.invoke('query.run', { sql }, signal ? { signal } : {});
  return printResult(client, handle, format, out);
}

/** Pages a result that is kept engine-side out to `out`, then releases it. */
export async function printResult(
  client: Pick<EngineClient, 'invoke'>,
  handle: { resultId: string; rowCount: number; columns: { name: string; type: string }[] },
  format: OutputFormat,
  out: Writable,
): Promise<number> {
  const writer = resultWriter(format, out, handle.columns);
  for (let offset = 0; offset < handle.rowCount; offset += FETCH_PAGE_ROWS) {
    const page = await client.invoke('query.page', { resultId: handle.resultId, offset, limit: FETCH_PAGE_ROWS });
    await writer.page(page);
  }
  await writer.end(handle.rowCount);
  await client.invoke('query.close', { resultId: handle.resultId });
  return handle.rowCount;
}

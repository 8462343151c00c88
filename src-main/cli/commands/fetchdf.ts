/** `pas fetchdf "SQL" [--json|--csv] [--project DIR]`: run a query and print its rows. */
import type { Writable } from 'node:stream';
import type { OutputFormat } from '../output';
import { resultWriter } from '../output';
import { isPasException } from '../../../src-shared/errors';
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
  return withClient({ project: values.project, needsProject: false }, async (client) => {
    try {
      await fetchInto(client, sql, format, io.stdout, io.signal);
    } catch (error) {
      throw (await unknownEnvironment(client, sql, error)) ?? error;
    }
    return 0;
  });
}

/**
 * A query that fails on a missing table of `schema__env.table` names the environment when `env`
 * is not one the project has (a typo of `dev`), instead of DuckDB's missing-table message.
 */
async function unknownEnvironment(client: EngineClient, sql: string, error: unknown): Promise<CliError | undefined> {
  if (!isPasException(error) || error.error.code !== 'sql' || error.error.errorType !== 'Catalog') return undefined;
  const named = [...new Set([...sql.matchAll(/\b(?!sqlmesh__)[A-Za-z_][A-Za-z0-9_]*?__([A-Za-z0-9_]+)\s*\./g)].map((m) => (m[1] ?? '').toLowerCase()))];
  if (named.length === 0) return undefined;
  const known = await client.invoke('project.info', {}).then(
    (info) => info.environments.map((e) => e.name),
    () => undefined,
  );
  if (!known) return undefined;
  const unknown = named.find((env) => !known.includes(env));
  if (unknown === undefined) return undefined;
  return new CliError(`The environment \`${unknown}\` does not exist (environments: ${known.length ? known.join(', ') : 'none yet: run `pas plan`'}).`, 1);
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

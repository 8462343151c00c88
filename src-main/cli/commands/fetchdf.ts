/** `pas fetchdf "SQL" [--json|--csv] [--project DIR]`: run a query and print its rows. */
import type { Writable } from 'node:stream';
import { PasService } from '../../service/service';
import { resultWriter, type OutputFormat } from '../output';
import { CliError, parseCommandArgs, type CommandIo } from '../args';

/** Rows per page when streaming a result out: four DuckDB chunks. */
export const FETCH_PAGE_ROWS = 8192;

export async function fetchdfCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('fetchdf', argv, {
    json: { type: 'boolean' },
    csv: { type: 'boolean' },
    project: { type: 'string', short: 'p' },
  });
  const sql = positionals[0];
  if (sql === undefined || positionals.length > 1) {
    throw new CliError('usage: pas fetchdf "SQL" [--json|--csv] [--project DIR]');
  }
  if (values.json && values.csv) throw new CliError('choose one of --json and --csv');
  const format: OutputFormat = values.json ? 'json' : values.csv ? 'csv' : 'table';
  const service = await PasService.create({ projectDir: values.project as string | undefined });
  try {
    await fetchInto(service, sql, format, io.stdout, io.signal);
    return 0;
  } finally {
    await service.close();
  }
}

/** Runs `sql` on the service and streams every row to `out` page by page. */
export async function fetchInto(
  service: PasService,
  sql: string,
  format: OutputFormat,
  out: Writable,
  signal?: AbortSignal,
): Promise<number> {
  const handle = await service.invoke('query.run', { sql }, { signal });
  const writer = resultWriter(format, out, handle.columns);
  for (let offset = 0; offset < handle.rowCount; offset += FETCH_PAGE_ROWS) {
    const page = await service.invoke('query.page', { resultId: handle.resultId, offset, limit: FETCH_PAGE_ROWS });
    await writer.page(page);
  }
  await writer.end(handle.rowCount);
  await service.invoke('query.close', { resultId: handle.resultId });
  return handle.rowCount;
}

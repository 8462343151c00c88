/**
 * `query.sort`, `query.export`, `query.chart`: work on a result the engine holds, by running
 * its SELECT again in the session it came from (see duck/result-sql.ts), so the renderer never
 * needs the rows. Export writes through DuckDB's COPY and reports progress while it runs.
 */
import { rm, stat, rename } from 'node:fs/promises';
import type { DuckDBConnection, DuckDBMaterializedResult } from '@duckdb/node-api';
import { PasException } from '../../../src-shared/errors';
import { MAX_CHART_POINTS } from '../../../src-shared/results-contract';
import type { Cell } from '../../../src-shared/values';
import { chartQuery, copyStatement, selectOf, sourceQuery } from '../../duck/result-sql';
import type { ResultStore } from '../../duck/results';
import { sqlError } from '../../duck/sql-errors';
import { columnReader } from '../../duck/values';
import { resolveExportTarget } from '../export-target';
import type { SessionPool } from './query';
import type { CallContext, Handlers } from './types';

const PROGRESS_EVERY_MS = 250;

/** Every row of a small result, column-wise, as JSON-safe cells. */
function readColumns(result: DuckDBMaterializedResult): Cell[][] {
  const readers = result.columnTypes().map((t) => columnReader(t));
  const columns: Cell[][] = readers.map(() => new Array<Cell>(result.rowCount));
  let at = 0;
  for (let i = 0; i < result.chunkCount; i++) {
    const chunk = result.getChunk(i);
    readers.forEach((read, c) => {
      const out = columns[c];
      if (out) read(chunk.getColumnVector(c), 0, chunk.rowCount, out, at);
    });
    at += chunk.rowCount;
  }
  return columns;
}

/** Runs a statement on the connection, interrupting it when the call is cancelled and reporting DuckDB's progress. */
async function runWithProgress(connection: DuckDBConnection, sql: string, ctx: CallContext, method: 'query.export'): Promise<DuckDBMaterializedResult> {
  const interrupt = () => connection.interrupt();
  ctx.signal.addEventListener('abort', interrupt, { once: true });
  const timer = setInterval(() => {
    const { percentage } = connection.progress;
    if (percentage >= 0) ctx.events.emit('progress', { requestId: ctx.requestId, method, stage: 'running', fraction: Math.min(1, percentage / 100) });
  }, PROGRESS_EVERY_MS);
  try {
    if (ctx.signal.aborted) throw new PasException({ code: 'cancelled', message: 'The export was cancelled.' });
    return await connection.run(sql);
  } catch (raw) {
    if (raw instanceof PasException) throw raw;
    if (ctx.signal.aborted) throw new PasException({ code: 'cancelled', message: 'The export was cancelled.' });
    throw new PasException(sqlError(sql, raw));
  } finally {
    clearInterval(timer);
    ctx.signal.removeEventListener('abort', interrupt);
  }
}

export function resultsHandlers(
  sessions: SessionPool,
  results: ResultStore,
  options: { projectDir: string; exportRoots?: () => string[] },
): Handlers<'query.sort' | 'query.export' | 'query.chart'> {
  return {
    'query.sort': async ({ resultId, orderBy }, ctx) => {
      const handle = results.handle(resultId);
      const source = results.source(resultId);
      for (const key of orderBy) {
        if (key.column >= handle.columns.length) throw new PasException({ code: 'validation', message: `The result has ${handle.columns.length} columns; there is no column ${key.column}.`, issues: [{ path: 'params.orderBy', message: 'no such column' }] });
      }
      const session = await sessions.get(source?.session ?? 'default');
      const select = await session.withConnection((c) => selectOf(c, source, 'Sorting'));
      const order = orderBy.map((k) => (k.descending ? -(k.column + 1) : k.column + 1));
      const started = performance.now();
      const sorted = await session.run(sourceQuery(select, order), ctx.signal);
      // Sorting again starts from the original statement, not from this sorted copy.
      const out = results.add(sorted, performance.now() - started, { sql: source?.sql ?? select, session: source?.session ?? 'default', orderBy: order });
      // Same columns as the original (a subquery would rename duplicate names its own way).
      out.columns.splice(0, out.columns.length, ...handle.columns);
      return out;
    },

    'query.export': async ({ resultId, format, path: requested, overwrite }, ctx) => {
      const source = results.source(resultId);
      const target = resolveExportTarget({ projectDir: options.projectDir, allowedRoots: options.exportRoots?.() ?? [], requested, format, overwrite });
      const session = await sessions.get(source?.session ?? 'default');
      const started = performance.now();
      // Written beside the target and renamed when complete, so a cancelled export leaves no half file.
      const partial = `${target.path}.partial`;
      const rows = await session.withConnection(async (connection) => {
        const select = await selectOf(connection, source, 'Exporting');
        try {
          const written = await runWithProgress(connection, copyStatement(sourceQuery(select, source?.orderBy), partial, format), ctx, 'query.export');
          const count = readColumns(written)[0]?.[0];
          return typeof count === 'number' ? count : Number(count ?? 0);
        } catch (error) {
          await rm(partial, { force: true });
          throw error;
        }
      });
      await rename(partial, target.path);
      const { size } = await stat(target.path);
      return { ...target, format, rows, bytes: size, elapsedMs: performance.now() - started };
    },

    'query.chart': async ({ resultId, x, y, kind, maxPoints = 2000 }) => {
      const handle = results.handle(resultId);
      const limit = Math.min(maxPoints, MAX_CHART_POINTS);
      for (const [name, index] of [['x', x], ['y', y]] as const) {
        if (index >= handle.columns.length) throw new PasException({ code: 'validation', message: `The result has ${handle.columns.length} columns; there is no column ${index} for ${name}.`, issues: [{ path: `params.${name}`, message: 'no such column' }] });
      }
      const source = results.source(resultId);
      const session = await sessions.get(source?.session ?? 'default');
      const select = await session.withConnection((c) => selectOf(c, source, 'Charting')).catch(() => undefined);
      if (!select) {
        // Not re-runnable (not a SELECT): plot the first rows the engine already holds.
        const page = results.page(resultId, 0, limit);
        const ys = (page.columns[y] ?? []).map((v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null));
        return { x: page.columns[x] ?? [], y: ys, reduction: handle.rowCount > limit ? 'first_rows' : 'all', rowCount: handle.rowCount };
      }
      const query = chartQuery(sourceQuery(select, source?.orderBy), x, y, kind, handle.rowCount, limit);
      const columns = readColumns(await session.run(query.sql));
      return { x: columns[0] ?? [], y: (columns[1] ?? []).map((v) => (typeof v === 'number' ? v : null)), reduction: query.reduction, rowCount: handle.rowCount };
    },
  };
}

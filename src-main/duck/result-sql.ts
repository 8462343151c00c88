/**
 * SQL over a result the engine holds: the re-runnable SELECT behind a result (DuckDB's own
 * parser round trip, so comments, trailing semicolons and earlier SELECTs in the text do not
 * matter), and the statements that sort, sample or export it. Columns are addressed by
 * position, so duplicate or odd column names need no quoting rules.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PasException } from '../../src-shared/errors';
import type { ChartKind, ExportFormat } from '../../src-shared/results-contract';
import type { ResultSource } from './results';

/**
 * `sql` as one SELECT text (DuckDB's parser round trip drops comments and the trailing
 * semicolon), or undefined when it is not exactly one SELECT statement: DuckDB's
 * json_serialize_sql serializes SELECTs only, and a text of several statements shows the
 * result of one of them, which re-running would not single out.
 */
export async function selectText(connection: DuckDBConnection, sql: string): Promise<string | undefined> {
  const statements = await connection.extractStatements(sql).catch(() => undefined);
  if (statements?.count !== 1) return undefined;
  try {
    const back = await connection.runAndReadAll('SELECT json_deserialize_sql(json_serialize_sql($1::VARCHAR))', [sql]);
    const text = back.getRows()[0]?.[0];
    return typeof text === 'string' && text.trim() !== '' ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The SELECT that yields the source's rows in the source's order. */
export function sourceQuery(select: string, orderBy: number[] | undefined): string {
  const order = orderBy?.length ? `\nORDER BY ${orderBy.map((c) => `${Math.abs(c)}${c < 0 ? ' DESC' : ''} NULLS LAST`).join(', ')}` : '';
  return `SELECT * FROM (\n${select}\n) AS pas_result${order}`;
}

/** Explains why a result cannot be re-queried. */
export function notRerunnable(what: string): PasException {
  return new PasException({
    code: 'validation',
    message: `${what} needs the result of a single SELECT statement; this one came from another kind of statement or from several statements. Run the SELECT on its own and try again.`,
    issues: [],
  });
}

/** Resolves a source into the SELECT text to wrap; throws a clear error when there is none. */
export async function selectOf(connection: DuckDBConnection, source: ResultSource | undefined, what: string): Promise<string> {
  const select = source ? await selectText(connection, source.sql) : undefined;
  if (!select) throw notRerunnable(what);
  return select;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function copyStatement(query: string, target: string, format: ExportFormat): string {
  const options = format === 'csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT parquet, COMPRESSION zstd)';
  return `COPY (\n${query}\n) TO ${quoteLiteral(target)} ${options}`;
}

/**
 * Two columns of the result, reduced to at most `maxPoints` rows: every row when few enough,
 * else y summed per x for bars (the first `maxPoints` x values in order) and a reservoir sample
 * ordered by x for lines and points. y is cast to DOUBLE (non-numbers become NULL).
 */
export function chartQuery(query: string, x: number, y: number, kind: ChartKind, rowCount: number, maxPoints: number): { sql: string; reduction: 'all' | 'sample' | 'sum_per_x' } {
  const cols = `SELECT #${x + 1} AS x, TRY_CAST(#${y + 1} AS DOUBLE) AS y FROM (\n${query}\n) AS pas_chart`;
  if (rowCount <= maxPoints) {
    return { sql: kind === 'bar' ? cols : `${cols}\nORDER BY x NULLS LAST`, reduction: 'all' };
  }
  if (kind === 'bar') {
    return { sql: `SELECT x, sum(y) AS y FROM (${cols}) GROUP BY x ORDER BY x NULLS LAST LIMIT ${maxPoints}`, reduction: 'sum_per_x' };
  }
  return { sql: `SELECT x, y FROM (${cols}) USING SAMPLE reservoir(${maxPoints} ROWS) REPEATABLE (7)\nORDER BY x NULLS LAST`, reduction: 'sample' };
}

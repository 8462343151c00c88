/**
 * Column profiles of a table (the preview's rows): per column its type, null share, distinct
 * count, min and max in one pass, then a small histogram (numbers, dates, timestamps: equal-width
 * bins) or the most frequent values (everything else).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnProfile, ProfileResult } from '../../src-shared/workbench-contract';
import { quoteIdentifier } from '../plan/warehouse';

const BINS = 8;
const TOP = 5;

export function isNumericType(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL|REAL)/i.test(type);
}

export function isTemporalType(type: string): boolean {
  return /^(DATE|TIMESTAMP)/i.test(type);
}

/** One query: the row count, then for column i `nn_i` (non-null), `d_i` (distinct), `mn_i`, `mx_i`. */
export function statsSql(table: string, columns: readonly { name: string; type: string }[]): string {
  const parts = ['count(*) AS "rows"'];
  columns.forEach((c, i) => {
    const q = quoteIdentifier(c.name);
    const orderable = !/^(STRUCT|MAP|UNION|.*\[\])/i.test(c.type);
    parts.push(`count(${q}) AS nn_${i}`, `count(DISTINCT ${q}) AS d_${i}`);
    parts.push(orderable ? `min(${q})::VARCHAR AS mn_${i}` : `NULL AS mn_${i}`, orderable ? `max(${q})::VARCHAR AS mx_${i}` : `NULL AS mx_${i}`);
  });
  return `SELECT ${parts.join(', ')} FROM ${table}`;
}

/** Bars of one column: `label`, `n` rows. */
export function barsSql(table: string, column: { name: string; type: string }): { kind: ColumnProfile['barsKind']; sql: string } {
  const q = quoteIdentifier(column.name);
  if (isNumericType(column.type) || isTemporalType(column.type)) {
    return {
      kind: 'histogram',
      sql: `SELECT e.key::VARCHAR AS label, e.value AS n FROM (SELECT unnest(map_entries(histogram(${q}, equi_width_bins((SELECT min(${q}) FROM ${table}), (SELECT max(${q}) FROM ${table}), ${BINS}, true)))) AS e FROM ${table})`,
    };
  }
  return { kind: 'top', sql: `SELECT ${q}::VARCHAR AS label, count(*) AS n FROM ${table} WHERE ${q} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP}` };
}

function text(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** Profiles every column of `table` (a name as SQL, e.g. a temp table). */
export async function profileTable(connection: DuckDBConnection, table: string, columns: readonly { name: string; type: string }[]): Promise<ProfileResult> {
  const stats = (await connection.runAndReadAll(statsSql(table, columns))).getRowObjectsJS()[0] ?? {};
  const rows = Number(stats['rows'] ?? 0);
  const out: ColumnProfile[] = [];
  for (const [i, column] of columns.entries()) {
    const nonNull = Number(stats[`nn_${i}`] ?? 0);
    let bars: ColumnProfile['bars'] = [];
    let { kind, sql } = barsSql(table, column);
    try {
      if (nonNull > 0) bars = (await connection.runAndReadAll(sql)).getRowObjectsJS().map((r) => ({ label: String(r['label']), count: Number(r['n']) }));
    } catch {
      // A histogram over one distinct value (or an odd type) falls back to the top values.
      ({ kind, sql } = { kind: 'top', sql: barsSql(table, { name: column.name, type: 'VARCHAR' }).sql });
      bars = (await connection.runAndReadAll(sql)).getRowObjectsJS().map((r) => ({ label: String(r['label']), count: Number(r['n']) }));
    }
    const min = text(stats[`mn_${i}`]);
    const max = text(stats[`mx_${i}`]);
    out.push({
      name: column.name,
      type: column.type,
      nullShare: rows === 0 ? 0 : (rows - nonNull) / rows,
      distinct: Number(stats[`d_${i}`] ?? 0),
      ...(min !== undefined ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
      bars,
      barsKind: kind,
    });
  }
  return { rows, columns: out };
}

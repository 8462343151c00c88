/**
 * Contract methods that work on a result the engine already holds (by its id), so the renderer
 * never needs its rows: `query.sort` (a new, sorted result), `query.export` (the whole result to
 * a CSV or Parquet file through DuckDB's COPY, with progress) and `query.chart` (a sample or an
 * aggregate of two columns, small enough to plot).
 */
import { z } from 'zod';
import type { Cell, QueryResultHandle } from './values';

export const EXPORT_FORMATS = ['csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CHART_KINDS = ['bar', 'line', 'point'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

/** Most points a chart asks for. */
export const MAX_CHART_POINTS = 10_000;

const resultId = z.string().min(1).max(100);
const columnIndex = z.number().int().min(0).max(100_000);

export const resultsMethodParams = {
  /** A new result: the rows of `resultId` ordered by the given columns (by position). */
  'query.sort': z
    .object({
      resultId,
      orderBy: z
        .array(z.object({ column: columnIndex, descending: z.boolean().optional() }).strict())
        .max(16),
    })
    .strict(),
  /**
   * Writes the whole result to a file. `path` is relative to the project folder (or absolute)
   * and must stay inside the project or a folder the app was allowed to write (a save dialog's
   * choice); by default `exports/<name>-<time>.<format>` inside the project.
   */
  'query.export': z
    .object({
      resultId,
      format: z.enum(EXPORT_FORMATS),
      path: z.string().min(1).max(1000).optional(),
      /** Replace an existing file at `path` (otherwise an existing file is an error). */
      overwrite: z.boolean().optional(),
    })
    .strict(),
  /** Up to `maxPoints` (x, y) pairs: every row when the result is small, else a sample (line, point) or y summed per x (bar). */
  'query.chart': z
    .object({
      resultId,
      x: columnIndex,
      y: columnIndex,
      kind: z.enum(CHART_KINDS),
      maxPoints: z.number().int().min(1).max(MAX_CHART_POINTS).optional(),
    })
    .strict(),
} as const;

export interface ExportResult {
  /** Absolute path of the written file. */
  path: string;
  /** The path relative to the project folder when inside it. */
  projectPath?: string;
  format: ExportFormat;
  rows: number;
  bytes: number;
  elapsedMs: number;
}

export interface ChartData {
  x: Cell[];
  y: (number | null)[];
  /** How the points relate to the result's rows. */
  reduction: 'all' | 'sample' | 'sum_per_x' | 'first_rows';
  /** Rows the result has. */
  rowCount: number;
}

export interface ResultsMethodResults {
  'query.sort': QueryResultHandle;
  'query.export': ExportResult;
  'query.chart': ChartData;
}

/** Of these, the ones that may take long (progress events, cancellable). */
export const resultsLongRunningMethods = ['query.sort', 'query.export'] as const;

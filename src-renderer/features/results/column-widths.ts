/**
 * Column widths: a first guess from the name and type (the grid never sees all values), the
 * user's drag, and autosize (double-click on the header's edge) from the values loaded now.
 */
import type { ColumnInfo } from '../../../src-shared/values';

export const MIN_COLUMN_WIDTH = 48;
export const MAX_COLUMN_WIDTH = 800;
const CELL_PADDING = 18;

export function initialWidth(column: ColumnInfo): number {
  const byType = column.type.startsWith('TIMESTAMP') ? 230 : column.type === 'DATE' ? 110 : column.type === 'VARCHAR' || column.type === 'UUID' ? 180 : 90;
  return Math.min(320, Math.max(byType, 8 * Math.max(column.name.length, column.type.length) + 28));
}

export function clampWidth(width: number): number {
  return Math.round(Math.max(MIN_COLUMN_WIDTH, Math.min(MAX_COLUMN_WIDTH, width)));
}

/** The width that shows the widest of `texts` whole, as `measure` (pixels of a text) says. */
export function autosizeWidth(header: string[], texts: string[], measure: (text: string, bold: boolean) => number): number {
  let widest = 0;
  for (const text of header) widest = Math.max(widest, measure(text, true));
  for (const text of texts) widest = Math.max(widest, measure(text, false));
  return clampWidth(widest + CELL_PADDING);
}

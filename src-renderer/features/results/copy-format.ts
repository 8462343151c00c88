/**
 * Text for copied cells: TSV (what spreadsheets paste), CSV (csv-stringify), JSON (an array of
 * row objects) and a Markdown table. Rows arrive column-wise, as the engine pages them.
 */
import { stringify } from 'csv-stringify/browser/esm/sync';
import type { Cell } from '../../../src-shared/values';

export const COPY_FORMATS = ['tsv', 'csv', 'json', 'markdown'] as const;
export type CopyFormat = (typeof COPY_FORMATS)[number];

export const COPY_FORMAT_LABELS: Record<CopyFormat, string> = { tsv: 'TSV', csv: 'CSV', json: 'JSON', markdown: 'Markdown' };

/** A cell as plain text: NULL is empty, nested values are JSON. */
export function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

function rowsOf(columns: Cell[][]): Cell[][] {
  const count = columns[0]?.length ?? 0;
  const rows: Cell[][] = [];
  for (let r = 0; r < count; r++) rows.push(columns.map((column) => column[r] ?? null));
  return rows;
}

function markdownEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** `names` are the copied columns' names; `columns[c][r]` their cells. */
export function formatCopy(format: CopyFormat, names: string[], columns: Cell[][]): string {
  const rows = rowsOf(columns);
  switch (format) {
    case 'tsv':
      // Tabs and line breaks inside a cell would split it; spreadsheets take them as spaces.
      return [names, ...rows.map((row) => row.map(cellText))].map((row) => row.map((t) => t.replace(/[\t\r\n]+/g, ' ')).join('\t')).join('\n');
    case 'csv':
      return stringify([names, ...rows.map((row) => row.map(cellText))], { record_delimiter: '\n' }).replace(/\n$/, '');
    case 'json':
      return JSON.stringify(rows.map((row) => Object.fromEntries(names.map((name, c) => [name, row[c] ?? null]))), null, 2);
    case 'markdown': {
      const head = `| ${names.map(markdownEscape).join(' | ')} |`;
      const rule = `| ${names.map(() => '---').join(' | ')} |`;
      const body = rows.map((row) => `| ${row.map((cell) => markdownEscape(cell === null ? 'NULL' : cellText(cell))).join(' | ')} |`);
      return [head, rule, ...body].join('\n');
    }
  }
}

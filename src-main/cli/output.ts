/**
 * Writers that print a paged result to a stream as JSON (an array of row objects), CSV, or
 * an aligned text table. Pages arrive column-wise; writers never hold more than one page.
 */
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Cell, ColumnInfo, ResultPage } from '../../src-shared/values';

export type OutputFormat = 'json' | 'csv' | 'table';

export interface ResultWriter {
  page(page: ResultPage): Promise<void>;
  end(totalRows: number): Promise<void>;
}

export function write(out: Writable, text: string): Promise<void> {
  if (text.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const ok = out.write(text, (error) => (error ? reject(error) : undefined));
    if (ok) resolve();
    else out.once('drain', resolve);
  });
}

function rowsOf(page: ResultPage): Cell[][] {
  const rows: Cell[][] = [];
  for (let r = 0; r < page.rowCount; r++) rows.push(page.columns.map((column) => column[r] ?? null));
  return rows;
}

export function jsonWriter(out: Writable, columns: ColumnInfo[]): ResultWriter {
  let first = true;
  const keys = columns.map((c) => JSON.stringify(c.name));
  return {
    async page(page) {
      let text = '';
      for (let r = 0; r < page.rowCount; r++) {
        let row = '{';
        for (let c = 0; c < keys.length; c++) {
          row += `${c > 0 ? ',' : ''}${keys[c]}:${JSON.stringify(page.columns[c]?.[r] ?? null)}`;
        }
        text += `${first ? '[' : ','}${row}}`;
        first = false;
      }
      await write(out, text);
    },
    async end() {
      await write(out, first ? '[]\n' : ']\n');
    },
  };
}

function csvCell(cell: Cell): string | number | boolean | null {
  return cell !== null && typeof cell === 'object' ? JSON.stringify(cell) : cell;
}

export function csvWriter(out: Writable, columns: ColumnInfo[]): ResultWriter {
  let headerWritten = false;
  return {
    async page(page) {
      const header = headerWritten ? '' : stringify([columns.map((c) => c.name)]);
      headerWritten = true;
      await write(out, header + stringify(rowsOf(page).map((row) => row.map(csvCell))));
    },
    async end() {
      if (!headerWritten) await write(out, stringify([columns.map((c) => c.name)]));
    },
  };
}

export function displayCell(cell: Cell): string {
  if (cell === null) return 'NULL';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

/** An aligned table; widths come from the first page so that output streams. */
export function tableWriter(out: Writable, columns: ColumnInfo[], maxWidth = 40): ResultWriter {
  let widths: number[] | undefined;
  const clip = (text: string, width: number) =>
    text.length > width ? `${text.slice(0, Math.max(1, width - 1))}…` : text.padEnd(width);
  const line = (cells: string[]) => `${cells.map((cell, i) => clip(cell, widths?.[i] ?? 0)).join('  ').trimEnd()}\n`;
  const start = async (page?: ResultPage) => {
    widths = columns.map((column, c) => {
      let width = Math.max(column.name.length, column.type.length);
      for (const cell of page?.columns[c] ?? []) width = Math.max(width, displayCell(cell).length);
      return Math.min(width, maxWidth);
    });
    await write(
      out,
      line(columns.map((c) => c.name)) + line(columns.map((c) => c.type.toLowerCase())) + line(widths.map((w) => '-'.repeat(w))),
    );
  };
  return {
    async page(page) {
      if (!widths) await start(page);
      await write(out, rowsOf(page).map((row) => line(row.map(displayCell))).join(''));
    },
    async end(totalRows) {
      if (!widths) await start();
      await write(out, `(${totalRows} ${totalRows === 1 ? 'row' : 'rows'})\n`);
    },
  };
}

export function resultWriter(format: OutputFormat, out: Writable, columns: ColumnInfo[]): ResultWriter {
  switch (format) {
    case 'json':
      return jsonWriter(out, columns);
    case 'csv':
      return csvWriter(out, columns);
    case 'table':
      return tableWriter(out, columns);
  }
}

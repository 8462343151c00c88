/**
 * A small RFC 4180 CSV reader for seed headers and CSV-formatted test rows (quoted fields,
 * doubled quotes, CRLF). Values stay strings; typing is left to DuckDB.
 */

export interface CsvOptions {
  delimiter?: string;
  quote?: string;
}

/** All records of `text`; a trailing empty line is ignored. */
export function parseCsv(text: string, options: CsvOptions = {}): string[][] {
  const delimiter = options.delimiter ?? ',';
  const quote = options.quote ?? '"';
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (quoted) {
      if (ch === quote && text[i + 1] === quote) {
        field += quote;
        i++;
      } else if (ch === quote) quoted = false;
      else field += ch;
      continue;
    }
    if (ch === quote && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (ch === delimiter) {
      record.push(field);
      field = '';
      fieldStarted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      fieldStarted = false;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (fieldStarted || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Records as objects keyed by the header row. */
export function csvToRows(text: string, options: CsvOptions = {}): Array<Record<string, string>> {
  const [header, ...records] = parseCsv(text, options);
  if (!header) return [];
  return records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/**
 * A seed's columns when it declares none: the header line of its CSV file, split with the
 * seed's `csv_settings` delimiter and quote (DuckDB's `read_csv(header = true)` names the
 * columns after it). Only the first line is read.
 */
import { open } from 'node:fs/promises';

function setting(settings: Record<string, unknown>, names: string[], fallback: string): string {
  for (const name of names) {
    const value = settings[name];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return fallback;
}

/** Splits one CSV line, honouring quotes (a doubled quote is a quote). */
export function splitCsvLine(line: string, delimiter = ',', quote = '"'): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === quote && line[i + 1] === quote) {
        field += quote;
        i++;
      } else if (ch === quote) quoted = false;
      else field += ch;
    } else if (ch === quote) quoted = true;
    else if (line.startsWith(delimiter, i)) {
      fields.push(field);
      field = '';
      i += delimiter.length - 1;
    } else field += ch;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

/** The column names of a CSV file's header, or undefined when it cannot be read. */
export async function csvHeader(path: string, settings: Record<string, unknown> = {}): Promise<string[] | undefined> {
  if (!path) return undefined;
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    const line = text.split(/\r?\n/, 1)[0] ?? '';
    if (line.trim() === '') return undefined;
    const names = splitCsvLine(line, setting(settings, ['delimiter', 'delim', 'sep'], ','), setting(settings, ['quote'], '"'));
    return names.map((name, i) => name || `column${String(i).padStart(2, '0')}`);
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

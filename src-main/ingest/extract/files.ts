/**
 * Extraction from local files: JSON, NDJSON, CSV and Parquet, each optionally gzip-compressed,
 * selected by a path or glob (`*`, `?`, `**`). JSON and NDJSON are parsed here (NDJSON streamed
 * line by line, errors name file:line); CSV and Parquet are read by DuckDB (CSV as text, so the
 * normalizer infers types the same way as for API strings).
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FileSourceConfig } from '../config/schema';
import { IngestError, throwIfCancelled } from '../errors';
import { quoteLiteral } from '../schema/types';
import type { RecordPage } from './rest';

type Format = NonNullable<FileSourceConfig['format']>;

export function formatOf(file: string, declared?: Format): Format {
  if (declared) return declared;
  const name = file.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.csv') || name.endsWith('.tsv')) return 'csv';
  if (name.endsWith('.parquet')) return 'parquet';
  throw new IngestError(`Cannot tell the format of ${file}; set file.format to json, ndjson, csv or parquet`);
}

/** Files matching a path or glob, sorted; relative patterns resolve against `baseDir`. */
export function expandGlob(pattern: string, baseDir: string): string[] {
  const absolute = path.resolve(baseDir, pattern);
  if (!/[*?[]/.test(absolute)) return fs.existsSync(absolute) ? [absolute] : [];
  const parts = absolute.split(path.sep);
  const firstGlob = parts.findIndex((p) => /[*?[]/.test(p));
  const root = parts.slice(0, firstGlob).join(path.sep) || path.sep;
  const regex = new RegExp(
    `^${parts
      .slice(firstGlob)
      .map((p) => (p === '**' ? '(?:.*/)?' : `${p.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}/`))
      .join('')
      .replace(/\/$/, '')}$`,
  );
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, relPath);
      else if (regex.test(relPath)) out.push(full);
    }
  };
  walk(root, '');
  return out.sort();
}

export interface FilePagesOptions {
  file: FileSourceConfig;
  baseDir: string;
  connection: DuckDBConnection;
  signal?: AbortSignal;
}

export async function* filePages(options: FilePagesOptions): AsyncGenerator<RecordPage> {
  const files = expandGlob(options.file.path, options.baseDir);
  if (files.length === 0) throw new IngestError(`No file matches ${options.file.path} (relative to ${options.baseDir})`);
  for (const file of files) {
    throwIfCancelled(options.signal);
    const format = formatOf(file, options.file.format);
    if (format === 'ndjson') yield* ndjsonPages(file, options.file.page_size, options.signal);
    else if (format === 'json') yield* jsonPages(file, options.file.page_size);
    else yield* duckPages(file, format, options);
  }
}

function open(file: string): NodeJS.ReadableStream {
  const stream = fs.createReadStream(file);
  return file.toLowerCase().endsWith('.gz') ? stream.pipe(zlib.createGunzip()) : stream;
}

async function* ndjsonPages(file: string, pageSize: number, signal?: AbortSignal): AsyncGenerator<RecordPage> {
  const lines = readline.createInterface({ input: open(file), crlfDelay: Infinity });
  let records: unknown[] = [];
  let bytes = 0;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch (error) {
      lines.close();
      throw new IngestError(`${file}:${lineNo}: malformed JSON line: ${(error as Error).message}`);
    }
    bytes += line.length + 1;
    if (records.length >= pageSize) {
      throwIfCancelled(signal);
      yield { records, bytes, url: file };
      records = [];
      bytes = 0;
    }
  }
  if (records.length > 0) yield { records, bytes, url: file };
}

async function* jsonPages(file: string, pageSize: number): AsyncGenerator<RecordPage> {
  const raw = fs.readFileSync(file);
  const text = (file.toLowerCase().endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new IngestError(`${file}: malformed JSON: ${(error as Error).message}`);
  }
  const records = Array.isArray(body) ? body : [body];
  for (let i = 0; i < records.length; i += pageSize) {
    yield { records: records.slice(i, i + pageSize), bytes: Math.round((text.length * Math.min(pageSize, records.length - i)) / records.length), url: file };
  }
}

async function* duckPages(file: string, format: 'csv' | 'parquet', options: FilePagesOptions): AsyncGenerator<RecordPage> {
  const source = format === 'csv' ? `read_csv(${quoteLiteral(file)}, all_varchar = true, header = true)` : `read_parquet(${quoteLiteral(file)})`;
  const result = await options.connection.stream(`SELECT * FROM ${source}`);
  const size = fs.statSync(file).size;
  let records: unknown[] = [];
  let total = 0;
  for await (const rows of result.yieldRowObjectJson()) {
    for (const row of rows) {
      // DuckDB's JSON conversion gives SQL NULL as null: drop those keys like omitted API fields.
      const record: Record<string, unknown> = {};
      for (const key in row) if (row[key] !== null) record[key] = row[key];
      records.push(record);
    }
    if (records.length >= options.file.page_size) {
      throwIfCancelled(options.signal);
      total += records.length;
      yield { records, bytes: 0, url: file };
      records = [];
    }
  }
  if (records.length > 0 || total === 0) yield { records, bytes: size, url: file };
}

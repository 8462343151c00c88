/**
 * Writes a load package's data files. Normalized rows arrive as NDJSON lines per table and are
 * appended to a temp file; pages accepted by the raw route arrive as the response bytes (a JSON
 * array) and are stored as NDJSON — the commas between records turned into newlines in place,
 * which DuckDB reads at about half the cost of an array — or, when a record has line breaks
 * inside (pretty-printed), unchanged. Every `rotateRows` rows (at a page boundary) DuckDB turns the
 * chunk into Parquet with `read_json(..., columns={...})` + `COPY ... (FORMAT parquet)` —
 * flattening raw records with struct access — in its own threads while JavaScript keeps
 * working on the next pages. One conversion runs per writer connection; when all are busy the
 * next full chunk waits, which bounds disk and memory use. For a sink with its own file form
 * (the lake), chunks are written in that form — field ids, its Parquet settings, statistics —
 * so its commit adopts them instead of rewriting every row.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableSchema } from '../schema/types';
import { duckType, quoteIdent, quoteLiteral } from '../schema/types';
import type { NormalizedPage, RawColumn } from '../normalize/normalizer';
import type { RawFraming } from '../normalize/raw-scan';
import type { LoadTable, PackageFile } from './package';
import type { PackageFileForm } from './sink';

/**
 * Rows per chunk: small enough that the conversion left after the last page is short and the
 * writer's memory stays low, large enough that each DuckDB call carries several pages.
 */
const DEFAULT_ROTATE_ROWS = 100_000;

/** Rows per Parquet row group: the writer buffers one row group, so small keeps memory low. */
export const PACKAGE_ROW_GROUP_SIZE = 8192;

/**
 * Bytes per NDJSON file of a chunk: DuckDB's JSON reader holds about two buffers of
 * min(file size, 32 MB) per file, so a chunk of several small files costs less memory to read.
 */
const NDJSON_PIECE_BYTES = 2 << 20;

interface Chunk {
  /** The chunk's NDJSON files, the last one open for appending. */
  files: string[];
  fd: number;
  /** Bytes in the open file. */
  bytes: number;
  rows: number;
}

const OPEN_BRACKET = Buffer.from('[');
const CLOSE_BRACKET = Buffer.from(']');
/** Raw page files kept to be written over: about two chunks' worth of 2 MB pieces. */
const MAX_SPARE_FILES = 128;
const SPACE = 0x20;
const NEWLINE = 0x0a;

interface TableFiles {
  chunk?: Chunk;
  /** Raw page files of the current chunk. */
  raw: string[];
  /** How they hold their records: NDJSON, or JSON arrays (pages with line breaks of their own). */
  rawForm: 'ndjson' | 'array';
  rawRows: number;
  parquet: PackageFile[];
  rows: number;
  seq: number;
}

/** One chunk's conversion: its NDJSON and raw files, the Parquet file it writes, the table's columns then. */
interface Conversion {
  table: string;
  ndjson: string[];
  raw: string[];
  rawForm: TableFiles['rawForm'];
  parquet: PackageFile;
  columns: TableSchema['columns'];
  rawColumns: RawColumn[];
}

export interface PackageWriterOptions {
  dir: string;
  loadId: string;
  /** Connections of the DuckDB that converts chunks: one conversion runs on each at a time. */
  connections: DuckDBConnection[];
  /** Rows per table before a chunk is converted to Parquet. */
  rotateRows?: number;
  /** The sink's own file form, when it takes files as they are (else the plain package form). */
  form?: PackageFileForm;
}

/** What the writer needs to know about a table when it converts a chunk. */
export interface TableLayout {
  schema: TableSchema;
  /** Raw-record paths of the columns, for raw pages (root tables only). */
  raw?: RawColumn[];
}

export class PackageWriter {
  private readonly tables = new Map<string, TableFiles>();
  /** Conversions running. */
  private readonly running = new Set<Promise<void>>();
  /** Connections free for the next conversion. */
  private readonly idle: DuckDBConnection[];
  private aborted = false;
  /** `finish` was called: no page comes any more, so no file is kept to be written over. */
  private finishing = false;
  private failure: unknown;
  /** Raw page files whose conversion finished: written over by the next pages. */
  private readonly spare: string[] = [];

  constructor(private readonly options: PackageWriterOptions) {
    fs.mkdirSync(options.dir, { recursive: true });
    this.idle = [...options.connections];
  }

  /**
   * Appends the bytes of a page accepted by the raw route (a JSON array of `rows` records).
   * `release`, when given, is called once the bytes are on disk (the body may then be reused).
   * `framing`, when given, is where the page's brackets and record commas are: the page is then
   * stored as NDJSON (rewritten in place: `body` must be the caller's to change) unless a record
   * has a line break inside, and cut at `framing.at` into files of about 2 MB, so DuckDB reads it
   * in small buffers.
   */
  async appendRaw(
    table: string,
    body: Uint8Array,
    rows: number,
    layoutOf: (table: string) => TableLayout,
    release?: () => void,
    framing?: Readonly<RawFraming>,
  ): Promise<void> {
    if (this.failure) throw this.failure;
    let files = this.filesOf(table);
    const form = framing && !framing.lineBreakInRecord ? 'ndjson' : 'array';
    // Keep arrival order inside a Parquet file (merge lets the last row of a key win): a switch
    // between routes, or between forms of raw pages, closes the chunk.
    if (files.chunk || (files.raw.length > 0 && files.rawForm !== form)) {
      await this.rotate(table, layoutOf(table));
      files = this.filesOf(table);
    }
    files.rawForm = form;
    if (form === 'ndjson' && framing) {
      body[framing.open] = SPACE;
      for (const comma of framing.commas) body[comma] = NEWLINE;
      body[framing.close] = NEWLINE;
    }
    const cuts = framing?.at ?? [];
    // Written by libuv's thread pool: the event loop keeps receiving the next pages meanwhile.
    const written: Promise<void>[] = [];
    for (let k = 0; k <= cuts.length; k++) {
      const start = k === 0 ? 0 : (cuts[k - 1] as number) + 1;
      const end = k === cuts.length ? body.length : (cuts[k] as number);
      const parts = form === 'ndjson' ? [body.subarray(start, end)] : [...(k === 0 ? [] : [OPEN_BRACKET]), body.subarray(start, end), ...(k === cuts.length ? [] : [CLOSE_BRACKET])];
      // A file a finished conversion read is written over (its pages stay in the page cache):
      // about a third of the system time of a new file's.
      const spare = this.spare.pop();
      const file = spare ?? path.join(this.options.dir, `${table}.${String(files.seq++).padStart(5, '0')}.json`);
      files.raw.push(file);
      written.push(writeParts(file, parts, spare !== undefined));
    }
    await Promise.all(written);
    release?.();
    files.rawRows += rows;
    files.rows += rows;
    if (this.full(files)) await this.rotate(table, layoutOf(table));
  }

  /** Appends a normalized page. `layoutOf` gives the table as it stands after the page. */
  async append(page: NormalizedPage, layoutOf: (table: string) => TableLayout): Promise<void> {
    if (this.failure) throw this.failure;
    for (const [table, lines] of page) {
      if (lines.length === 0) continue;
      const files = this.filesOf(table);
      if (files.raw.length > 0) await this.rotate(table, layoutOf(table));
      if (files.chunk && files.chunk.bytes >= NDJSON_PIECE_BYTES) {
        fs.closeSync(files.chunk.fd);
        files.chunk.fd = this.openNdjson(table, files, files.chunk.files);
        files.chunk.bytes = 0;
      }
      if (!files.chunk) {
        const chunkFiles: string[] = [];
        files.chunk = { files: chunkFiles, fd: this.openNdjson(table, files, chunkFiles), bytes: 0, rows: 0 };
      }
      const text = lines.join('\n') + '\n';
      files.chunk.bytes += fs.writeSync(files.chunk.fd, text);
      files.chunk.rows += lines.length;
      files.rows += lines.length;
      if (this.full(files)) await this.rotate(table, layoutOf(table));
    }
  }

  /** Converts what is left and returns the package tables, in the order of `schemas`. */
  async finish(layouts: TableLayout[]): Promise<LoadTable[]> {
    for (const layout of layouts) await this.rotate(layout.schema.name, layout, layouts.length === 1);
    // No page comes any more: the files kept to be written over go now, while the last
    // conversions run, rather than with the folder after the commit.
    this.finishing = true;
    const removed = this.spare.splice(0).map((file) => fs.promises.rm(file, { force: true }));
    await Promise.all([...this.running, ...removed]);
    if (this.failure) throw this.failure;
    return layouts.map(({ schema }) => {
      const files = this.tables.get(schema.name);
      return { schema, files: files?.parquet ?? [], rows: files?.rows ?? 0 };
    });
  }

  /** Closes open files; the caller removes the folder. */
  async abort(): Promise<void> {
    this.aborted = true;
    for (const files of this.tables.values()) if (files.chunk) fs.closeSync(files.chunk.fd);
    this.tables.clear();
    await Promise.all(this.running);
  }

  /**
   * Whether the current chunk should be converted now: once it has `rotateRows` rows — or, for
   * a table's first chunk, as soon as it has a page, so DuckDB starts working early.
   */
  private full(files: TableFiles): boolean {
    const rows = (files.chunk?.rows ?? 0) + files.rawRows;
    return files.parquet.length === 0 ? rows > 0 : rows >= (this.options.rotateRows ?? DEFAULT_ROTATE_ROWS);
  }

  /** Opens the next NDJSON file of a chunk. */
  private openNdjson(table: string, files: TableFiles, chunkFiles: string[]): number {
    const file = path.join(this.options.dir, `${table}.${String(files.seq++).padStart(5, '0')}.ndjson`);
    chunkFiles.push(file);
    return fs.openSync(file, 'w');
  }

  private filesOf(table: string): TableFiles {
    let files = this.tables.get(table);
    if (!files) {
      files = { parquet: [], rows: 0, seq: 0, raw: [], rawForm: 'ndjson', rawRows: 0 };
      this.tables.set(table, files);
    }
    return files;
  }

  /**
   * Starts converting the table's current chunk. With `split` (the load's last chunk, which
   * nothing else overlaps), a chunk of raw files is cut into one conversion per connection, so
   * every core works on the tail.
   */
  private async rotate(table: string, layout: TableLayout, split = false): Promise<void> {
    const files = this.tables.get(table);
    if (!files || (!files.chunk && files.raw.length === 0)) return;
    const chunk = files.chunk;
    const raw = files.raw;
    const rawForm = files.rawForm;
    files.chunk = undefined;
    files.raw = [];
    files.rawRows = 0;
    if (chunk) fs.closeSync(chunk.fd);
    const columns = layout.schema.columns.slice();
    const rawColumns = (layout.raw ?? []).slice();
    const parts = split && !chunk ? Math.min(this.options.connections.length, raw.length) : 1;
    for (let part = 0; part < parts; part++) {
      const from = Math.floor((raw.length * part) / parts);
      const to = Math.floor((raw.length * (part + 1)) / parts);
      // In arrival order: the files' order is the rows' (merge lets the last row of a key win).
      const parquet: PackageFile = { path: path.join(this.options.dir, `${table}.${String(files.seq++).padStart(5, '0')}.parquet`) };
      files.parquet.push(parquet);
      await this.startConversion({ table, ndjson: part === 0 ? (chunk?.files ?? []) : [], raw: raw.slice(from, to), rawForm, parquet, columns, rawColumns });
    }
  }

  private async startConversion(job: Conversion): Promise<void> {
    // Conversions run on the writer's connections, several at once when it has several;
    // JavaScript goes on with the next pages meanwhile and waits only when every connection is
    // busy, so DuckDB always has the next chunk ready.
    while (this.idle.length === 0) await Promise.race(this.running);
    const connection = this.idle.pop() as DuckDBConnection;
    const task: Promise<void> = (async () => {
      if (this.failure === undefined && !this.aborted) await this.convert(connection, job);
    })()
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.idle.push(connection);
        this.running.delete(task);
      });
    this.running.add(task);
    if (this.failure) throw this.failure;
  }

  private async convert(connection: DuckDBConnection, { table, ndjson, raw, rawForm, parquet, columns, rawColumns }: Conversion): Promise<void> {
    const parts: string[] = [];
    if (ndjson.length > 0) {
      const flat = columns.filter((c) => c.name !== '_dlt_load_id');
      const spec = flat.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(duckType(c.dataType))}`).join(', ');
      parts.push(
        `SELECT ${flat.map((c) => quoteIdent(c.name)).join(', ')} FROM read_json([${ndjson.map(quoteLiteral).join(', ')}], format = 'newline_delimited', columns = {${spec}})`,
      );
    }
    if (raw.length > 0) {
      const select = rawColumns.map((c) => `${rawAccess(c.path)} AS ${quoteIdent(c.name)}`);
      // A random prefix per conversion plus the row number: unique, and far cheaper to generate,
      // write and load than a random UUID per row.
      select.push(`${quoteLiteral(randomBytes(9).toString('base64url') + '.')} || (row_number() OVER ())::VARCHAR AS _dlt_id`);
      parts.push(
        `SELECT ${select.join(', ')} FROM read_json([${raw.map(quoteLiteral).join(', ')}], format = ${rawForm === 'ndjson' ? "'newline_delimited'" : "'array'"}, columns = {${rawSpec(rawColumns)}})`,
      );
    }
    const select = `SELECT *, ${quoteLiteral(this.options.loadId)} AS _dlt_load_id FROM (${parts.join(' UNION ALL BY NAME ')})`;
    const sinkForm = this.options.form?.copyOptions(table, columns.map((c) => c.name));
    if (sinkForm) {
      // Written as the sink writes its own files: the commit takes it without a rewrite.
      const reader = await connection.runAndReadAll(`COPY (${select}) TO ${quoteLiteral(parquet.path)} (${sinkForm})`);
      const stats = reader.getRowObjectsJS()[0];
      if (stats) parquet.stats = stats;
    } else {
      // Package files live only until the commit reads them: snappy is cheaper than zstd both
      // ways. Small row groups keep the writer's memory low (it buffers one row group).
      await connection.run(`COPY (${select}) TO ${quoteLiteral(parquet.path)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${PACKAGE_ROW_GROUP_SIZE})`);
    }
    // Raw page files are kept to be written over (up to a bound); the rest are removed by
    // libuv's thread pool: unlinking a large file takes the kernel a while.
    const kept = this.aborted || this.finishing ? [] : raw.slice(0, Math.max(0, MAX_SPARE_FILES - this.spare.length));
    this.spare.push(...kept);
    await Promise.all([...ndjson, ...raw.slice(kept.length)].map((file) => fs.promises.rm(file, { force: true })));
  }
}

/** Writes `parts` one after the other as the file's whole content (over an existing file's, with `over`). */
async function writeParts(file: string, parts: Uint8Array[], over = false): Promise<void> {
  const handle = await fs.promises.open(file, over ? 'r+' : 'w');
  try {
    await handle.writev(parts);
    if (over) await handle.truncate(parts.reduce((n, part) => n + part.length, 0));
  } finally {
    await handle.close();
  }
}

/** `struct_extract(struct_extract("a", 'b'), 'c')` for the raw path a.b.c. */
function rawAccess(path: string[]): string {
  const [first, ...rest] = path;
  let expression = quoteIdent(first ?? '');
  for (const key of rest) expression = `struct_extract(${expression}, ${quoteLiteral(key)})`;
  return expression;
}

type SpecNode = Map<string, SpecNode | string>;

/** The `columns = {...}` of `read_json` for raw records: nested objects as STRUCTs. */
function rawSpec(columns: RawColumn[]): string {
  const root: SpecNode = new Map();
  for (const column of columns) {
    let node = root;
    column.path.forEach((key, i) => {
      if (i === column.path.length - 1) node.set(key, duckType(column.dataType));
      else {
        let next = node.get(key);
        if (!(next instanceof Map)) {
          next = new Map();
          node.set(key, next);
        }
        node = next;
      }
    });
  }
  const typeOf = (value: SpecNode | string): string =>
    typeof value === 'string' ? value : `STRUCT(${[...value].map(([k, v]) => `${quoteIdent(k)} ${typeOf(v)}`).join(', ')})`;
  return [...root].map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(typeOf(v))}`).join(', ');
}

/**
 * Runs a pipeline once: extract (REST pages or files) → incremental filter → normalize → write
 * Parquet → one `LakeSink.commitLoad` with data, schema changes, the `_dlt_loads` record and the
 * new pipeline state. A failed or cancelled run commits nothing, so the cursor stays where it
 * was and the next run loads exactly the missing rows. Progress is reported through a callback.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckEngine } from '../../duck/engine';
import type { PasError } from '../../../src-shared/errors';
import type { IngestProgressEvent } from '../../../src-shared/ingest';
import { isPasException } from '../../../src-shared/errors';
import type { ResolvedPipeline, ResolvedResource } from '../config/load';
import { throwIfCancelled } from '../errors';
import { filePages } from '../extract/files';
import { IncrementalCursor } from '../extract/incremental';
import { getPath, splitPath } from '../extract/json-path';
import type { RecordPage } from '../extract/rest';
import { restPages } from '../extract/rest';
import { emptyBodyPool } from '../http/body-pool';
import type { RetryNotice } from '../http/client';
import { emptyState, newLoadId, type LoadPackage, type PipelineState } from '../load/package';
import { PackageWriter, type TableLayout } from '../load/package-writer';
import type { LakeSink } from '../load/sink';
import { Normalizer } from '../normalize/normalizer';

export interface ResourceProgress {
  pages: number;
  rows: number;
  bytes: number;
  /** Pages whose bytes went to DuckDB unchanged (the raw route). */
  rawPages: number;
  /** Of those, the pages checked without parsing the page as a whole (on its bytes, or record by record). */
  unparsedPages: number;
}

/** A progress event as the contract carries it (without the request id), plus per-resource counts. */
export interface IngestProgress extends Omit<IngestProgressEvent, 'requestId'> {
  resources: Record<string, ResourceProgress>;
}

export interface RunResult {
  pipeline: string;
  load_id: string;
  status: 'loaded' | 'failed' | 'cancelled';
  tables: { name: string; rows: number }[];
  elapsed_ms: number;
  error?: PasError;
}

export interface RunOptions {
  sink: LakeSink;
  signal?: AbortSignal;
  onProgress?: (event: IngestProgress) => void;
  /** Where load packages are staged (default: the OS temp folder). */
  workDir?: string;
  /** Rows per table per Parquet file. */
  rotateRows?: number;
  /** Set false to send every page through the JavaScript normalizer (default: raw route when possible). */
  rawRoute?: boolean;
}

export async function runPipeline(pipeline: ResolvedPipeline, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const loadId = newLoadId();
  const dir = path.join(options.workDir ?? path.join(os.tmpdir(), 'pas-ingest'), `${pipeline.name}-${loadId}`);
  const progress: IngestProgress = { pipeline: pipeline.name, loadId, stage: 'extract', pages: 0, rows: 0, bytes: 0, rowsPerSecond: 0, elapsedMs: 0, resources: {} };
  const emit = (stage: IngestProgress['stage'], extra: Partial<IngestProgress> = {}): void => {
    if (!options.onProgress) return;
    progress.elapsedMs = performance.now() - started;
    progress.rowsPerSecond = progress.elapsedMs > 0 ? Math.round((progress.rows * 1000) / progress.elapsedMs) : 0;
    options.onProgress({ ...progress, ...extra, stage, resources: structuredClone(progress.resources) });
  };
  const count = (stats: ResourceProgress, rows: number, bytes: number): void => {
    stats.pages++;
    stats.rows += rows;
    stats.bytes += bytes;
    progress.pages++;
    progress.rows += rows;
    progress.bytes += bytes;
  };
  const engine = await writerEngine();
  const connection = await engine.connect();
  const converters = [connection];
  for (let i = 1; i < CONVERSIONS; i++) converters.push(await engine.connect());
  let writer: PackageWriter | undefined;
  let tables: { name: string; rows: number }[] = [];
  try {
    // Files in the sink's own form when it has one, so its commit takes them as they are.
    const form = await options.sink.packageFileForm?.(pipeline.dataset);
    writer = new PackageWriter({ dir, loadId, connections: converters, ...(options.rotateRows ? { rotateRows: options.rotateRows } : {}), ...(form ? { form } : {}) });
    const existing = new Map((await options.sink.currentSchemas(pipeline.dataset)).map((t) => [t.name, t]));
    const state = (await options.sink.pipelineState(pipeline.dataset, pipeline.name)) ?? emptyState();
    const next: PipelineState = { version: state.version + 1, resources: structuredClone(state.resources) };
    const normalizers: Normalizer[] = [];
    const kept = new Map<string, unknown[]>();
    const parents = new Set(pipeline.resources.flatMap((r) => (r.source.kind === 'rest' && r.source.parent ? [r.source.parent] : [])));

    for (const resource of pipeline.resources) {
      const incrementalConfig = resource.source.kind === 'rest' ? resource.source.endpoint.incremental : undefined;
      // The byte check also collects the cursor's values when it is a plain path of object keys.
      const cursorPath = incrementalConfig ? splitPath(incrementalConfig.cursor_path) : undefined;
      const rawCursorPath = cursorPath?.every((k) => typeof k === 'string') ? (cursorPath as string[]) : undefined;
      const normalizer = resource.selected
        ? new Normalizer({
            table: resource.table,
            writeDisposition: resource.writeDisposition,
            primaryKey: resource.primaryKey,
            hints: resource.hints,
            existing,
            ...(rawCursorPath ? { cursorPath: rawCursorPath } : {}),
          })
        : undefined;
      if (normalizer) normalizers.push(normalizer);
      const incremental = incrementalConfig
        ? new IncrementalCursor(incrementalConfig, state.resources[resource.name]?.incremental, resource.primaryKey, resource.name)
        : undefined;
      const keep: unknown[] | undefined = parents.has(resource.name) ? [] : undefined;
      if (keep) kept.set(resource.name, keep);
      const stats: ResourceProgress = { pages: 0, rows: 0, bytes: 0, rawPages: 0, unparsedPages: 0 };
      progress.resources[resource.name] = stats;
      const onRetry = (notice: RetryNotice): void => emit('retry', { resource: resource.name, message: `${notice.reason}; retry ${notice.attempt} in ${Math.round(notice.delayMs)} ms: ${notice.url}` });

      // The byte check of the raw route, when nothing needs the records as JavaScript values
      // (an incremental cursor is checked on the bytes too: a page entirely inside the window
      // passes, one that needs filtering is parsed). After three pages in a row that it declines
      // and the JavaScript route then takes, it rests (so such APIs pay the check's time at most
      // three times) until a page passes `acceptRaw` again.
      let declined = 0;
      const rawCheck =
        normalizer && options.rawRoute !== false && (!incremental || rawCursorPath) && !keep && !(resource.source.kind === 'rest' && resource.source.parent)
          ? (body: Uint8Array): number | undefined => {
              if (declined >= 3) return undefined;
              let rows = normalizer.scanRaw(body);
              if (rows !== undefined && incremental) {
                const cursor = normalizer.lastCursorScan();
                if (!cursor || !incremental.acceptRaw(cursor, body)) rows = undefined;
              }
              // A page the byte check cannot take as the schema stands (the first page, a new
              // field) may still fit once its records settle the schema: check them one at a time
              // rather than parsing the whole page at once (a page of records is ~4x its bytes).
              if (rows === undefined) rows = normalizer.acceptRawBody(body, incremental && ((cursor) => incremental.acceptRaw(cursor, body)));
              declined = rows === undefined ? declined + 1 : 0;
              return rows;
            }
          : undefined;
      for await (const { page, parent } of pagesOf(pipeline, resource, kept, incremental, connection, options.signal, onRetry, rawCheck)) {
        throwIfCancelled(options.signal);
        if (page.checked !== undefined && page.raw && normalizer) {
          // Checked on its bytes, never parsed: the page goes to DuckDB as received.
          await writer.appendRaw(resource.table, page.raw, page.checked, (name) => layoutOfTable(normalizer, name), page.release, normalizer.rawFraming(page.raw));
          normalizer.countRaw(page.checked);
          stats.rawPages++;
          stats.unparsedPages++;
          count(stats, page.checked, page.bytes);
          emit('extract', { resource: resource.name });
          continue;
        }
        let records = incremental ? incremental.filter(page.records) : page.records;
        const unchanged = records.length === page.records.length && !(parent && resource.includeFromParent.length > 0);
        if (parent && resource.includeFromParent.length > 0) records = records.map((r) => withParentFields(r, parent, resource));
        if (keep) for (const record of records) keep.push(record);
        if (normalizer && records.length > 0) {
          const layoutOf = (name: string): TableLayout => layoutOfTable(normalizer, name);
          // Raw route: the page bytes go to DuckDB unchanged when every record fits the schema as-is.
          if (page.raw && unchanged && options.rawRoute !== false && normalizer.acceptRaw(records)) {
            declined = 0;
            await writer.appendRaw(resource.table, page.raw, records.length, layoutOf, page.release);
            stats.rawPages++;
          } else {
            await writer.append(normalizer.normalizePage(records), layoutOf);
          }
        }
        count(stats, records.length, page.bytes);
        emit('extract', { resource: resource.name });
      }
      if (incremental) next.resources[resource.name] = { ...next.resources[resource.name], incremental: incremental.nextState() };
    }

    emptyBodyPool();
    throwIfCancelled(options.signal);
    const layouts = normalizers.flatMap((n) => n.tables().map((t) => layoutOfTable(n, t.name)));
    const loadTables = await writer.finish(layouts);
    tables = loadTables.map((t) => ({ name: t.schema.name, rows: t.rows }));
    const pkg: LoadPackage = { loadId, pipeline: pipeline.name, dataset: pipeline.dataset, createdAt: new Date().toISOString(), dir, tables: loadTables, state: next };
    emit('commit');
    throwIfCancelled(options.signal);
    await options.sink.commitLoad(pkg, options.signal);
    emit('done');
    return { pipeline: pipeline.name, load_id: loadId, status: 'loaded', tables, elapsed_ms: Math.round(performance.now() - started) };
  } catch (error) {
    const pasError: PasError = isPasException(error)
      ? error.error
      : options.signal?.aborted
        ? { code: 'cancelled', message: 'The load was cancelled.' }
        : { code: 'internal', message: error instanceof Error ? error.message : String(error) };
    return {
      pipeline: pipeline.name,
      load_id: loadId,
      status: pasError.code === 'cancelled' ? 'cancelled' : 'failed',
      tables,
      elapsed_ms: Math.round(performance.now() - started),
      error: pasError,
    };
  } finally {
    await writer?.abort();
    for (const c of converters) c.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let sharedEngine: Promise<DuckEngine> | undefined;

/**
 * Chunks converted to Parquet at once, each on its own connection (and thread) of the writer
 * engine: while one waits for its last page, another converts; on two cores two keep DuckDB
 * busy beside the JavaScript that receives and checks pages (see bench/ingest.bench.ts).
 */
const CONVERSIONS = 2;

/**
 * One in-memory DuckDB for writing load packages, shared by all runs of the process. Its memory
 * is capped and handed back to the system after each conversion (the allocator flush, and the
 * allocator's background thread), so a load of any size stays within the memory budget.
 */
function writerEngine(): Promise<DuckEngine> {
  sharedEngine ??= DuckEngine.open({ settings: { memory_limit: '256MB', threads: '1', allocator_flush_threshold: '16MB', allocator_background_threads: 'true' } });
  return sharedEngine;
}

function layoutOfTable(normalizer: Normalizer, table: string): TableLayout {
  const tables = normalizer.tables();
  const schema = tables.find((t) => t.name === table);
  if (!schema) throw new Error(`internal: no schema for table ${table}`);
  return schema.parent ? { schema } : { schema, raw: normalizer.rawColumns() };
}

async function* pagesOf(
  pipeline: ResolvedPipeline,
  resource: ResolvedResource,
  kept: Map<string, unknown[]>,
  incremental: IncrementalCursor | undefined,
  connection: DuckDBConnection,
  signal: AbortSignal | undefined,
  onRetry: (notice: RetryNotice) => void,
  rawCheck: ((body: Uint8Array) => number | undefined) | undefined,
): AsyncGenerator<{ page: RecordPage; parent?: unknown }> {
  const source = resource.source;
  if (source.kind === 'file') {
    for await (const page of filePages({ file: source.file, baseDir: pipeline.projectDir, connection, ...(signal ? { signal } : {}) })) yield { page };
    return;
  }
  const client = pipeline.client;
  if (!client) throw new Error(`resource "${resource.name}" needs a client`);
  const incrementalValues: Record<string, string> = {};
  for (const [k, v] of Object.entries(incremental?.placeholders() ?? {})) incrementalValues[`incremental.${k}`] = v;
  const common = { client, endpoint: source.endpoint, ...(signal ? { signal } : {}), onRetry, ...(rawCheck ? { rawCheck } : {}) };
  if (!source.parent) {
    for await (const page of restPages({ ...common, placeholders: incrementalValues })) yield { page };
    return;
  }
  const fields = referencedFields(resource, source.parent);
  for (const parent of kept.get(source.parent) ?? []) {
    const placeholders = { ...incrementalValues };
    for (const field of fields) {
      const value = getPath(parent, field);
      placeholders[`resources.${source.parent}.${field}`] = value === undefined || value === null ? '' : String(value);
    }
    for await (const page of restPages({ ...common, placeholders })) yield { page, parent };
  }
}

function referencedFields(resource: ResolvedResource, parent: string): string[] {
  const fields = new Set<string>();
  const re = new RegExp(`\\{resources\\.${parent}\\.([^}]+)\\}`, 'g');
  const scan = (value: unknown): void => {
    if (typeof value === 'string') for (const m of value.matchAll(re)) fields.add(m[1] as string);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) scan(v);
  };
  if (resource.source.kind === 'rest') scan(resource.source.endpoint);
  return [...fields];
}

function withParentFields(record: unknown, parent: unknown, resource: ResolvedResource): unknown {
  if (!record || typeof record !== 'object' || Array.isArray(record)) return record;
  const parentName = resource.source.kind === 'rest' ? resource.source.parent : undefined;
  const out: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  for (const field of resource.includeFromParent) out[`_${parentName}_${field}`] = getPath(parent, field);
  return out;
}

/**
 * Query results kept on the main side. A result stays in DuckDB's memory as its data
 * chunks; a client asks for a window of rows and gets it column-wise as JSON-safe cells.
 * Finding a row is a binary search over chunk start offsets; the most recently read
 * chunks' vectors are cached, so a grid scrolling through one chunk does not re-read it.
 */
import { randomUUID } from 'node:crypto';
import { StatementType, type DuckDBMaterializedResult, type DuckDBVector } from '@duckdb/node-api';
import { PasException } from '../../src-shared/errors';
import type { Cell, ColumnInfo, QueryResultHandle, ResultPage } from '../../src-shared/values';
import { columnReader, type ColumnReader } from './values';

const CACHED_CHUNKS = 4;

/**
 * Where a result came from, so it can be sorted, exported or charted by running SQL over it
 * again: the statement text the user ran and the session it ran in (temp objects live there).
 * `orderBy` is the sort applied on top (column positions, 1-based, negative = descending).
 */
export interface ResultSource {
  sql: string;
  session: string;
  orderBy?: number[];
}

interface StoredResult {
  result: DuckDBMaterializedResult;
  handle: QueryResultHandle;
  readers: ColumnReader[];
  /**
   * chunkStarts[i] is the row offset of chunk i, known for the chunks scanned so far; it grows
   * as pages further down are asked for, so running a query never walks all its chunks.
   */
  chunkStarts: number[];
  vectors: Map<number, DuckDBVector[]>;
  source: ResultSource | undefined;
}

export class ResultStore {
  private readonly results = new Map<string, StoredResult>();

  constructor(private readonly capacity = 16) {}

  add(result: DuckDBMaterializedResult, elapsedMs: number, source?: ResultSource): QueryResultHandle {
    const types = result.columnTypes();
    const names = result.deduplicatedColumnNames();
    const columns: ColumnInfo[] = names.map((name, i) => ({ name, type: String(types[i]) }));
    const handle: QueryResultHandle = {
      resultId: randomUUID(),
      columns,
      rowCount: result.rowCount,
      elapsedMs,
      statementType: StatementType[result.statementType] ?? 'UNKNOWN',
      rowsChanged: result.rowsChanged,
    };
    this.results.set(handle.resultId, {
      result,
      handle,
      readers: types.map((type) => columnReader(type)),
      chunkStarts: [0],
      vectors: new Map(),
      source,
    });
    while (this.results.size > this.capacity) {
      const oldest = this.results.keys().next().value;
      if (oldest === undefined) break;
      this.results.delete(oldest);
    }
    return handle;
  }

  handle(resultId: string): QueryResultHandle {
    return this.get(resultId).handle;
  }

  /** The SQL and session a result came from, when it was recorded. */
  source(resultId: string): ResultSource | undefined {
    return this.get(resultId).source;
  }

  page(resultId: string, offset: number, limit: number): ResultPage {
    const stored = this.get(resultId);
    const { chunkStarts, readers } = stored;
    const end = Math.min(stored.handle.rowCount, offset + limit);
    const count = Math.max(0, end - offset);
    const columns: Cell[][] = readers.map(() => new Array<Cell>(count));
    scanChunksUpTo(stored, end);
    let chunkIndex = findChunk(chunkStarts, offset);
    let row = offset;
    while (row < end && chunkIndex < chunkStarts.length - 1) {
      const start = chunkStarts[chunkIndex] ?? 0;
      const stop = Math.min(end, chunkStarts[chunkIndex + 1] ?? 0);
      const vectors = this.vectors(stored, chunkIndex);
      for (let c = 0; c < readers.length; c++) {
        const vector = vectors[c];
        const read = readers[c];
        const out = columns[c];
        if (vector && read && out) read(vector, row - start, stop - start, out, row - offset);
      }
      row = stop;
      chunkIndex++;
    }
    return { resultId, offset, rowCount: count, columns };
  }

  close(resultId: string): boolean {
    return this.results.delete(resultId);
  }

  clear(): void {
    this.results.clear();
  }

  get size(): number {
    return this.results.size;
  }

  private get(resultId: string): StoredResult {
    const stored = this.results.get(resultId);
    if (!stored) {
      throw new PasException({
        code: 'not_found',
        what: 'result',
        message: `No result ${resultId}: it was closed or replaced by newer results.`,
      });
    }
    // Touch for LRU order.
    this.results.delete(resultId);
    this.results.set(resultId, stored);
    return stored;
  }

  private vectors(stored: StoredResult, chunkIndex: number): DuckDBVector[] {
    let vectors = stored.vectors.get(chunkIndex);
    if (vectors) return vectors;
    const chunk = stored.result.getChunk(chunkIndex);
    vectors = [];
    for (let c = 0; c < chunk.columnCount; c++) vectors.push(chunk.getColumnVector(c));
    stored.vectors.set(chunkIndex, vectors);
    if (stored.vectors.size > CACHED_CHUNKS) {
      const oldest = stored.vectors.keys().next().value;
      if (oldest !== undefined) stored.vectors.delete(oldest);
    }
    return vectors;
  }
}

/** Extends the known chunk offsets until they cover `row` (or every chunk). */
function scanChunksUpTo(stored: StoredResult, row: number): void {
  const { chunkStarts, result } = stored;
  while (chunkStarts.length - 1 < result.chunkCount && (chunkStarts[chunkStarts.length - 1] ?? 0) < row) {
    const last = chunkStarts[chunkStarts.length - 1] ?? 0;
    chunkStarts.push(last + result.getChunk(chunkStarts.length - 1).rowCount);
  }
}

/** Index of the chunk holding `row`: the last i with chunkStarts[i] <= row. */
export function findChunk(chunkStarts: number[], row: number): number {
  let lo = 0;
  let hi = chunkStarts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((chunkStarts[mid] ?? 0) <= row) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(0, lo);
}

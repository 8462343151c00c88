/**
 * Incremental loading for one resource (dlt semantics): the start value is the committed
 * `last_value` (or `initial_value`); rows before it, and at or after `end_value`, are dropped;
 * rows exactly at the start whose primary key was recorded by the last load are dropped too
 * (boundary dedupe). The new cursor state is only handed out for the load package, so it is
 * stored in the same commit as the rows.
 */
import { createHash } from 'node:crypto';
import type { IncrementalConfig } from '../config/schema';
import type { IncrementalState } from '../load/package';
import { IngestError } from '../errors';
import type { CursorScan } from '../normalize/raw-scan';
import { snakeCase } from '../normalize/naming';
import { getPath, splitPath } from './json-path';

type Cursor = string | number;

export class IncrementalCursor {
  readonly startValue: Cursor | undefined;
  private last: Cursor | undefined;
  /** Records at the current last value (hashed lazily, once, in `nextState`). */
  private atLast: unknown[] = [];
  private carried: string[] = [];
  private readonly previousHashes: ReadonlySet<string>;
  private readonly path: (string | number)[];
  private readonly sign: 1 | -1;

  constructor(
    readonly config: IncrementalConfig,
    private readonly stored: IncrementalState | undefined,
    private readonly primaryKey: readonly string[],
    private readonly resource: string,
  ) {
    this.path = splitPath(config.cursor_path);
    this.sign = config.last_value_func === 'min' ? -1 : 1;
    // A backfill (end_value) ignores and keeps the stored cursor.
    const useStored = config.end_value === undefined && stored?.lastValue !== undefined;
    this.startValue = useStored ? stored?.lastValue : config.initial_value;
    this.previousHashes = new Set(useStored ? (stored?.uniqueHashes ?? []) : []);
    this.last = this.startValue;
    if (useStored && stored) this.carried = stored.uniqueHashes;
  }

  /** Values for `{incremental.*}` placeholders. */
  placeholders(): Record<string, string> {
    const text = (v: Cursor | undefined): string => (v === undefined ? '' : String(v));
    return {
      start_value: text(this.startValue),
      initial_value: text(this.config.initial_value),
      last_value: text(this.startValue),
      end_value: text(this.config.end_value),
    };
  }

  /** Keeps the records inside the window and advances the (uncommitted) last value. */
  filter(records: unknown[]): unknown[] {
    const kept: unknown[] = [];
    const start = this.startValue;
    const end = this.config.end_value;
    for (const record of records) {
      const raw = getPath(record, this.path);
      if (raw === undefined || raw === null) {
        const mode = this.config.on_cursor_value_missing;
        if (mode === 'raise') {
          throw new IngestError(`resource "${this.resource}": cursor "${this.config.cursor_path}" is missing in a record: ${JSON.stringify(record).slice(0, 200)}`);
        }
        if (mode === 'include') kept.push(record);
        continue;
      }
      const value = raw as Cursor;
      if (start !== undefined) {
        const c = this.compare(value, start);
        if (c < 0) continue;
        if (c === 0 && this.previousHashes.size > 0 && this.previousHashes.has(this.hash(record))) continue;
      }
      if (end !== undefined && this.compare(value, end) >= 0) continue;
      kept.push(record);
      const c = this.last === undefined ? 1 : this.compare(value, this.last);
      if (c > 0) {
        this.last = value;
        this.atLast = [record];
        this.carried = [];
      } else if (c === 0) {
        this.atLast.push(record);
      }
    }
    return kept;
  }

  /**
   * A page checked on its bytes (never parsed): true when every record is inside the window —
   * no missing cursor, none before the start (or at it when the last load recorded boundary
   * rows), none at or after `end_value` — and then advances the last value as `filter` would,
   * parsing only the records at the page's largest value for the boundary state. False (nothing
   * changed) when the page needs `filter` on parsed records.
   */
  acceptRaw(scan: CursorScan, body: Uint8Array): boolean {
    if (this.sign !== 1 || !scan.usable || scan.kind === undefined) return false;
    if (scan.missing && this.config.on_cursor_value_missing !== 'include') return false;
    const valueAt = ([start, end]: [number, number]): Cursor => {
      const text = Buffer.from(body.buffer, body.byteOffset + start, end - start).toString('latin1');
      return scan.kind === 'number' ? Number(text) : text;
    };
    const min = valueAt(scan.min);
    const max = valueAt(scan.max);
    const start = this.startValue;
    if (start !== undefined) {
      const c = this.compare(min, start);
      if (c < 0 || (c === 0 && this.previousHashes.size > 0)) return false;
    }
    const end = this.config.end_value;
    if (end !== undefined && this.compare(max, end) >= 0) return false;
    const c = this.last === undefined ? 1 : this.compare(max, this.last);
    if (c < 0) return true;
    const atMax: unknown[] = [];
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    for (let k = 0; k < scan.atMax.length; k += 2) atMax.push(JSON.parse(text.toString('utf8', scan.atMax[k], scan.atMax[k + 1])));
    if (c > 0) {
      this.last = max;
      this.atLast = atMax;
      this.carried = [];
    } else this.atLast.push(...atMax);
    return true;
  }

  /** The state to commit with the load. A backfill returns the stored state unchanged. */
  nextState(): IncrementalState | undefined {
    if (this.config.end_value !== undefined) return this.stored;
    return {
      cursorPath: this.config.cursor_path,
      ...(this.config.initial_value !== undefined ? { initialValue: this.config.initial_value } : {}),
      ...(this.last !== undefined ? { lastValue: this.last } : {}),
      uniqueHashes: [...new Set([...this.carried, ...this.atLast.map((r) => this.hash(r))])],
    };
  }

  private compare(a: Cursor, b: Cursor): number {
    let d: number;
    if (typeof a === 'number' && typeof b === 'number') d = a - b;
    else {
      const x = String(a);
      const y = String(b);
      d = x < y ? -1 : x > y ? 1 : 0;
    }
    return d * this.sign;
  }

  /** Hash of the primary key (found under its raw or normalized name), else of the whole record. */
  private hash(record: unknown): string {
    let source: string | undefined;
    if (this.primaryKey.length > 0 && record !== null && typeof record === 'object') {
      const values = this.primaryKey.map((k) => keyValue(record as Record<string, unknown>, k));
      if (values.every((v) => v !== undefined && v !== null)) source = JSON.stringify(values);
    }
    return createHash('sha1')
      .update(source ?? JSON.stringify(record))
      .digest('base64url')
      .slice(0, 16);
  }
}

function keyValue(record: Record<string, unknown>, normalized: string): unknown {
  if (normalized in record) return record[normalized];
  for (const key of Object.keys(record)) if (snakeCase(key) === normalized) return record[key];
  return undefined;
}

/**
 * SQLMesh's predefined temporal macro variables (`@start_ds`, `@end_ts`, `@execution_epoch`, ...)
 * for an interval, all in UTC. Intervals are half-open `[start, end)`; the `end_*` values are
 * inclusive — the exclusive end minus one microsecond — so `BETWEEN @start_x AND @end_x` covers
 * the interval exactly (a single day renders `@end_ts` as `'YYYY-MM-DD 23:59:59.999999'`).
 */
import { type MacroValue, num, quoteString, sql, str } from './values';

/** A point in time: a Date, epoch milliseconds, or an ISO date / datetime string (UTC). */
export type TimeInput = Date | number | string;

const DAY_MS = 86_400_000;

/** Epoch milliseconds of a time input; date-only strings are midnight UTC. */
export function toMillis(value: TimeInput): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  const s = value.trim();
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw new Error(`Not a date or timestamp: '${value}'`);
  return ms;
}

/** Exclusive end in ms: a date-only string end means "through that whole day", like SQLMesh's CLI. */
export function exclusiveEndMillis(value: TimeInput): number {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.trim())) return toMillis(value) + DAY_MS;
  return toMillis(value);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` of `ms` plus `micros` (0–999) extra microseconds. */
function formatTs(ms: number, micros: number): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const fraction = d.getUTCMilliseconds() * 1000 + micros;
  return fraction === 0 ? base : `${base}.${pad(fraction, 6)}`;
}

/** Python's float repr for the epoch seconds SQLMesh renders (`1704067200.0`). */
function pythonFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** The variables for one prefix (`start`, `end`, `execution`) at `ms` (+`micros`). */
function prefixVars(prefix: string, ms: number, micros: number): Record<string, MacroValue> {
  const ts = formatTs(ms, micros);
  const ds = ts.slice(0, 10);
  return {
    [`${prefix}_dt`]: sql(`CAST(${quoteString(`${ts}+00:00`)} AS TIMESTAMPTZ)`),
    [`${prefix}_dtntz`]: sql(`CAST(${quoteString(ts)} AS TIMESTAMP)`),
    [`${prefix}_date`]: sql(`CAST(${quoteString(ds)} AS DATE)`),
    [`${prefix}_ds`]: str(ds),
    [`${prefix}_ts`]: str(ts),
    [`${prefix}_tstz`]: str(`${ts}+00:00`),
    [`${prefix}_epoch`]: num(ms / 1000, pythonFloat(ms / 1000)),
    [`${prefix}_millis`]: num(ms),
    [`${prefix}_hour`]: num(new Date(ms).getUTCHours()),
  };
}

export interface IntervalInput {
  /** Interval start (inclusive); defaults to the epoch, as SQLMesh does when rendering without an interval. */
  start?: TimeInput;
  /** Interval end (exclusive; a date-only string means the end of that day); defaults to the end of `start`'s day. */
  end?: TimeInput;
  /** Defaults to now. */
  executionTime?: TimeInput;
}

/** All temporal variables, keyed by lower-case name without `@`. */
export function timeVariables(input: IntervalInput): Record<string, MacroValue> {
  const startMs = toMillis(input.start ?? 0);
  const endExclusive = input.end !== undefined ? exclusiveEndMillis(input.end) : Math.floor(startMs / DAY_MS) * DAY_MS + DAY_MS;
  const executionMs = input.executionTime !== undefined ? toMillis(input.executionTime) : Date.now();
  // Inclusive end = exclusive end − 1µs = (end − 1 ms) + 999 µs.
  return {
    ...prefixVars('start', startMs, 0),
    ...prefixVars('end', endExclusive - 1, 999),
    ...prefixVars('execution', executionMs, 0),
  };
}

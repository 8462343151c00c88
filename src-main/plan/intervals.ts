/**
 * Time intervals as SQLMesh computes them: a model's cron gives its interval unit (day, hour,
 * ...); its expected intervals run from `start` to the last complete interval before the latest
 * cron tick; missing intervals are expected minus processed; consecutive missing intervals are
 * grouped into batches of at most `batch_size`, gaps splitting batches. All times are UTC
 * milliseconds and intervals are half-open [start, end).
 */
import { CronExpressionParser } from 'cron-parser';

export type IntervalUnit = 'year' | 'month' | 'day' | 'hour' | 'half_hour' | 'quarter_hour' | 'five_minute';

/** [start, end) in UTC milliseconds. */
export type Interval = readonly [number, number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const FIXED_UNITS: [IntervalUnit, number][] = [
  ['day', DAY],
  ['hour', HOUR],
  ['half_hour', 30 * MINUTE],
  ['quarter_hour', 15 * MINUTE],
  ['five_minute', 5 * MINUTE],
];

const CRON_ALIASES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parse(cron: string, currentDate: number) {
  const expression = CRON_ALIASES[cron.trim().toLowerCase()] ?? cron;
  return CronExpressionParser.parse(expression, { currentDate: new Date(currentDate), tz: 'UTC' });
}

/** Throws a readable error for a cron expression that cannot be parsed. */
export function validateCron(cron: string): void {
  try {
    parse(cron, Date.UTC(2024, 0, 1));
  } catch (error) {
    throw new Error(`Invalid cron expression "${cron}": ${(error as Error).message}`);
  }
}

/** Pure results per cron (and time): a plan of 1,000 models asks the same few questions 1,000 times. */
const memo = new Map<string, unknown>();
/** Interval lists are big: only the last few questions are kept. */
const listMemo = new Map<string, unknown>();
function remembered<T>(key: string, compute: () => T, store = memo, limit = 10_000): T {
  if (store.has(key)) return store.get(key) as T;
  const value = compute();
  if (store.size >= limit) store.clear();
  store.set(key, value);
  return value;
}

/** The interval unit of a cron: the largest unit not longer than the gap between its ticks. */
export function intervalUnit(cron: string): IntervalUnit {
  return remembered(`unit\u0000${cron}`, () => computeIntervalUnit(cron));
}

function computeIntervalUnit(cron: string): IntervalUnit {
  const it = parse(cron, Date.UTC(2024, 0, 1, 0, 0, 0) - 1);
  const first = it.next().getTime();
  const second = it.next().getTime();
  const gap = second - first;
  if (gap >= 365 * DAY) return 'year';
  if (gap >= 28 * DAY) return 'month';
  for (const [unit, ms] of FIXED_UNITS) if (gap >= ms) return unit;
  return 'five_minute';
}

export function floorToUnit(ts: number, unit: IntervalUnit): number {
  const d = new Date(ts);
  switch (unit) {
    case 'year':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    default: {
      const size = FIXED_UNITS.find(([u]) => u === unit)?.[1] ?? DAY;
      return Math.floor(ts / size) * size;
    }
  }
}

export function addUnit(ts: number, unit: IntervalUnit, count = 1): number {
  const d = new Date(ts);
  switch (unit) {
    case 'year':
      return Date.UTC(d.getUTCFullYear() + count, d.getUTCMonth(), d.getUTCDate());
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + count, d.getUTCDate());
    default:
      return ts + count * (FIXED_UNITS.find(([u]) => u === unit)?.[1] ?? DAY);
  }
}

/** The latest cron tick at or before `now`. */
export function lastCronTick(cron: string, now: number): number {
  return remembered(`tick\u0000${cron}\u0000${now}`, () => parse(cron, now + 1).prev().getTime());
}

export interface ExpectedIntervalsInput {
  cron: string;
  start: number;
  /** Exclusive upper bound set by the model (`end`) or the plan (`--end`). */
  end?: number;
  /** The time the plan or run happens (defaults to now). */
  executionTime: number;
}

/** Every complete interval from `start` up to the latest cron tick (and `end`, when given). */
export function expectedIntervals({ cron, start, end, executionTime }: ExpectedIntervalsInput): Interval[] {
  // Models share crons and starts: the list is computed once per question and copied.
  const list = remembered(`expected\u0000${cron}\u0000${start}\u0000${end ?? ''}\u0000${executionTime}`, () => computeExpected(cron, start, end, executionTime), listMemo, 64);
  return list.slice();
}

function computeExpected(cron: string, start: number, end: number | undefined, executionTime: number): Interval[] {
  const unit = intervalUnit(cron);
  const upper = Math.min(floorToUnit(lastCronTick(cron, executionTime), unit), end ?? Number.POSITIVE_INFINITY);
  const intervals: Interval[] = [];
  const fixed = FIXED_UNITS.find(([u]) => u === unit)?.[1];
  for (let s = floorToUnit(start, unit); ; ) {
    const e = fixed !== undefined ? s + fixed : addUnit(s, unit);
    if (e > upper) break;
    intervals.push([s, e]);
    s = e;
  }
  return intervals;
}

/** Merges overlapping or touching intervals into ranges, sorted by start. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** The expected intervals not covered by any processed interval. */
export function missingIntervals(expected: readonly Interval[], processed: readonly Interval[]): Interval[] {
  if (processed.length === 0) return [...expected];
  const done = mergeIntervals(processed);
  // The merged ranges are disjoint and sorted: only the last one starting at or before `s` can hold [s, e).
  return expected.filter(([s, e]) => {
    let low = 0;
    let high = done.length - 1;
    let at = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if ((done[mid]?.[0] ?? 0) <= s) {
        at = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    const range = done[at];
    return !(range && e <= range[1]);
  });
}

/** Adds, for each missing interval, the `lookback` intervals before it (when they are expected). */
export function withLookback(missing: readonly Interval[], expected: readonly Interval[], lookback: number): Interval[] {
  if (lookback <= 0 || missing.length === 0) return [...missing];
  const index = new Map(expected.map((interval, i) => [interval[0], i]));
  const chosen = new Set<number>();
  for (const [s] of missing) {
    const i = index.get(s);
    if (i === undefined) continue;
    for (let k = Math.max(0, i - lookback); k <= i; k++) chosen.add(k);
  }
  const extra = [...chosen].sort((a, b) => a - b).map((i) => expected[i]).filter((x): x is Interval => x !== undefined);
  return mergeIntervals([...extra, ...missing]).flatMap(([s, e]) => expected.filter(([xs, xe]) => xs >= s && xe <= e));
}

/** Groups consecutive intervals into batches of at most `batchSize` (0 or less: one batch per run of consecutive intervals). */
export function batchIntervals(intervals: readonly Interval[], batchSize: number): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const batches: [number, number][] = [];
  let count = 0;
  for (const [s, e] of sorted) {
    const last = batches[batches.length - 1];
    if (last && last[1] === s && (batchSize <= 0 || count < batchSize)) {
      last[1] = e;
      count++;
    } else {
      batches.push([s, e]);
      count = 1;
    }
  }
  return batches;
}

/** `YYYY-MM-DD` (UTC) of a timestamp. */
export function isoDate(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/**
 * A range for display as SQLMesh shows it: inclusive dates, so a daily range [Jan 1, Jan 8)
 * reads `["2024-01-01", "2024-01-07"]`.
 */
export function displayRange([s, e]: Interval, unit: IntervalUnit): [string, string] {
  const last = unit === 'year' || unit === 'month' || unit === 'day' ? e - DAY : e - 1;
  return [isoDate(s), isoDate(Math.max(s, last))];
}

/** Parses `YYYY-MM-DD`, an ISO timestamp, epoch milliseconds, or relative words `today`/`yesterday`. */
export function parseTime(value: string | number | Date, now = Date.now()): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  const text = value.trim().toLowerCase();
  if (text === 'today') return floorToUnit(now, 'day');
  if (text === 'yesterday') return floorToUnit(now, 'day') - DAY;
  if (text === 'now') return now;
  if (/^\d+$/.test(text)) return Number(text);
  const ago = /^(\d+)\s+(second|minute|hour|day|week|month|year)s?\s+ago$/.exec(text);
  if (ago) {
    const n = Number(ago[1]);
    const unit = ago[2] as string;
    if (unit === 'month' || unit === 'year') {
      const d = new Date(now);
      if (unit === 'month') d.setUTCMonth(d.getUTCMonth() - n);
      else d.setUTCFullYear(d.getUTCFullYear() - n);
      return d.getTime();
    }
    const ms = { second: 1000, minute: 60_000, hour: 3_600_000, day: DAY, week: 7 * DAY }[unit] ?? 0;
    return now - n * ms;
  }
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const ts = Date.parse(iso);
  if (Number.isNaN(ts)) throw new Error(`Cannot read "${value}" as a date or time.`);
  return ts;
}

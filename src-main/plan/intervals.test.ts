import { describe, expect, it } from 'vitest';
import {
  batchIntervals,
  displayRange,
  expectedIntervals,
  intervalUnit,
  lastCronTick,
  missingIntervals,
  parseTime,
  withLookback,
  type Interval,
} from './intervals';

const day = (d: string) => parseTime(d);
const days = (from: string, count: number): Interval[] =>
  Array.from({ length: count }, (_, i) => [day(from) + i * 86_400_000, day(from) + (i + 1) * 86_400_000] as const);

describe('interval units from cron', () => {
  it('reads the unit from the gap between ticks', () => {
    expect(intervalUnit('@daily')).toBe('day');
    expect(intervalUnit('@hourly')).toBe('hour');
    expect(intervalUnit('*/30 * * * *')).toBe('half_hour');
    expect(intervalUnit('*/15 * * * *')).toBe('quarter_hour');
    expect(intervalUnit('*/5 * * * *')).toBe('five_minute');
    expect(intervalUnit('@monthly')).toBe('month');
    expect(intervalUnit('@yearly')).toBe('year');
    expect(intervalUnit('@weekly')).toBe('day');
    expect(intervalUnit('0 6 * * *')).toBe('day');
  });

  it('finds the latest elapsed cron tick', () => {
    expect(lastCronTick('@daily', parseTime('2024-01-05T10:00:00Z'))).toBe(day('2024-01-05'));
    expect(lastCronTick('0 6 * * *', parseTime('2024-01-05T05:00:00Z'))).toBe(parseTime('2024-01-04T06:00:00Z'));
  });
});

describe('expected and missing intervals', () => {
  it('runs from start to the last complete interval before the latest cron tick', () => {
    const expected = expectedIntervals({ cron: '@daily', start: day('2024-01-01'), executionTime: parseTime('2024-01-05T10:00:00Z') });
    expect(expected).toEqual(days('2024-01-01', 4));
  });

  it('waits for a daily cron at 06:00 before the previous day is complete to run', () => {
    const before = expectedIntervals({ cron: '0 6 * * *', start: day('2024-01-01'), executionTime: parseTime('2024-01-05T05:00:00Z') });
    const after = expectedIntervals({ cron: '0 6 * * *', start: day('2024-01-01'), executionTime: parseTime('2024-01-05T07:00:00Z') });
    expect(before).toEqual(days('2024-01-01', 3));
    expect(after).toEqual(days('2024-01-01', 4));
  });

  it('honours an end bound', () => {
    expect(expectedIntervals({ cron: '@daily', start: day('2024-01-01'), end: day('2024-01-03'), executionTime: day('2024-02-01') })).toEqual(days('2024-01-01', 2));
  });

  it('subtracts processed intervals, leaving holes as holes', () => {
    const expected = days('2024-01-01', 6);
    const processed: Interval[] = [[day('2024-01-01'), day('2024-01-03')], [day('2024-01-04'), day('2024-01-05')]];
    expect(missingIntervals(expected, processed)).toEqual([...days('2024-01-03', 1), ...days('2024-01-05', 2)]);
  });

  it('adds lookback intervals before each missing one', () => {
    const expected = days('2024-01-01', 6);
    const missing = days('2024-01-06', 1);
    expect(withLookback(missing, expected, 2)).toEqual(days('2024-01-04', 3));
  });
});

describe('batches', () => {
  it('groups consecutive intervals up to the batch size and splits at gaps', () => {
    const intervals = [...days('2024-01-01', 5), ...days('2024-01-08', 2)];
    expect(batchIntervals(intervals, 2)).toEqual([
      [day('2024-01-01'), day('2024-01-03')],
      [day('2024-01-03'), day('2024-01-05')],
      [day('2024-01-05'), day('2024-01-06')],
      [day('2024-01-08'), day('2024-01-10')],
    ]);
    expect(batchIntervals(intervals, 0)).toEqual([
      [day('2024-01-01'), day('2024-01-06')],
      [day('2024-01-08'), day('2024-01-10')],
    ]);
  });

  it('shows ranges with inclusive end dates as SQLMesh does', () => {
    expect(displayRange([day('2024-01-01'), day('2024-01-08')], 'day')).toEqual(['2024-01-01', '2024-01-07']);
  });
});

describe('relative dates', () => {
  it("reads SQLMesh's '<n> <unit>s ago' starts", () => {
    const now = parseTime('2024-03-31T12:00:00Z');
    expect(new Date(parseTime('2 days ago', now)).toISOString()).toBe('2024-03-29T12:00:00.000Z');
    expect(new Date(parseTime('1 year ago', now)).toISOString()).toBe('2023-03-31T12:00:00.000Z');
    expect(new Date(parseTime('1 week ago', now)).toISOString()).toBe('2024-03-24T12:00:00.000Z');
  });
});

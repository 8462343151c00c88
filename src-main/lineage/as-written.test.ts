import { describe, expect, it } from 'vitest';
import { timeVariables } from '../project/render/time-vars';
import { asWrittenMapper, renderedVariables } from './as-written';

const VARIABLES = renderedVariables(timeVariables({ start: 0, end: 0, executionTime: 0 }), { min_amount: 10, region: 'north' });

describe('asWrittenMapper', () => {
  it('turns rendered time macros back into the macros written in the file', () => {
    const source = 'SELECT id FROM t WHERE ts BETWEEN @start_ts AND @end_ts';
    const map = asWrittenMapper(source, VARIABLES);
    expect(map?.("ts BETWEEN '1970-01-01 00:00:00' AND '1969-12-31 23:59:59.999999'")).toBe('ts BETWEEN @start_ts AND @end_ts');
  });

  it('finds user variables in all three spellings, across line breaks', () => {
    const source = "SELECT id FROM t\nWHERE amount >= @min_amount\n  AND region = @VAR('region') AND x = @{min_amount}";
    const map = asWrittenMapper(source, VARIABLES);
    expect(map?.('amount >= 10')).toBe('amount >= @min_amount');
    expect(map?.("region = 'north'")).toBe("region = @VAR('region')");
    expect(map?.("amount >= 10 AND region = 'north'")).toBe("amount >= @min_amount\n  AND region = @VAR('region')");
  });

  it('keeps the rendered text when the file does not hold it, and needs no mapper without macros', () => {
    const map = asWrittenMapper('SELECT a FROM t WHERE b > @min_amount', VARIABLES);
    expect(map?.('c > 10')).toBe('c > 10');
    expect(map?.('a10 + 1')).toBe('a10 + 1');
    expect(asWrittenMapper('SELECT a FROM t WHERE b > 10', VARIABLES)).toBeUndefined();
  });
});

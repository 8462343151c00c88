import { describe, expect, it } from 'vitest';
import { isPasException } from '../../../src-shared/errors';
import { Normalizer } from '../normalize/normalizer';
import { IncrementalCursor } from './incremental';

const config = { cursor_path: 'updated', initial_value: '2024-01-02', last_value_func: 'max' as const, on_cursor_value_missing: 'raise' as const };

describe('IncrementalCursor', () => {
  it('drops rows before the start value and advances the last value', () => {
    const cursor = new IncrementalCursor(config, undefined, ['id'], 'r');
    const kept = cursor.filter([
      { id: 1, updated: '2024-01-01' },
      { id: 2, updated: '2024-01-02' },
      { id: 3, updated: '2024-01-05' },
    ]);
    expect(kept.map((r) => (r as { id: number }).id)).toEqual([2, 3]);
    expect(cursor.nextState()).toMatchObject({ cursorPath: 'updated', lastValue: '2024-01-05' });
    expect(cursor.nextState()?.uniqueHashes).toHaveLength(1);
  });

  it('skips rows at the boundary whose key was loaded last time, keeps new ones', () => {
    const first = new IncrementalCursor(config, undefined, ['id'], 'r');
    first.filter([{ id: 1, updated: '2024-01-05' }]);
    const second = new IncrementalCursor(config, first.nextState(), ['id'], 'r');
    expect(second.startValue).toBe('2024-01-05');
    const kept = second.filter([
      { id: 1, updated: '2024-01-05' },
      { id: 2, updated: '2024-01-05' },
    ]);
    expect(kept).toEqual([{ id: 2, updated: '2024-01-05' }]);
    expect(second.nextState()?.uniqueHashes).toHaveLength(2);
  });

  it('finds the primary key under its raw name for boundary dedupe', () => {
    const first = new IncrementalCursor(config, undefined, ['collision_id'], 'r');
    first.filter([{ CollisionId: 1, updated: '2024-01-05' }]);
    const second = new IncrementalCursor(config, first.nextState(), ['collision_id'], 'r');
    expect(second.filter([{ CollisionId: 1, updated: '2024-01-05' }, { CollisionId: 2, updated: '2024-01-05' }])).toEqual([{ CollisionId: 2, updated: '2024-01-05' }]);
  });

  it('with end_value is a backfill window that leaves the stored cursor alone', () => {
    const stored = { cursorPath: 'updated', lastValue: '2024-06-01', uniqueHashes: [] };
    const cursor = new IncrementalCursor({ ...config, end_value: '2024-01-04' }, stored, [], 'r');
    expect(cursor.startValue).toBe('2024-01-02');
    expect(cursor.filter([{ updated: '2024-01-03' }, { updated: '2024-01-04' }])).toEqual([{ updated: '2024-01-03' }]);
    expect(cursor.nextState()).toBe(stored);
  });

  it('supports min as last_value_func and numeric cursors', () => {
    const cursor = new IncrementalCursor({ ...config, cursor_path: 'n', initial_value: 10, last_value_func: 'min' }, undefined, [], 'r');
    expect(cursor.filter([{ n: 12 }, { n: 9 }, { n: 3 }])).toEqual([{ n: 9 }, { n: 3 }]);
    expect(cursor.nextState()?.lastValue).toBe(3);
  });

  it('raises, includes or excludes rows without a cursor value as configured', () => {
    const raising = new IncrementalCursor(config, undefined, [], 'crashes');
    const error = (() => {
      try {
        raising.filter([{ id: 1 }]);
      } catch (e) {
        return e;
      }
    })();
    expect(isPasException(error) && error.message).toContain('resource "crashes": cursor "updated" is missing');
    expect(new IncrementalCursor({ ...config, on_cursor_value_missing: 'include' }, undefined, [], 'r').filter([{ id: 1 }])).toEqual([{ id: 1 }]);
    expect(new IncrementalCursor({ ...config, on_cursor_value_missing: 'exclude' }, undefined, [], 'r').filter([{ id: 1 }])).toEqual([]);
  });

  describe('on pages checked as bytes', () => {
    type Rec = { id: number | string; updated?: string | number | null; name?: string };
    /** Scans `page` with a normalizer primed on `prime` whose byte check collects `updated`. */
    const scanned = (prime: Rec[], page: Rec[], hints: Record<string, 'text'> = {}) => {
      const normalizer = new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: ['id'], cursorPath: ['updated'], hints });
      expect(normalizer.acceptRaw(prime)).toBe(true);
      const body = Buffer.from(JSON.stringify(page));
      const rows = normalizer.scanRaw(body);
      return { rows, scan: normalizer.lastCursorScan(), body };
    };
    const prime: Rec[] = [{ id: 0, updated: '2024-01-01', name: 'x' }];

    it('accepts a page inside the window and ends in the state filtering the parsed page gives', () => {
      const page: Rec[] = [
        { id: 1, updated: '2024-01-03' },
        { id: 2, updated: '2024-01-09' },
        { id: 3, updated: '2024-01-05' },
        { id: 4, updated: '2024-01-09', name: 'y' },
      ];
      const { rows, scan, body } = scanned(prime, page);
      expect(rows).toBe(4);
      expect(scan).toMatchObject({ kind: 'string', usable: true, missing: false });
      const bytes = new IncrementalCursor(config, undefined, ['id'], 'r');
      expect(bytes.acceptRaw(scan!, body)).toBe(true);
      const parsed = new IncrementalCursor(config, undefined, ['id'], 'r');
      expect(parsed.filter(page)).toHaveLength(4);
      expect(bytes.nextState()).toEqual(parsed.nextState());
      expect(bytes.nextState()).toMatchObject({ lastValue: '2024-01-09' });
      expect(bytes.nextState()?.uniqueHashes).toHaveLength(2);
    });

    it('leaves a page that needs filtering to the parser: before the start, at a recorded boundary, at the end value, a missing cursor', () => {
      const accept = (page: Rec[], cursor = new IncrementalCursor(config, undefined, ['id'], 'r')) => {
        const { scan, body } = scanned(prime, page);
        const before = JSON.stringify(cursor.nextState());
        const accepted = cursor.acceptRaw(scan!, body);
        if (!accepted) expect(JSON.stringify(cursor.nextState())).toBe(before);
        return accepted;
      };
      expect(accept([{ id: 1, updated: '2024-01-01' }, { id: 2, updated: '2024-01-04' }])).toBe(false);
      expect(accept([{ id: 1, updated: '2024-01-02' }])).toBe(true);
      const stored = new IncrementalCursor(config, undefined, ['id'], 'r');
      stored.filter([{ id: 1, updated: '2024-01-05' }]);
      expect(accept([{ id: 2, updated: '2024-01-05' }], new IncrementalCursor(config, stored.nextState(), ['id'], 'r'))).toBe(false);
      expect(accept([{ id: 2, updated: '2024-01-06' }], new IncrementalCursor(config, stored.nextState(), ['id'], 'r'))).toBe(true);
      const window = new IncrementalCursor({ ...config, end_value: '2024-01-08' }, undefined, ['id'], 'r');
      expect(accept([{ id: 1, updated: '2024-01-08' }], window)).toBe(false);
      expect(accept([{ id: 1, updated: '2024-01-03' }, { id: 2, updated: null }])).toBe(false);
      expect(accept([{ id: 1, updated: '2024-01-03' }, { id: 2 }])).toBe(false);
    });

    it('compares numbers by value and refuses values it cannot compare on their bytes', () => {
      const numeric = { ...config, initial_value: 5 };
      const { scan, body } = scanned([{ id: 0, updated: 1 }], [{ id: 1, updated: 9 }, { id: 2, updated: 10 }, { id: 3, updated: 10 }]);
      expect(scan).toMatchObject({ kind: 'number', usable: true });
      const cursor = new IncrementalCursor(numeric, undefined, ['id'], 'r');
      expect(cursor.acceptRaw(scan!, body)).toBe(true);
      expect(cursor.nextState()).toMatchObject({ lastValue: 10 });
      expect(cursor.nextState()?.uniqueHashes).toHaveLength(2);
      // Text cursors with escapes or non-ASCII characters (a typed cursor column refuses them already).
      for (const updated of ['2024-01-0\\u0035', '2024-01-0"5', '2024-01-05é']) {
        const text = scanned(prime, [{ id: 1, updated }], { updated: 'text' });
        expect(text.rows).toBe(1);
        expect(text.scan?.usable).toBe(false);
        expect(scanned(prime, [{ id: 1, updated }]).rows).toBeUndefined();
      }
    });
  });
});

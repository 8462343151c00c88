import { describe, expect, it } from 'vitest';
import { isPasException } from '../../../src-shared/errors';
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
});

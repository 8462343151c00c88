import { describe, expect, it } from 'vitest';
import type { ResultPage } from '../../../src-shared/values';
import { BlockCache } from './block-cache';

function fakeResult(rowCount: number) {
  const requests: [number, number][] = [];
  // A stand-in for the engine's paging: the cache's own logic is what is under test here.
  const fetch = async (offset: number, limit: number): Promise<ResultPage> => {
    requests.push([offset, limit]);
    const n = Math.max(0, Math.min(limit, rowCount - offset));
    return { resultId: 'r', offset, rowCount: n, columns: [Array.from({ length: n }, (_, i) => offset + i)] };
  };
  return { fetch, requests };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the grid block cache', () => {
  it('loads only the blocks of the visible window and serves their cells', async () => {
    const { fetch, requests } = fakeResult(10_000);
    const cache = new BlockCache(fetch, 10_000, () => {}, 100, 4);
    cache.ensure(250, 320);
    await settle();
    expect(requests).toEqual([
      [200, 100],
      [300, 100],
    ]);
    expect(cache.cell(250, 0)).toBe(250);
    expect(cache.cell(319, 0)).toBe(319);
    expect(cache.cell(0, 0)).toBeUndefined();
  });

  it('never holds more rows than its budget while scrolling through everything', async () => {
    const { fetch } = fakeResult(1_000_000);
    const cache = new BlockCache(fetch, 1_000_000, () => {}, 256, 12);
    let peak = 0;
    for (let row = 0; row < 1_000_000; row += 25_000) {
      cache.ensure(row, row + 40);
      await settle();
      peak = Math.max(peak, cache.cachedRows);
    }
    cache.ensure(999_990, 1_000_000);
    await settle();
    expect(cache.cell(999_999, 0)).toBe(999_999);
    expect(peak).toBeLessThanOrEqual(12 * 256);
  });

  it('fetches a short last block', async () => {
    const { fetch, requests } = fakeResult(1005);
    const cache = new BlockCache(fetch, 1005, () => {}, 100, 4);
    cache.ensure(1000, 1005);
    await settle();
    expect(requests).toEqual([[1000, 5]]);
  });
});

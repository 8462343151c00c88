import { describe, expect, it } from 'vitest';
import { scrollGeometry, scrollTopForRow, visibleWindow } from './scroll-scale';

describe('scaled scrolling', () => {
  it('does not scale results that fit the browser height', () => {
    expect(scrollGeometry(1000, 24, 600)).toEqual({ spacerHeight: 24000, scale: 1 });
  });

  it('reaches the very last of ten million rows at the bottom of the scrollbar', () => {
    const rows = 10_000_000;
    const g = scrollGeometry(rows, 24, 600);
    expect(g.spacerHeight).toBe(8_000_000);
    const bottom = visibleWindow(g.spacerHeight - 600, 600, rows, 24, g);
    expect(bottom.endRow).toBe(rows);
    expect(bottom.firstRow).toBe(rows - 25);
    const top = visibleWindow(0, 600, rows, 24, g);
    expect(top.firstRow).toBe(0);
  });

  it('maps a row to a scrollTop that shows it first', () => {
    const g = scrollGeometry(10_000_000, 24, 600);
    const w = visibleWindow(scrollTopForRow(5_000_000, 24, g), 600, 10_000_000, 24, g);
    expect(w.firstRow).toBe(5_000_000);
  });
});

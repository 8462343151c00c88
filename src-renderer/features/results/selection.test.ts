import { describe, expect, it } from 'vitest';
import { inRange, move, select, selectAll, selectionRange } from './selection';

describe('grid selection', () => {
  it('spans the rectangle between anchor and focus whichever way it was dragged', () => {
    const first = select(undefined, { row: 5, column: 3 }, { extend: false, wholeRows: false });
    const range = selectionRange(select(first, { row: 2, column: 1 }, { extend: true, wholeRows: false }), 10);
    expect(range).toEqual({ firstRow: 2, lastRow: 5, firstColumn: 1, lastColumn: 3 });
    expect(inRange(range, 3, 2)).toBe(true);
    expect(inRange(range, 3, 4)).toBe(false);
  });

  it('takes every column when rows were picked on their numbers', () => {
    const rows = select(select(undefined, { row: 4, column: 0 }, { extend: false, wholeRows: true }), { row: 6, column: 0 }, { extend: true, wholeRows: true });
    expect(selectionRange(rows, 7)).toEqual({ firstRow: 4, lastRow: 6, firstColumn: 0, lastColumn: 6 });
    expect(selectionRange(selectAll(100, 3), 3)).toEqual({ firstRow: 0, lastRow: 99, firstColumn: 0, lastColumn: 2 });
  });

  it('moves the focus with the arrows inside the result, extending with shift', () => {
    const at = select(undefined, { row: 0, column: 0 }, { extend: false, wholeRows: false });
    expect(move(at, -1, 1, 10, 2, false)).toEqual({ anchor: { row: 0, column: 1 }, focus: { row: 0, column: 1 }, wholeRows: false });
    expect(selectionRange(move(at, 3, 5, 10, 2, true), 2)).toEqual({ firstRow: 0, lastRow: 3, firstColumn: 0, lastColumn: 1 });
  });
});

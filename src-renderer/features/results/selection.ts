/**
 * The grid's selection: a rectangle of cells from an anchor to a focus (shift-click or drag
 * extends it), or whole rows (picked on the row numbers). Pure, so it is tested without a DOM.
 */
export interface CellPosition {
  row: number;
  column: number;
}

export interface GridSelection {
  anchor: CellPosition;
  focus: CellPosition;
  /** Every column of the rows between anchor and focus. */
  wholeRows: boolean;
}

/** Inclusive bounds. */
export interface CellRange {
  firstRow: number;
  lastRow: number;
  firstColumn: number;
  lastColumn: number;
}

export function selectionRange(selection: GridSelection, columnCount: number): CellRange {
  const { anchor, focus } = selection;
  return {
    firstRow: Math.min(anchor.row, focus.row),
    lastRow: Math.max(anchor.row, focus.row),
    firstColumn: selection.wholeRows ? 0 : Math.min(anchor.column, focus.column),
    lastColumn: selection.wholeRows ? columnCount - 1 : Math.max(anchor.column, focus.column),
  };
}

export function inRange(range: CellRange | undefined, row: number, column: number): boolean {
  return range !== undefined && row >= range.firstRow && row <= range.lastRow && column >= range.firstColumn && column <= range.lastColumn;
}

/** A click (or shift-click, which keeps the anchor) on a cell or a row number. */
export function select(previous: GridSelection | undefined, at: CellPosition, options: { extend: boolean; wholeRows: boolean }): GridSelection {
  if (options.extend && previous) return { anchor: previous.anchor, focus: at, wholeRows: previous.wholeRows || options.wholeRows };
  return { anchor: at, focus: at, wholeRows: options.wholeRows };
}

/** Every cell of the result. */
export function selectAll(rowCount: number, columnCount: number): GridSelection {
  return { anchor: { row: 0, column: 0 }, focus: { row: Math.max(0, rowCount - 1), column: Math.max(0, columnCount - 1) }, wholeRows: true };
}

/** Moves the focus by the arrow keys (extending with shift), kept inside the result. */
export function move(selection: GridSelection, dRow: number, dColumn: number, rowCount: number, columnCount: number, extend: boolean): GridSelection {
  const focus = {
    row: Math.max(0, Math.min(rowCount - 1, selection.focus.row + dRow)),
    column: Math.max(0, Math.min(columnCount - 1, selection.focus.column + dColumn)),
  };
  return extend ? { ...selection, focus } : { anchor: focus, focus, wholeRows: false };
}

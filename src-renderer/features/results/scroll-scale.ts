/**
 * Scroll geometry for grids taller than a browser can lay out. Browsers cap an element's
 * height (about 33 million px in Chromium), so 10,000,000 rows of 24 px cannot be a real
 * scroll height. Above `maxScrollHeight` the scrollbar is scaled: scrollTop maps linearly
 * onto the virtual offset, and the first and last rows stay exactly reachable.
 */
export interface ScrollGeometry {
  /** Height of the spacer element that gives the scrollbar its length. */
  spacerHeight: number;
  /** Virtual px per real px of scrollTop (1 when no scaling is needed). */
  scale: number;
}

export const DEFAULT_MAX_SCROLL_HEIGHT = 8_000_000;

export function scrollGeometry(
  rowCount: number,
  rowHeight: number,
  viewportHeight: number,
  maxScrollHeight = DEFAULT_MAX_SCROLL_HEIGHT,
): ScrollGeometry {
  const virtualHeight = rowCount * rowHeight;
  if (virtualHeight <= maxScrollHeight) return { spacerHeight: virtualHeight, scale: 1 };
  const realRange = Math.max(1, maxScrollHeight - viewportHeight);
  const virtualRange = Math.max(1, virtualHeight - viewportHeight);
  return { spacerHeight: maxScrollHeight, scale: virtualRange / realRange };
}

export interface VisibleWindow {
  firstRow: number;
  /** Exclusive. */
  endRow: number;
  /** Where the first row's top sits relative to the viewport's top (<= 0). */
  firstRowTop: number;
}

export function visibleWindow(
  scrollTop: number,
  viewportHeight: number,
  rowCount: number,
  rowHeight: number,
  geometry: ScrollGeometry,
): VisibleWindow {
  const virtualTop = Math.max(0, scrollTop * geometry.scale);
  const firstRow = Math.min(Math.max(0, rowCount - 1), Math.floor(virtualTop / rowHeight));
  const firstRowTop = firstRow * rowHeight - virtualTop;
  const visible = Math.ceil((viewportHeight - firstRowTop) / rowHeight) + 1;
  return { firstRow, endRow: Math.min(rowCount, firstRow + visible), firstRowTop };
}

/** The scrollTop that shows `row` at the top of the viewport. */
export function scrollTopForRow(row: number, rowHeight: number, geometry: ScrollGeometry): number {
  return (row * rowHeight) / geometry.scale;
}

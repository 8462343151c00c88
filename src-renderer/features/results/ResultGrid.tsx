/**
 * The result grid: a virtualized view of a main-side result. Rows are windowed with scaled
 * scrolling (see scroll-scale.ts) and fetched in blocks (block-cache.ts); columns are
 * virtualized with @tanstack/react-virtual. Row virtualization is our own because TanStack's
 * virtualizer keeps a measurement object per row, which for 10,000,000 rows costs gigabytes.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent } from 'react';
import type { Cell, ColumnInfo, QueryResultHandle } from '../../../src-shared/values';
import type { Client } from '../../transport/client';
import { BlockCache } from './block-cache';
import { scrollGeometry, scrollTopForRow, visibleWindow } from './scroll-scale';

const ROW_HEIGHT = 24;
const HEADER_HEIGHT = 44;
const ROW_NUMBER_WIDTH = 88;

/** Widths that fit typical values of each type, since the grid never sees all the values. */
function columnWidth(column: ColumnInfo): number {
  const byType = column.type.startsWith('TIMESTAMP') ? 230 : column.type === 'DATE' ? 110 : column.type === 'VARCHAR' || column.type === 'UUID' ? 180 : 90;
  return Math.min(320, Math.max(byType, 8 * Math.max(column.name.length, column.type.length) + 28));
}

function isNumeric(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(type);
}

function display(cell: Cell): string {
  if (cell === null) return 'NULL';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

export function ResultGrid({ client, handle }: { client: Client; handle: QueryResultHandle }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState({ width: 800, height: 400 });

  const cache = useMemo(
    () =>
      new BlockCache(
        (offset, limit) => client.invoke('query.page', { resultId: handle.resultId, offset, limit }),
        handle.rowCount,
        redraw,
      ),
    [client, handle],
  );
  useEffect(() => () => cache.dispose(), [cache]);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    const observer = new ResizeObserver(() =>
      setViewport({ width: element.clientWidth, height: element.clientHeight - HEADER_HEIGHT }),
    );
    observer.observe(element);
    element.scrollTop = 0;
    setScrollTop(0);
    return () => observer.disconnect();
  }, [handle]);

  const geometry = scrollGeometry(handle.rowCount, ROW_HEIGHT, viewport.height);
  const window = visibleWindow(scrollTop, viewport.height, handle.rowCount, ROW_HEIGHT, geometry);
  useEffect(() => cache.ensure(window.firstRow, window.endRow), [cache, window.firstRow, window.endRow]);

  const widths = useMemo(() => handle.columns.map(columnWidth), [handle]);
  const columns = useVirtualizer({
    horizontal: true,
    count: handle.columns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => widths[i] ?? 120,
    overscan: 4,
    paddingStart: ROW_NUMBER_WIDTH,
  });
  const virtualColumns = columns.getVirtualItems();
  const totalWidth = columns.getTotalSize();

  const goTo = useCallback(
    (row: number) => {
      const element = scrollRef.current;
      if (!element) return;
      element.scrollTop = scrollTopForRow(Math.max(0, Math.min(row, handle.rowCount - 1)), ROW_HEIGHT, geometry);
    },
    [geometry, handle.rowCount],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'End') {
      event.preventDefault();
      goTo(handle.rowCount);
    } else if ((event.ctrlKey || event.metaKey) && event.key === 'Home') {
      event.preventDefault();
      goTo(0);
    }
  };

  const rows = [];
  for (let row = window.firstRow; row < window.endRow; row++) {
    const top = HEADER_HEIGHT + window.firstRowTop + (row - window.firstRow) * ROW_HEIGHT;
    const loaded = cache.has(row);
    rows.push(
      <div key={row} className="grid-row" role="row" aria-rowindex={row + 1} data-row={row} style={{ top, width: totalWidth }}>
        <div className="grid-cell grid-rownum" role="rowheader" style={{ width: ROW_NUMBER_WIDTH }}>
          {row + 1}
        </div>
        {virtualColumns.map((vc) => {
          const column = handle.columns[vc.index];
          const cell = loaded ? cache.cell(row, vc.index) : undefined;
          const text = cell === undefined ? '…' : display(cell);
          const classes = ['grid-cell'];
          if (cell === null) classes.push('is-null');
          if (column && isNumeric(column.type)) classes.push('is-number');
          return (
            <div key={vc.index} role="gridcell" className={classes.join(' ')} style={{ left: vc.start, width: vc.size }} title={text}>
              {text}
            </div>
          );
        })}
      </div>,
    );
  }

  return (
    <div
      ref={scrollRef}
      className="grid"
      role="grid"
      aria-rowcount={handle.rowCount}
      aria-colcount={handle.columns.length}
      data-cached-rows={cache.cachedRows}
      data-first-row={window.firstRow}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div className="grid-spacer" style={{ height: geometry.spacerHeight + HEADER_HEIGHT, width: totalWidth }} />
      <div className="grid-layer" style={{ top: scrollTop, height: viewport.height + HEADER_HEIGHT, width: totalWidth }}>
        <div className="grid-header" role="row" style={{ width: totalWidth }}>
          <div className="grid-cell grid-rownum" style={{ width: ROW_NUMBER_WIDTH }}>
            #
          </div>
          {virtualColumns.map((vc) => {
            const column = handle.columns[vc.index];
            return (
              <div key={vc.index} role="columnheader" className="grid-cell grid-head" style={{ left: vc.start, width: vc.size }} title={`${column?.name} ${column?.type}`}>
                <span className="grid-head-name">{column?.name}</span>
                <span className="grid-head-type">{column?.type}</span>
              </div>
            );
          })}
        </div>
        {rows}
      </div>
    </div>
  );
}

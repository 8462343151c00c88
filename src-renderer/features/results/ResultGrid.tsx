/**
 * The one result grid (console, model preview, lake, table diff): a virtualized view of a
 * main-side result with its toolbar. Rows are windowed with scaled scrolling (scroll-scale.ts)
 * and fetched in blocks (block-cache.ts); columns are virtualized with @tanstack/react-virtual.
 * Row virtualization is our own because TanStack's virtualizer keeps a measurement object per
 * row, which for 10,000,000 rows costs gigabytes. The grid scrolls inside its own pane; its
 * header stays on top. Sorting, export and charts ask the engine (`query.sort`, `query.export`,
 * `query.chart`), so they work on results far larger than what the renderer holds.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent, type MouseEvent, type PointerEvent, type ReactNode } from 'react';
import { formatPasError, isPasException } from '../../../src-shared/errors';
import type { Cell, QueryResultHandle } from '../../../src-shared/values';
import type { Client } from '../../transport/client';
import { BlockCache } from './block-cache';
import { autosizeWidth, clampWidth, initialWidth } from './column-widths';
import { isNumericType } from './column-types';
import { COPY_FORMAT_LABELS, COPY_FORMATS, formatCopy, type CopyFormat } from './copy-format';
import { ExportControl } from './ExportControl';
import { scrollGeometry, scrollTopForRow, visibleWindow } from './scroll-scale';
import { inRange, move, select, selectAll, selectionRange, type GridSelection } from './selection';
import './result-grid.css';

/** The chart view (chart.js) is a chunk loaded the first time a result is shown as a chart. */
const ResultChart = lazy(() => import('./ResultChart').then((m) => ({ default: m.ResultChart })));

const ROW_HEIGHT = 24;
const HEADER_HEIGHT = 44;
const ROW_NUMBER_WIDTH = 88;
/** Most rows one copy takes: the contract's MAX_PAGE_ROWS (not imported as a value: that would bundle zod). */
const MAX_COPY_ROWS = 50_000;
const GRID_FONT = '12px ui-monospace, Menlo, Consolas, monospace';

export interface ResultGridProps {
  client: Client;
  handle: QueryResultHandle;
  /** Show the toolbar (row count, time, sort, copy, export, chart). Default: shown. */
  toolbar?: boolean;
  /** Start of an exported file's name (e.g. the model's name); `result` by default. */
  exportName?: string;
  /** Extra toolbar content, placed before the grid's own controls. */
  toolbarStart?: ReactNode;
}

interface SortKey {
  column: number;
  descending: boolean;
}

function display(cell: Cell): string {
  if (cell === null) return 'NULL';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function errorText(e: unknown): string {
  return isPasException(e) ? formatPasError(e.error) : e instanceof Error ? e.message : String(e);
}

let measureContext: CanvasRenderingContext2D | null | undefined;
function measureText(text: string, bold: boolean): number {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (!measureContext) return text.length * 7.5;
  measureContext.font = bold ? `600 ${GRID_FONT}` : GRID_FONT;
  return measureContext.measureText(text).width;
}

async function writeClipboard(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No async clipboard (an insecure origin, or no permission): the old way.
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}

export function ResultGrid({ client, handle: base, toolbar = true, exportName, toolbarStart }: ResultGridProps) {
  const [sort, setSort] = useState<SortKey | undefined>();
  const [sorted, setSorted] = useState<QueryResultHandle | undefined>();
  const [sorting, setSorting] = useState(false);
  const [view, setView] = useState<'grid' | 'chart'>('grid');
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>();
  const [copyFormat, setCopyFormat] = useState<CopyFormat>('tsv');
  const [selection, setSelection] = useState<GridSelection | undefined>();
  const [menu, setMenu] = useState<{ x: number; y: number } | undefined>();
  const sortRequest = useRef(0);
  const handle = sorted ?? base;

  // A new base result starts over: no sort, no selection.
  useEffect(() => {
    setSort(undefined);
    setSorted(undefined);
    setSelection(undefined);
    setNotice(undefined);
  }, [base]);
  // The sorted copy lives in the engine until replaced.
  useEffect(() => () => void (sorted && client.invoke('query.close', { resultId: sorted.resultId }).catch(() => undefined)), [client, sorted]);

  const sortBy = useCallback(
    async (column: number) => {
      const next: SortKey | undefined = sort?.column !== column ? { column, descending: false } : !sort.descending ? { column, descending: true } : undefined;
      setSort(next);
      if (!next) {
        sortRequest.current++;
        setSorting(false);
        setSorted(undefined);
        return;
      }
      // Only the latest click's result is shown; an earlier one that lands later is closed.
      const request = ++sortRequest.current;
      setSorting(true);
      try {
        const result = await client.invoke('query.sort', { resultId: base.resultId, orderBy: [next] });
        if (request !== sortRequest.current) {
          void client.invoke('query.close', { resultId: result.resultId }).catch(() => undefined);
          return;
        }
        setSorted(result);
        setNotice(undefined);
      } catch (e) {
        if (request !== sortRequest.current) return;
        setSort(undefined);
        setSorted(undefined);
        setNotice({ text: `Cannot sort: ${errorText(e)}`, error: true });
      } finally {
        if (request === sortRequest.current) setSorting(false);
      }
    },
    [client, base, sort],
  );

  const copy = useCallback(
    async (format: CopyFormat) => {
      setMenu(undefined);
      if (!selection) {
        setNotice({ text: 'Select cells to copy: click a cell, shift-click or drag to extend, click row numbers for whole rows, Ctrl+A for all.' });
        return;
      }
      const range = selectionRange(selection, handle.columns.length);
      const rows = range.lastRow - range.firstRow + 1;
      const limit = Math.min(rows, MAX_COPY_ROWS);
      try {
        const page = await client.invoke('query.page', { resultId: handle.resultId, offset: range.firstRow, limit });
        const columns = page.columns.slice(range.firstColumn, range.lastColumn + 1);
        const names = handle.columns.slice(range.firstColumn, range.lastColumn + 1).map((c) => c.name);
        await writeClipboard(formatCopy(format, names, columns));
        const what = `${limit.toLocaleString('en-US')} ${limit === 1 ? 'row' : 'rows'} × ${columns.length} ${columns.length === 1 ? 'column' : 'columns'}`;
        setNotice({ text: `Copied ${what} as ${COPY_FORMAT_LABELS[format]}${limit < rows ? ` (the first ${limit.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} rows: export for all of them)` : ''}.` });
      } catch (e) {
        setNotice({ text: `Copy failed: ${errorText(e)}`, error: true });
      }
    },
    [client, handle, selection],
  );

  const rowsText = `${handle.rowCount.toLocaleString('en-US')} ${handle.rowCount === 1 ? 'row' : 'rows'} · ${handle.columns.length} ${handle.columns.length === 1 ? 'column' : 'columns'} · ${formatMs(base.elapsedMs)}${sorted ? ` · sorted in ${formatMs(sorted.elapsedMs)}` : ''}`;
  return (
    <div className="result-view" data-testid="result-view">
      {toolbar && (
        <div className="toolbar result-toolbar" role="toolbar" aria-label="Result">
          {toolbarStart}
          <span className="result-count" data-testid="result-count">
            {rowsText}
          </span>
          {sorting && <span className="status">Sorting…</span>}
          <span className="spacer" />
          {notice && (
            <span className={`result-notice${notice.error ? ' is-error' : ''}`} role={notice.error ? 'alert' : 'status'} data-testid="result-notice" title={notice.text}>
              {notice.text}
            </span>
          )}
          <span className="result-controls">
            <span className="split-button">
              <button type="button" onClick={() => void copy(copyFormat)} title="Copy the selected cells (Ctrl+C)" disabled={view !== 'grid'}>
                Copy
              </button>
              <select aria-label="Copy format" value={copyFormat} onChange={(e) => setCopyFormat(e.target.value as CopyFormat)} disabled={view !== 'grid'}>
                {COPY_FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {COPY_FORMAT_LABELS[f]}
                  </option>
                ))}
              </select>
            </span>
            <ExportControl client={client} handle={handle} name={exportName} onNotice={setNotice} />
            <span className="segmented" role="radiogroup" aria-label="Show as">
              <button type="button" role="radio" aria-checked={view === 'grid'} className={view === 'grid' ? 'active' : ''} onClick={() => setView('grid')}>
                ▦ Table
              </button>
              <button type="button" role="radio" aria-checked={view === 'chart'} className={view === 'chart' ? 'active' : ''} onClick={() => setView('chart')}>
                ◔ Chart
              </button>
            </span>
          </span>
        </div>
      )}
      {view === 'chart' ? (
        <Suspense fallback={null}>
          <ResultChart client={client} handle={handle} />
        </Suspense>
      ) : (
        <GridBody
          key={handle.resultId}
          client={client}
          handle={handle}
          sort={sort}
          onSort={(c) => void sortBy(c)}
          selection={selection}
          onSelect={setSelection}
          onCopy={() => void copy(copyFormat)}
          onContextMenu={(x, y) => setMenu({ x, y })}
        />
      )}
      {menu && (
        <>
          <div className="menu-backdrop" onClick={() => setMenu(undefined)} onContextMenu={(e) => (e.preventDefault(), setMenu(undefined))} />
          <div className="menu" role="menu" style={{ left: menu.x, top: menu.y }}>
            {COPY_FORMATS.map((f) => (
              <button key={f} type="button" role="menuitem" onClick={() => void copy(f)}>
                Copy as {COPY_FORMAT_LABELS[f]}
              </button>
            ))}
          </div>
        </>
      )}
    </div>
  );
}

interface GridBodyProps {
  client: Client;
  handle: QueryResultHandle;
  sort: SortKey | undefined;
  onSort(column: number): void;
  selection: GridSelection | undefined;
  onSelect(selection: GridSelection | undefined): void;
  onCopy(): void;
  onContextMenu(x: number, y: number): void;
}

function GridBody({ client, handle, sort, onSort, selection, onSelect, onCopy, onContextMenu }: GridBodyProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState({ width: 800, height: 400 });
  const [widths, setWidths] = useState<number[]>(() => handle.columns.map(initialWidth));
  const dragging = useRef(false);

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
    const observer = new ResizeObserver(() => setViewport({ width: element.clientWidth, height: element.clientHeight - HEADER_HEIGHT }));
    observer.observe(element);
    element.scrollTop = 0;
    setScrollTop(0);
    return () => observer.disconnect();
  }, [handle]);

  useEffect(() => {
    const stop = () => (dragging.current = false);
    window.addEventListener('mouseup', stop);
    return () => window.removeEventListener('mouseup', stop);
  }, []);

  const geometry = scrollGeometry(handle.rowCount, ROW_HEIGHT, viewport.height);
  const rowWindow = visibleWindow(scrollTop, viewport.height, handle.rowCount, ROW_HEIGHT, geometry);
  useEffect(() => cache.ensure(rowWindow.firstRow, rowWindow.endRow), [cache, rowWindow.firstRow, rowWindow.endRow]);

  const columns = useVirtualizer({
    horizontal: true,
    count: handle.columns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => widths[i] ?? 120,
    overscan: 4,
    paddingStart: ROW_NUMBER_WIDTH,
  });
  useEffect(() => columns.measure(), [columns, widths]);
  const virtualColumns = columns.getVirtualItems();
  const totalWidth = columns.getTotalSize();
  const range = selection ? selectionRange(selection, handle.columns.length) : undefined;

  const goTo = useCallback(
    (row: number) => {
      const element = scrollRef.current;
      if (!element) return;
      element.scrollTop = scrollTopForRow(Math.max(0, Math.min(row, handle.rowCount - 1)), ROW_HEIGHT, geometry);
    },
    [geometry, handle.rowCount],
  );

  /** Brings a row into view when the keyboard moves past the window's edge. */
  const reveal = (row: number) => {
    const visibleRows = Math.max(1, Math.floor(viewport.height / ROW_HEIGHT) - 1);
    if (row < rowWindow.firstRow + 1) goTo(row);
    else if (row >= rowWindow.firstRow + visibleRows) goTo(row - visibleRows + 1);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const mod = event.ctrlKey || event.metaKey;
    const arrows: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (mod && event.key === 'End') {
      event.preventDefault();
      goTo(handle.rowCount);
    } else if (mod && event.key === 'Home') {
      event.preventDefault();
      goTo(0);
    } else if (mod && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      onSelect(selectAll(handle.rowCount, handle.columns.length));
    } else if (mod && event.key.toLowerCase() === 'c') {
      event.preventDefault();
      onCopy();
    } else if (event.key === 'Escape') {
      onSelect(undefined);
    } else if (selection && arrows[event.key]) {
      event.preventDefault();
      const [dRow, dColumn] = arrows[event.key] ?? [0, 0];
      const next = move(selection, dRow, dColumn, handle.rowCount, handle.columns.length, event.shiftKey);
      onSelect(next);
      reveal(next.focus.row);
    }
  };

  const onCellMouseDown = (event: MouseEvent, row: number, column: number, wholeRows: boolean) => {
    if (event.button !== 0) return;
    event.preventDefault();
    scrollRef.current?.focus();
    dragging.current = true;
    onSelect(select(selection, { row, column }, { extend: event.shiftKey, wholeRows }));
  };
  const onCellMouseEnter = (row: number, column: number) => {
    if (dragging.current && selection) onSelect({ ...selection, focus: { row, column: selection.wholeRows ? selection.focus.column : column } });
  };
  const onCellContextMenu = (event: MouseEvent, row: number, column: number) => {
    event.preventDefault();
    if (!inRange(range, row, column)) onSelect(select(undefined, { row, column }, { extend: false, wholeRows: false }));
    onContextMenu(event.clientX, event.clientY);
  };

  const autosize = (index: number) => {
    const texts: string[] = [];
    for (let row = rowWindow.firstRow; row < rowWindow.endRow; row++) {
      const cell = cache.has(row) ? cache.cell(row, index) : undefined;
      if (cell !== undefined) texts.push(display(cell));
    }
    const column = handle.columns[index];
    const width = autosizeWidth(column ? [column.name, column.type] : [], texts, measureText);
    setWidths((w) => w.map((v, i) => (i === index ? width : v)));
  };

  const startResize = (event: PointerEvent<HTMLDivElement>, index: number) => {
    event.preventDefault();
    event.stopPropagation();
    const target = event.currentTarget;
    target.setPointerCapture(event.pointerId);
    const startX = event.clientX;
    const startWidth = widths[index] ?? 120;
    const onMove = (e: globalThis.PointerEvent) => setWidths((w) => w.map((v, i) => (i === index ? clampWidth(startWidth + e.clientX - startX) : v)));
    const onUp = () => {
      target.removeEventListener('pointermove', onMove);
      target.removeEventListener('pointerup', onUp);
    };
    target.addEventListener('pointermove', onMove);
    target.addEventListener('pointerup', onUp);
  };

  const rows = [];
  for (let row = rowWindow.firstRow; row < rowWindow.endRow; row++) {
    const top = HEADER_HEIGHT + rowWindow.firstRowTop + (row - rowWindow.firstRow) * ROW_HEIGHT;
    const loaded = cache.has(row);
    const rowSelected = range !== undefined && row >= range.firstRow && row <= range.lastRow;
    rows.push(
      <div key={row} className={`grid-row${row % 2 ? ' is-odd' : ''}`} role="row" aria-rowindex={row + 1} data-row={row} style={{ top, width: totalWidth }}>
        <div className={`grid-cell grid-rownum${rowSelected ? ' is-selected' : ''}`} role="rowheader" style={{ width: ROW_NUMBER_WIDTH }} onMouseDown={(e) => onCellMouseDown(e, row, 0, true)} onMouseEnter={() => onCellMouseEnter(row, 0)}>
          {row + 1}
        </div>
        {virtualColumns.map((vc) => {
          const column = handle.columns[vc.index];
          const cell = loaded ? cache.cell(row, vc.index) : undefined;
          const text = cell === undefined ? '…' : display(cell);
          const classes = ['grid-cell'];
          if (cell === null) classes.push('is-null');
          if (column && isNumericType(column.type)) classes.push('is-number');
          if (inRange(range, row, vc.index)) classes.push('is-selected');
          if (selection?.focus.row === row && selection.focus.column === vc.index) classes.push('is-focus');
          return (
            <div
              key={vc.index}
              role="gridcell"
              data-col={vc.index}
              aria-selected={inRange(range, row, vc.index)}
              className={classes.join(' ')}
              style={{ left: vc.start, width: vc.size }}
              title={text}
              onMouseDown={(e) => onCellMouseDown(e, row, vc.index, false)}
              onMouseEnter={() => onCellMouseEnter(row, vc.index)}
              onContextMenu={(e) => onCellContextMenu(e, row, vc.index)}
            >
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
      aria-multiselectable="true"
      data-cached-rows={cache.cachedRows}
      data-first-row={rowWindow.firstRow}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div className="grid-spacer" style={{ height: geometry.spacerHeight + HEADER_HEIGHT, width: totalWidth }} />
      <div className="grid-layer" style={{ top: scrollTop, height: viewport.height + HEADER_HEIGHT, width: totalWidth }}>
        <div className="grid-header" role="row" style={{ width: totalWidth }}>
          <div className="grid-cell grid-rownum" style={{ width: ROW_NUMBER_WIDTH }} title="Select every row (Ctrl+A)" onClick={() => onSelect(selectAll(handle.rowCount, handle.columns.length))}>
            #
          </div>
          {virtualColumns.map((vc) => {
            const column = handle.columns[vc.index];
            const direction = sort?.column === vc.index ? (sort.descending ? 'descending' : 'ascending') : 'none';
            return (
              <div
                key={vc.index}
                role="columnheader"
                aria-sort={direction}
                data-col={vc.index}
                className="grid-cell grid-head"
                style={{ left: vc.start, width: vc.size }}
                title={`${column?.name} ${column?.type}\nClick to sort; drag the right edge to resize, double-click it to fit`}
                onClick={() => onSort(vc.index)}
              >
                <span className="grid-head-name">
                  {column?.name}
                  {direction !== 'none' && <span className="grid-sort">{direction === 'ascending' ? ' ▲' : ' ▼'}</span>}
                </span>
                <span className="grid-head-type">{column?.type}</span>
                <div
                  className="grid-resize"
                  role="separator"
                  aria-orientation="vertical"
                  aria-label={`Resize ${column?.name}`}
                  onPointerDown={(e) => startResize(e, vc.index)}
                  onClick={(e) => e.stopPropagation()}
                  onDoubleClick={(e) => {
                    e.stopPropagation();
                    autosize(vc.index);
                  }}
                />
              </div>
            );
          })}
        </div>
        {rows}
      </div>
    </div>
  );
}

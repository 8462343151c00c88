/**
 * A result as a chart (Chart.js): bars, lines or points of one column against another. The
 * engine reduces big results first (`query.chart`: a sample, or y summed per x for bars), so
 * the renderer plots at most a few thousand points whatever the result's size.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatPasError, isPasException } from '../../../src-shared/errors';
import type { ChartData, ChartKind } from '../../../src-shared/results-contract';
import type { Cell, QueryResultHandle } from '../../../src-shared/values';
import { useTheme } from '../../store/theme';
import type { Client } from '../../transport/client';
import { isNumericType, isTemporalType } from './column-types';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip);

const MAX_POINTS = 2000;
const CHART_KINDS: ChartKind[] = ['bar', 'line', 'point'];

function defaultColumns(handle: QueryResultHandle): { x: number; y: number } {
  const numeric = handle.columns.map((c, i) => (isNumericType(c.type) ? i : -1)).filter((i) => i >= 0);
  const y = numeric.find((i) => i !== 0) ?? numeric[0] ?? Math.min(1, handle.columns.length - 1);
  return { x: y === 0 && handle.columns.length > 1 ? 1 : 0, y };
}

function reductionText(data: ChartData): string {
  const rows = data.rowCount.toLocaleString('en-US');
  switch (data.reduction) {
    case 'all':
      return `all ${rows} rows`;
    case 'sample':
      return `a random sample of ${data.x.length.toLocaleString('en-US')} of ${rows} rows`;
    case 'sum_per_x':
      return `y summed per x over ${rows} rows (first ${data.x.length.toLocaleString('en-US')} x values)`;
    case 'first_rows':
      return `the first ${data.x.length.toLocaleString('en-US')} of ${rows} rows`;
  }
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** x as numbers where the column is numeric or temporal (a linear axis), else as labels. */
function xValue(cell: Cell, numeric: boolean, temporal: boolean): number | string {
  if (cell === null) return numeric || temporal ? NaN : 'NULL';
  if (temporal && typeof cell === 'string') return Date.parse(cell.includes('T') || cell.length <= 10 ? cell : cell.replace(' ', 'T'));
  if (numeric) return Number(cell);
  return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
}

function chartConfig(kind: ChartKind, data: ChartData, xType: string, names: { x: string; y: string }): ChartConfiguration {
  const temporal = isTemporalType(xType);
  const numeric = isNumericType(xType);
  const linear = (numeric || temporal) && kind !== 'bar';
  const xs = data.x.map((c) => xValue(c, numeric, temporal));
  const accent = cssVar('--accent');
  const grid = cssVar('--border');
  const text = cssVar('--fg-dim');
  const tick = (value: number | string) => (temporal && typeof value === 'number' ? new Date(value).toISOString().slice(0, 10) : String(value));
  const points = linear ? xs.map((x, i) => ({ x: x as number, y: data.y[i] ?? null })) : data.y;
  return {
    type: kind === 'point' ? 'scatter' : kind,
    data: {
      labels: linear ? undefined : xs.map((x) => tick(x)),
      datasets: [
        {
          label: names.y,
          data: points as never,
          backgroundColor: accent,
          borderColor: accent,
          pointRadius: kind === 'line' ? (data.x.length > 200 ? 0 : 2) : 2.5,
          borderWidth: kind === 'bar' ? 0 : 1.5,
          spanGaps: false,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false }, tooltip: { enabled: true } },
      scales: {
        x: {
          type: linear ? 'linear' : 'category',
          title: { display: true, text: names.x, color: text },
          ticks: { color: text, maxRotation: 45, autoSkip: true, callback: linear ? (v) => tick(v) : undefined },
          grid: { color: grid },
        },
        y: { title: { display: true, text: names.y, color: text }, ticks: { color: text }, grid: { color: grid } },
      },
    },
  } as ChartConfiguration;
}

export function ResultChart({ client, handle }: { client: Client; handle: QueryResultHandle }) {
  const initial = useMemo(() => defaultColumns(handle), [handle]);
  const [kind, setKind] = useState<ChartKind>('bar');
  const [x, setX] = useState(initial.x);
  const [y, setY] = useState(initial.y);
  const [data, setData] = useState<ChartData | undefined>();
  const [error, setError] = useState<string | undefined>();
  const theme = useTheme((s) => s.theme);
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    let live = true;
    setError(undefined);
    client.invoke('query.chart', { resultId: handle.resultId, x, y, kind, maxPoints: MAX_POINTS }).then(
      (d) => live && setData(d),
      (e: unknown) => live && (setData(undefined), setError(isPasException(e) ? formatPasError(e.error) : String(e))),
    );
    return () => {
      live = false;
    };
  }, [client, handle, x, y, kind]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const xColumn = handle.columns[x];
    const yColumn = handle.columns[y];
    if (!canvas || !data || !xColumn || !yColumn) return;
    const chart = new Chart(canvas, chartConfig(kind, data, xColumn.type, { x: xColumn.name, y: yColumn.name }));
    return () => chart.destroy();
  }, [data, kind, handle, x, y, theme]);

  const columnOptions = handle.columns.map((c, i) => (
    <option key={i} value={i}>
      {c.name} ({c.type})
    </option>
  ));
  return (
    <div className="result-chart" data-testid="result-chart">
      <div className="result-chart-controls">
        <div className="segmented" role="radiogroup" aria-label="Chart kind">
          {CHART_KINDS.map((k) => (
            <button key={k} type="button" role="radio" aria-checked={kind === k} className={kind === k ? 'active' : ''} onClick={() => setKind(k)}>
              {k === 'bar' ? 'Bars' : k === 'line' ? 'Lines' : 'Points'}
            </button>
          ))}
        </div>
        <label>
          x <select aria-label="x column" value={x} onChange={(e) => setX(Number(e.target.value))}>{columnOptions}</select>
        </label>
        <label>
          y <select aria-label="y column" value={y} onChange={(e) => setY(Number(e.target.value))}>{columnOptions}</select>
        </label>
        <span className="status">{data ? `Plotting ${reductionText(data)}` : error ? '' : 'Loading…'}</span>
      </div>
      {error ? (
        <div className="error-panel" role="alert">
          {error}
        </div>
      ) : (
        <div className="result-chart-canvas">
          <canvas ref={canvasRef} aria-label={`Chart of ${handle.columns[y]?.name ?? ''} by ${handle.columns[x]?.name ?? ''}`} role="img" />
        </div>
      )}
    </div>
  );
}

/**
 * Export the whole result (not only the rows the grid holds) to CSV or Parquet: the engine
 * writes it with DuckDB's COPY into the project's `exports/` folder (`query.export`), reporting
 * progress; the control shows a bar, Cancel, and where the file went.
 */
import { useEffect, useRef, useState } from 'react';
import { formatPasError, isPasException } from '../../../src-shared/errors';
import type { ExportFormat } from '../../../src-shared/results-contract';
import type { QueryResultHandle } from '../../../src-shared/values';
import { Client } from '../../transport/client';

function stamp(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/** A file-name-safe stem. */
function stem(name: string | undefined): string {
  return (name ?? 'result').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'result';
}

export function ExportControl({
  client,
  handle,
  name,
  onNotice,
}: {
  client: Client;
  handle: QueryResultHandle;
  name?: string;
  onNotice(notice: { text: string; error?: boolean }): void;
}) {
  const [running, setRunning] = useState<{ format: ExportFormat; fraction: number | undefined } | undefined>();
  const controller = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => controller.current?.abort(), []);

  const start = async (format: ExportFormat) => {
    const requestId = Client.newRequestId();
    const abort = new AbortController();
    controller.current = abort;
    setRunning({ format, fraction: undefined });
    const off = client.subscribe('progress', (event) => {
      if (event.requestId === requestId && event.fraction !== undefined) setRunning((r) => r && { ...r, fraction: event.fraction });
    });
    try {
      const out = await client.invoke('query.export', { resultId: handle.resultId, format, path: `exports/${stem(name)}-${stamp()}` }, { requestId, signal: abort.signal });
      onNotice({ text: `Exported ${out.rows.toLocaleString('en-US')} rows (${bytes(out.bytes)}) to ${out.projectPath ?? out.path}` });
    } catch (e) {
      if (!abort.signal.aborted) onNotice({ text: `Export failed: ${isPasException(e) ? formatPasError(e.error) : String(e)}`, error: true });
      else onNotice({ text: 'Export cancelled.' });
    } finally {
      off();
      setRunning(undefined);
    }
  };

  if (running) {
    return (
      <span className="export-running" data-testid="export-progress">
        <span>Exporting {running.format.toUpperCase()}…</span>
        <span className="progress export-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={running.fraction === undefined ? undefined : Math.round(running.fraction * 100)}>
          <span className="progress-fill" style={{ width: `${Math.round((running.fraction ?? 0.05) * 100)}%` }} />
        </span>
        <button type="button" onClick={() => controller.current?.abort()}>
          Cancel
        </button>
      </span>
    );
  }
  return (
    <span className="split-button">
      <button type="button" onClick={() => void start('csv')} title="Write every row of the result to a CSV file in the project's exports/ folder">
        Export CSV
      </button>
      <button type="button" onClick={() => void start('parquet')} title="Write every row of the result to a Parquet file in the project's exports/ folder">
        Parquet
      </button>
    </span>
  );
}

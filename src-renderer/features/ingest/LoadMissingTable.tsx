/**
 * Under an error about a table the project's pipelines load but nothing has loaded yet (a fresh
 * project; the error's `loadedBy`; nothing for any other error): one button per such pipeline
 * that runs it (`ingest.run`), says how it went, and then lets the caller retry (the preview
 * runs again, the plan is remade).
 */
import { useState } from 'react';
import { formatPasError, isPasException, type PasError } from '../../../src-shared/errors';
import type { Client } from '../../transport/client';

export function LoadMissingTable({ client, error, onLoaded, then = 'preview again' }: { client: Client; error: PasError; onLoaded: () => void; then?: string }) {
  const [running, setRunning] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();
  const pipelines = error.code === 'sql' ? (error.loadedBy ?? []) : [];

  const run = async (pipeline: string) => {
    setRunning(pipeline);
    setOutcome(undefined);
    try {
      const result = await client.invoke('ingest.run', { pipeline });
      if (result.status !== 'loaded') {
        setOutcome({ ok: false, text: `${pipeline} ${result.status}${result.error ? `: ${result.error}` : ''}` });
        return;
      }
      const rows = result.tables.reduce((n, t) => n + t.rows, 0);
      setOutcome({ ok: true, text: `${pipeline} loaded ${rows.toLocaleString('en-US')} rows in ${(result.elapsed_ms / 1000).toFixed(1)} s` });
      onLoaded();
    } catch (error) {
      setOutcome({ ok: false, text: isPasException(error) ? formatPasError(error.error) : String(error) });
    } finally {
      setRunning(undefined);
    }
  };

  if (pipelines.length === 0) return null;
  return (
    <div className="load-missing" data-testid="load-missing-table">
      <span>Load it now:</span>
      {pipelines.map((p) => (
        <button key={p} type="button" className="primary" disabled={running !== undefined} onClick={() => void run(p)} title={`Run pipelines/${p}.yaml into the lake, then ${then}`}>
          {running === p ? `Running ${p}…` : `Run ${p}`}
        </button>
      ))}
      {outcome && <span className={outcome.ok ? 'load-ok' : 'load-failed'}>{outcome.text}</span>}
    </div>
  );
}

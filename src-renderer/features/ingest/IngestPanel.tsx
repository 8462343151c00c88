/**
 * The Ingestion panel: the project's pipelines, a Run button each with a live progress bar
 * (pages, rows, bytes, rate), the run's log, Cancel, and the pipeline's info (loads, state and
 * cursors, schema).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { formatPasError, isPasException } from '../../../src-shared/errors';
import type { IngestProgressEvent, IngestRunResult, PipelineInfoView, PipelineSummary } from '../../../src-shared/ingest';
import { Client } from '../../transport/client';

interface RunState {
  requestId: string;
  progress?: IngestProgressEvent;
  result?: IngestRunResult;
  log: string[];
  controller: AbortController;
}

function human(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n));
}

function PipelineInfo({ info }: { info: PipelineInfoView }) {
  return (
    <div className="pipeline-info" data-testid={`pipeline-info-${info.pipeline}`}>
      <div>
        Dataset <code>{info.dataset}</code> · state version {info.stateVersion ?? '(never loaded)'}
        {info.cursors.map((c) => (
          <span key={c.resource}>
            {' '}
            · cursor {c.resource}.{c.cursorPath} = <code>{String(c.lastValue ?? '—')}</code>
          </span>
        ))}
      </div>
      <h4>Last loads</h4>
      <ul>
        {info.loads.length === 0 && <li>None yet.</li>}
        {info.loads.map((l) => (
          <li key={l.loadId}>
            <code>{l.loadId}</code> {l.insertedAt.slice(0, 19)} — {l.tables.map((t) => `${t.name}: ${t.rows.toLocaleString('en-US')} rows`).join(', ')}
          </li>
        ))}
      </ul>
      <h4>Schema</h4>
      {info.tables.map((t) => (
        <details key={t.name}>
          <summary>
            <code>{t.name}</code> ({t.writeDisposition}
            {t.primaryKey.length ? `, key ${t.primaryKey.join(', ')}` : ''}) · {t.columns.length} columns
          </summary>
          <div className="pipeline-columns">{t.columns.map((c) => `${c.name} ${c.dataType}`).join(' · ')}</div>
        </details>
      ))}
    </div>
  );
}

export function IngestPanel({ client, active }: { client: Client; active: boolean }) {
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  const [runs, setRuns] = useState<Record<string, RunState>>({});
  const [info, setInfo] = useState<Record<string, PipelineInfoView>>({});
  const [error, setError] = useState<string | undefined>();
  const runsRef = useRef(runs);
  runsRef.current = runs;

  useEffect(
    () =>
      client.subscribe('ingest.progress', (event) => {
        const run = Object.values(runsRef.current).find((r) => r.requestId === event.requestId);
        if (!run) return;
        setRuns((all) => {
          const current = all[event.pipeline];
          if (!current) return all;
          const line = event.stage === 'retry' ? `retry: ${event.message ?? ''}` : event.stage !== 'extract' ? `${event.stage}: ${human(event.rows)} rows` : undefined;
          return { ...all, [event.pipeline]: { ...current, progress: event, log: line ? [...current.log, line] : current.log } };
        });
      }),
    [client],
  );

  const loadInfo = useCallback(
    (name: string) => {
      client.invoke('ingest.info', { pipeline: name }).then(
        (value) => setInfo((all) => ({ ...all, [name]: value })),
        () => undefined,
      );
    },
    [client],
  );

  useEffect(() => {
    if (!active) return;
    client.invoke('ingest.pipelines', {}).then(
      (result) => {
        setPipelines(result.pipelines);
        for (const p of result.pipelines) if (!p.error) loadInfo(p.name);
      },
      (e: unknown) => setError(isPasException(e) ? formatPasError(e.error) : String(e)),
    );
  }, [client, active, loadInfo]);

  const run = async (name: string) => {
    const controller = new AbortController();
    const requestId = Client.newRequestId();
    setRuns((all) => ({ ...all, [name]: { requestId, controller, log: [`run started`] } }));
    try {
      const result = await client.invoke('ingest.run', { pipeline: name }, { signal: controller.signal, requestId });
      setRuns((all) => ({ ...all, [name]: { ...all[name]!, result, log: [...(all[name]?.log ?? []), result.error ? `failed: ${result.error}` : `${result.status} in ${(result.elapsed_ms / 1000).toFixed(2)} s`] } }));
      loadInfo(name);
    } catch (e) {
      const text = isPasException(e) ? formatPasError(e.error) : String(e);
      setRuns((all) => ({ ...all, [name]: { ...all[name]!, log: [...(all[name]?.log ?? []), `failed: ${text}`], result: { pipeline: name, load_id: '', status: 'failed', tables: [], elapsed_ms: 0, error: text } } }));
    }
  };

  return (
    <section className="ingest" aria-label="Ingestion">
      <div className="toolbar">
        <strong>Ingestion</strong>
        <span className="status">pipelines/*.yaml → the lake</span>
      </div>
      {error && (
        <div className="error-panel" role="alert">
          {error}
        </div>
      )}
      <div className="ingest-list">
        {pipelines.length === 0 && <p className="hint">No pipelines in this project (pipelines/NAME.yaml).</p>}
        {pipelines.map((p) => {
          const state = runs[p.name];
          const running = state !== undefined && state.result === undefined;
          const done = state?.result?.status === 'loaded';
          const progress = state?.progress;
          return (
            <article key={p.name} className="pipeline" data-testid={`pipeline-${p.name}`}>
              <header>
                <strong>{p.name}</strong> <span className="status">{p.file}{p.dataset ? ` → ${p.dataset}` : ''}</span>
                <span className="spacer" />
                <button type="button" className="primary" disabled={running || p.error !== undefined} onClick={() => void run(p.name)} aria-label={`Run ${p.name}`}>
                  ▶ Run
                </button>
                <button type="button" disabled={!running} onClick={() => state?.controller.abort()} aria-label={`Cancel ${p.name}`}>
                  ■ Cancel
                </button>
              </header>
              {p.error && <pre className="error-panel">{p.error}</pre>}
              {state && (
                <div className="pipeline-run">
                  <div
                    className={`progress${running ? ' is-running' : ''}${done ? ' is-done' : ''}`}
                    role="progressbar"
                    aria-label={`${p.name} progress`}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={done ? 100 : running ? undefined : 0}
                    data-state={done ? 'done' : running ? 'running' : (state.result?.status ?? 'idle')}
                  >
                    <div className="progress-fill" style={{ width: done ? '100%' : running ? '40%' : '0%' }} />
                  </div>
                  <div className="status" data-testid={`pipeline-progress-${p.name}`}>
                    {progress ? `${progress.pages} pages · ${progress.rows.toLocaleString('en-US')} rows · ${human(progress.bytes)}B · ${human(progress.rowsPerSecond)} rows/s` : 'starting…'}
                    {state.result && ` · ${state.result.status}`}
                  </div>
                  <pre className="pipeline-log" data-testid={`pipeline-log-${p.name}`}>{state.log.join('\n')}</pre>
                </div>
              )}
              {info[p.name] && <PipelineInfo info={info[p.name]!} />}
            </article>
          );
        })}
      </div>
    </section>
  );
}

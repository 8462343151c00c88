/**
 * The Environments panel: every environment with its model versions, when it was last planned
 * and applied and by whom, its expiry; comparing two; invalidating one (after a confirmation);
 * the janitor; `run` for an environment with its progress. It reloads whenever an environment
 * changes through the engine (`environments.changed`), whoever changed it.
 */
import { useCallback, useEffect, useState } from 'react';
import type { EnvironmentCompareView, EnvironmentView } from '../../../src-shared/environments-contract';
import type { RunView } from '../../../src-shared/modeling';
import { Client } from '../../transport/client';
import { CATEGORY_LABELS, errorText, plural, when } from '../plan/format';
import { usePlanDialog } from '../plan/plan-store';
import './environments.css';

interface RunState {
  running: boolean;
  lines: string[];
  result?: RunView;
  error?: string;
  controller?: AbortController;
}

function CompareResult({ compare }: { compare: EnvironmentCompareView }) {
  const nothing = compare.changed.length + compare.onlyInA.length + compare.onlyInB.length === 0;
  return (
    <div className="env-compare" data-testid="env-compare">
      <p>
        <b>{compare.a}</b> vs <b>{compare.b}</b>: {nothing ? `the same versions of all ${plural(compare.same, 'model')}.` : `${plural(compare.changed.length, 'model')} with different versions, ${compare.same} the same.`}
      </p>
      {!nothing && (
        <table className="env-models">
          <thead>
            <tr>
              <th>Model</th>
              <th>{compare.a}</th>
              <th>{compare.b}</th>
            </tr>
          </thead>
          <tbody>
            {compare.changed.map((c) => (
              <tr key={c.model}>
                <td>
                  <code>{c.model}</code>
                </td>
                <td>
                  <code>{c.a.version}</code>
                </td>
                <td>
                  <code>{c.b.version}</code>
                </td>
              </tr>
            ))}
            {compare.onlyInA.map((c) => (
              <tr key={`a-${c.model}`}>
                <td>
                  <code>{c.model}</code>
                </td>
                <td>
                  <code>{c.version}</code>
                </td>
                <td className="muted">absent</td>
              </tr>
            ))}
            {compare.onlyInB.map((c) => (
              <tr key={`b-${c.model}`}>
                <td>
                  <code>{c.model}</code>
                </td>
                <td className="muted">absent</td>
                <td>
                  <code>{c.version}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function EnvironmentCard({ client, env, hasProd, onError }: { client: Client; env: EnvironmentView; hasProd: boolean; onError(message: string): void }) {
  const versusProd = hasProd && env.name !== 'prod';
  const show = usePlanDialog((s) => s.show);
  const [confirming, setConfirming] = useState(false);
  const [run, setRun] = useState<RunState | undefined>();
  const own = env.models.filter((m) => m.differsFromProd).length;

  const startRun = async () => {
    const requestId = Client.newRequestId();
    const controller = new AbortController();
    setRun({ running: true, lines: [], controller });
    const off = client.subscribe('progress', (p) => {
      if (p.requestId === requestId && p.stage === 'running' && p.message) setRun((r) => (r ? { ...r, lines: [...r.lines, p.message ?? ''] } : r));
    });
    try {
      const result = await client.invoke('plan.run', { environment: env.name }, { requestId, signal: controller.signal });
      setRun((r) => ({ lines: r?.lines ?? [], running: false, result }));
    } catch (e) {
      setRun((r) => ({ lines: r?.lines ?? [], running: false, error: errorText(e) }));
    } finally {
      off();
    }
  };

  const invalidate = async () => {
    setConfirming(false);
    try {
      await client.invoke('env.invalidate', { environment: env.name });
    } catch (e) {
      onError(errorText(e));
    }
  };

  return (
    <article className="env-card" data-testid={`env-${env.name}`}>
      <header>
        <strong className="env-name">{env.name}</strong>
        {env.name === 'prod' && <span className="badge">production</span>}
        {env.expired && <span className="badge is-breaking">expired — the janitor removes it</span>}
        <span className="spacer" />
        <button type="button" onClick={() => show(env.name)} aria-label={`Plan ${env.name}`}>
          Plan…
        </button>
        <button type="button" onClick={() => void startRun()} disabled={run?.running} aria-label={`Run ${env.name}`}>
          ▶ Run
        </button>
        {run?.running && (
          <button type="button" onClick={() => run.controller?.abort()} aria-label={`Cancel the run of ${env.name}`}>
            ■ Cancel
          </button>
        )}
        {env.name !== 'prod' && !env.expired && (
          <button type="button" onClick={() => setConfirming(true)} aria-label={`Invalidate ${env.name}`}>
            Invalidate
          </button>
        )}
      </header>
      {confirming && (
        <div className="env-confirm" role="alertdialog" aria-label={`Invalidate ${env.name}?`}>
          <span>
            Invalidate <b>{env.name}</b>? Its views stay until the janitor runs, then they and the tables no other environment uses are dropped.
          </span>
          <button type="button" className="danger" onClick={() => void invalidate()}>
            Yes, invalidate {env.name}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      <div className="env-meta">
        <span>
          Applied <b>{when(env.appliedAt)}</b>
          {env.appliedBy ? ` by ${env.appliedBy}` : ''}
        </span>
        <span>Planned {when(env.plannedAt)}</span>
        <span>{env.expiresAt ? `${env.expired ? 'Expired' : 'Expires'} ${when(env.expiresAt)}` : 'Never expires'}</span>
        {(env.start || env.end) && (
          <span>
            Range {env.start ?? 'start'} – {env.end ?? 'now'}
          </span>
        )}
        <span className="muted" title={env.planId}>
          plan {env.planId.slice(0, 8)}
          {env.previousPlanId ? ` (after ${env.previousPlanId.slice(0, 8)})` : ''}
        </span>
      </div>
      {run && (
        <div className="env-run" data-testid={`env-run-${env.name}`}>
          <div className={`progress${run.running ? ' is-running' : ' is-done'}`} role="progressbar" aria-label={`Run of ${env.name}`} aria-valuenow={run.running ? undefined : 100} aria-valuemin={0} aria-valuemax={100}>
            <div className="progress-fill" style={{ width: run.running ? '40%' : '100%' }} />
          </div>
          {run.lines.length > 0 && <pre className="env-run-log">{run.lines.join('\n')}</pre>}
          {run.result && <p>{run.result.message ?? `Ran ${run.result.evaluated.map((e) => `${e.model} (${plural(e.intervals.length, 'interval')})`).join(', ')}.`}</p>}
          {run.result?.janitor && (run.result.janitor.droppedEnvironments.length > 0 || run.result.janitor.droppedTables.length > 0) && (
            <p className="muted">
              The janitor first dropped {plural(run.result.janitor.droppedEnvironments.length, 'environment')} and {plural(run.result.janitor.droppedTables.length, 'table')}.
            </p>
          )}
          {run.error && <p className="inline-error">{run.error}</p>}
        </div>
      )}
      <details>
        <summary>
          {plural(env.models.length, 'model')}
          {versusProd ? ` · ${own} with a version of ${own === 1 ? 'its' : 'their'} own, ${env.models.length - own} the same as prod` : ''}
        </summary>
        <table className="env-models">
          <thead>
            <tr>
              <th>Model</th>
              <th>Kind</th>
              <th>Version</th>
              <th>Category</th>
              {versusProd && <th>vs prod</th>}
            </tr>
          </thead>
          <tbody>
            {env.models.map((m) => (
              <tr key={m.model} data-testid={`env-${env.name}-model-${m.model}`}>
                <td>
                  <code>{m.model}</code>
                </td>
                <td>{m.kind}</td>
                <td>
                  <code title={`fingerprint ${m.fingerprint}`}>{m.version}</code>
                </td>
                <td>{m.category ? CATEGORY_LABELS[m.category] : '—'}</td>
                {versusProd && <td>{m.differsFromProd ? 'own version' : <span className="muted">same as prod</span>}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </article>
  );
}

export function EnvironmentsPanel({ client, active }: { client: Client; active: boolean }) {
  const show = usePlanDialog((s) => s.show);
  const [environments, setEnvironments] = useState<EnvironmentView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const [compareA, setCompareA] = useState('prod');
  const [compareB, setCompareB] = useState('dev');
  const [compare, setCompare] = useState<EnvironmentCompareView | undefined>();
  const [janitorRunning, setJanitorRunning] = useState(false);
  const [revision, setRevision] = useState(0);

  const load = useCallback(() => {
    client.invoke('env.list', {}).then(
      (r) => {
        setEnvironments(r.environments);
        setError(undefined);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [client]);

  useEffect(() => client.subscribe('environments.changed', () => setRevision((r) => r + 1)), [client]);
  useEffect(() => {
    if (active) load();
  }, [active, load, revision]);

  const runJanitor = async () => {
    setJanitorRunning(true);
    try {
      const r = await client.invoke('env.janitor', {});
      setStatus(`Janitor: dropped ${plural(r.droppedEnvironments.length, 'environment')}${r.droppedEnvironments.length ? ` (${r.droppedEnvironments.join(', ')})` : ''} and ${plural(r.droppedTables.length, 'unused table')}.`);
      load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setJanitorRunning(false);
    }
  };

  const runCompare = async () => {
    try {
      setCompare(await client.invoke('env.compare', { a: compareA, b: compareB }));
      setError(undefined);
    } catch (e) {
      setCompare(undefined);
      setError(errorText(e));
    }
  };

  const names = environments?.map((e) => e.name) ?? [];
  return (
    <section className="environments" aria-label="Environments">
      <div className="toolbar">
        <strong>Environments</strong>
        <span className="status">the versions each environment's views point at</span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => show('dev')}>
          Plan…
        </button>
        <button type="button" onClick={() => void runJanitor()} disabled={janitorRunning}>
          {janitorRunning ? 'Running the janitor…' : 'Run janitor'}
        </button>
      </div>
      {error && (
        <div className="error-panel" role="alert">
          {error}
        </div>
      )}
      {status && (
        <div className="env-status" role="status">
          {status}
        </div>
      )}
      <div className="env-list">
        {environments && environments.length === 0 && (
          <div className="env-empty">
            <p>No environments yet — plan dev to build your models.</p>
            <button type="button" className="primary" onClick={() => show('dev')}>
              Plan dev
            </button>
          </div>
        )}
        {environments === undefined && !error && <p className="hint">Loading environments…</p>}
        {names.length >= 2 && (
          <div className="env-compare-bar">
            Compare
            <select value={compareA} onChange={(e) => setCompareA(e.target.value)} aria-label="First environment">
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
            with
            <select value={compareB} onChange={(e) => setCompareB(e.target.value)} aria-label="Second environment">
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
            <button type="button" onClick={() => void runCompare()} disabled={compareA === compareB || !names.includes(compareA) || !names.includes(compareB)}>
              Compare
            </button>
          </div>
        )}
        {compare && <CompareResult compare={compare} />}
        {environments?.map((env) => <EnvironmentCard key={env.name} client={client} env={env} hasProd={names.includes('prod')} onError={setError} />)}
      </div>
    </section>
  );
}

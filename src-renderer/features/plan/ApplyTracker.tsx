/** The stage tracker of a plan being applied: stages, a progress bar and timing per model, audit results. */
import type { ApplyProgress } from './apply-progress';
import { STAGES } from './apply-progress';
import { seconds } from './format';

const ICONS: Record<string, string> = { pending: '○', running: '◔', done: '✓', skipped: '–', failed: '✕', cancelled: '■' };

export function ApplyTracker({ progress }: { progress: ApplyProgress }) {
  return (
    <div className="apply-tracker" data-testid="apply-tracker">
      <ol className="stages" aria-label="Stages">
        {STAGES.map((s) => (
          <li key={s.name} className={`stage is-${progress.stages[s.name]}`} data-testid={`stage-${s.name}`} data-status={progress.stages[s.name]}>
            <span className="stage-icon" aria-hidden="true">
              {ICONS[progress.stages[s.name]]}
            </span>
            {s.label}
            <span className="stage-status">{progress.stages[s.name]}</span>
          </li>
        ))}
      </ol>
      {progress.models.length > 0 && (
        <table className="model-progress">
          <thead>
            <tr>
              <th>Model</th>
              <th>Batches</th>
              <th className="bar-col">Progress</th>
              <th>Last interval</th>
              <th>Time</th>
            </tr>
          </thead>
          <tbody>
            {progress.models.map((m) => {
              const pct = m.batches > 0 ? Math.round((100 * m.done) / m.batches) : 0;
              return (
                <tr key={m.model} data-testid={`progress-${m.model}`}>
                  <td>
                    <code>{m.model}</code>
                  </td>
                  <td className="num">
                    {m.done}/{m.batches}
                  </td>
                  <td className="bar-col">
                    <div className={`progress${pct === 100 ? ' is-done' : ''}`} role="progressbar" aria-label={`${m.model} backfill`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
                      <div className="progress-fill" style={{ width: `${pct}%` }} />
                    </div>
                  </td>
                  <td className="muted">{m.interval ? `${m.interval[0]} – ${m.interval[1]}` : ''}</td>
                  <td className="num">{m.done > 0 ? seconds(m.elapsedMs) : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {progress.audits.length > 0 && (
        <details className="audits" open={progress.audits.some((a) => a.failedRows > 0)}>
          <summary>
            Audits: {progress.audits.filter((a) => a.failedRows === 0).length} passed, {progress.audits.filter((a) => a.failedRows > 0).length} failed
          </summary>
          <ul>
            {progress.audits.map((a, i) => (
              <li key={i} className={a.failedRows > 0 ? (a.blocking ? 'inline-error' : 'warn') : ''}>
                {a.failedRows > 0 ? '✕' : '✓'} {a.model} · {a.audit}
                {a.failedRows > 0 ? ` — ${a.failedRows} failing row${a.failedRows === 1 ? '' : 's'}${a.blocking ? ' (blocking)' : ' (warning)'}` : ''}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

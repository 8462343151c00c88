/**
 * One directly modified model in the plan dialog: its category (switchable where SQLMesh allows),
 * the indirectly modified children, the side-by-side diff of its query, the columns its change
 * reaches downstream, and a table diff of its data against the environment compared with.
 */
import { useEffect, useState } from 'react';
import type { ImpactView, TableDiffView } from '../../../src-shared/environments-contract';
import type { PlanView } from '../../../src-shared/modeling';
import type { Client } from '../../transport/client';
import { ResultGrid } from '../results/ResultGrid';
import { CATEGORY_LABELS, errorText, plural } from './format';
import { SideBySideDiff } from './SideBySideDiff';

type Change = PlanView['changes'][number];

function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { value?: T; error?: string } {
  const [state, setState] = useState<{ value?: T; error?: string }>({});
  useEffect(() => {
    const controller = new AbortController();
    setState({});
    load(controller.signal).then(
      (value) => !controller.signal.aborted && setState({ value }),
      (e: unknown) => !controller.signal.aborted && setState({ error: errorText(e) }),
    );
    return () => controller.abort();
  }, deps);
  return state;
}

/** Downstream columns grouped by their model, in the order met. */
function byModel(refs: { model: string; column: string }[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const r of refs) {
    let list = groups.get(r.model);
    if (!list) groups.set(r.model, (list = []));
    list.push(r.column);
  }
  return [...groups];
}

function ImpactItem({ c }: { c: ImpactView['columns'][number] }) {
  return (
    <li data-testid={`impact-${c.column}`}>
      <span className={`col-change is-${c.change}`}>{c.change === 'rows' ? 'rows may change' : c.change}</span> <code>{c.column}</code>
      {c.downstream.length > 0 ? (
        <>
          {' → '}
          {byModel(c.downstream).map(([model, columns]) => (
            <span key={model} className="impact-target">
              <code>{model}</code>: {columns.join(', ')}
            </span>
          ))}
        </>
      ) : (
        <span className="muted"> · not used downstream</span>
      )}
    </li>
  );
}

function Impact({ impact }: { impact: ImpactView }) {
  if (impact.columns.length === 0) return <p className="muted">{impact.note ?? 'No column of this model changes.'}</p>;
  // Columns whose definition changed first; a breaking change's other columns (same expression, rows may change) after.
  const changed = impact.columns.filter((c) => c.change !== 'rows');
  const rows = impact.columns.filter((c) => c.change === 'rows');
  return (
    <div className="impact">
      <p className="muted">
        {impact.models.length === 0
          ? 'No downstream column uses the changed columns.'
          : `Reaches ${impact.models.map((m) => `${m.model} (${plural(m.columns, 'column')})`).join(', ')}.`}
        {impact.note ? ` ${impact.note}` : ''}
      </p>
      {changed.length > 0 && (
        <ul className="impact-list">
          {changed.map((c) => (
            <ImpactItem key={c.column} c={c} />
          ))}
        </ul>
      )}
      {rows.length > 0 && (
        <details className="impact-rows" open={changed.length === 0}>
          <summary>
            {plural(rows.length, 'other column')} keep their expression, but a breaking change may change their rows
          </summary>
          <ul className="impact-list">
            {rows.map((c) => (
              <ImpactItem key={c.column} c={c} />
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

export function TableDiffSummary({ client, diff }: { client: Client; diff: TableDiffView }) {
  const { schema, rows } = diff;
  const changedColumns = Object.entries(rows.changedValues).filter(([, n]) => n > 0);
  return (
    <div className="table-diff" data-testid={`table-diff-${diff.model}`}>
      <div className="td-counts">
        <span>
          <b>{diff.source.label}</b>: {plural(diff.source.rows, 'row')}
        </span>
        <span>
          <b>{diff.target.label}</b>: {plural(diff.target.rows, 'row')}
        </span>
        <span className="muted">matched on {diff.grain ? diff.grain.join(', ') : 'whole rows (no grain)'}</span>
      </div>
      <div className="td-schema">
        {schema.added.length + schema.removed.length + schema.modified.length === 0 ? (
          <span className="muted">Same columns.</span>
        ) : (
          <>
            {schema.added.map((c) => (
              <span key={`+${c.column}`} className="col-change is-added">
                + {c.column} {c.type}
              </span>
            ))}
            {schema.removed.map((c) => (
              <span key={`-${c.column}`} className="col-change is-removed">
                − {c.column} {c.type}
              </span>
            ))}
            {schema.modified.map((c) => (
              <span key={`~${c.column}`} className="col-change is-modified">
                ~ {c.column} {c.from} → {c.to}
              </span>
            ))}
          </>
        )}
      </div>
      <div className="td-rows">
        {plural(rows.onlyInSource, 'row')} only in {diff.source.label} · {plural(rows.onlyInTarget, 'row')} only in {diff.target.label} · {plural(rows.changed, 'changed row')}
        {changedColumns.length > 0 && <span className="muted"> ({changedColumns.map(([c, n]) => `${c}: ${n.toLocaleString('en-US')}`).join(', ')})</span>}
      </div>
      {diff.sampleResult && diff.sampleResult.rowCount > 0 && (
        <div className="td-grid" data-testid={`table-diff-rows-${diff.model}`}>
          <ResultGrid client={client} handle={diff.sampleResult} />
        </div>
      )}
    </div>
  );
}

export function ChangeDetails({
  client,
  change,
  plan,
  compareWith,
  busy,
  onCategory,
}: {
  client: Client;
  change: Change;
  plan: PlanView;
  /** The environment whose version the change is compared with (undefined: none exists yet). */
  compareWith: string | undefined;
  busy: boolean;
  onCategory(category: 'breaking' | 'non_breaking'): void;
}) {
  const allowed = change.allowedCategories ?? [];
  const [rendered, setRendered] = useState(false);
  const impact = useLoad(
    (signal) =>
      compareWith
        ? client.invoke('env.impact', { environment: compareWith, model: change.model, ...(change.category === 'breaking' || change.category === 'non_breaking' || change.category === 'forward_only' ? { category: change.category } : {}) }, { signal })
        : Promise.resolve(undefined),
    [client, compareWith, change.model, change.category, plan.planId],
  );
  const diff = useLoad(
    (signal) => (compareWith ? client.invoke('env.tableDiff', { source: compareWith, local: true, model: change.model, grid: true, limit: 0 }, { signal }) : Promise.resolve(undefined)),
    [client, compareWith, change.model, plan.planId],
  );
  return (
    <div className="change-details">
      <div className="category-row" role="radiogroup" aria-label={`Category of ${change.model}`}>
        <span className="label">Category</span>
        {change.category === 'forward_only' ? (
          <span className="badge is-forward_only">Forward-only</span>
        ) : (
          (['breaking', 'non_breaking'] as const).map((c) => {
            const enabled = allowed.includes(c);
            return (
              <label key={c} className={`category-choice${change.category === c ? ' is-selected' : ''}${enabled ? '' : ' is-disabled'}`} title={enabled ? undefined : 'Only a change that adds columns can be non-breaking'}>
                <input type="radio" name={`category-${change.model}`} checked={change.category === c} disabled={!enabled || busy} onChange={() => onCategory(c)} />
                {CATEGORY_LABELS[c]}
                <span className="muted">{c === 'breaking' ? ' — rebuild it and its children' : ' — rebuild it only; children keep their data'}</span>
              </label>
            );
          })
        )}
      </div>
      {change.children && change.children.length > 0 && (
        <p className="muted">
          Indirectly modified children:{' '}
          {change.children.map((c, i) => (
            <span key={c}>
              {i > 0 ? ', ' : ''}
              <code>{c}</code>
            </span>
          ))}
        </p>
      )}
      {change.before !== undefined && change.after !== undefined && (change.before !== '' || change.after !== '') && (
        <>
          <div className="diff-mode" role="radiogroup" aria-label={`Diff of ${change.model}`}>
            <label>
              <input type="radio" checked={!rendered} onChange={() => setRendered(false)} /> As written
            </label>
            <label>
              <input type="radio" checked={rendered} onChange={() => setRendered(true)} disabled={change.afterRendered === undefined} /> Rendered
            </label>
          </div>
          <SideBySideDiff
            before={rendered ? (change.beforeRendered ?? change.before) : change.before}
            after={rendered ? (change.afterRendered ?? change.after) : change.after}
            leftLabel={`${change.model} (${compareWith ?? plan.environment})`}
            rightLabel={`${change.model} (local)`}
          />
        </>
      )}
      <h4>Column-level impact</h4>
      {!compareWith ? (
        <p className="muted">Nothing to compare with yet.</p>
      ) : impact.error ? (
        <p className="inline-error">{impact.error}</p>
      ) : impact.value ? (
        <Impact impact={impact.value} />
      ) : (
        <p className="muted">Following column lineage…</p>
      )}
      <h4>Table diff against {compareWith ?? 'the environment'}</h4>
      {!compareWith ? (
        <p className="muted">Nothing to compare with yet: no environment holds this model.</p>
      ) : diff.error ? (
        <p className="inline-error">{diff.error}</p>
      ) : diff.value ? (
        <TableDiffSummary client={client} diff={diff.value} />
      ) : (
        <p className="muted">Computing the table diff (the local query over {compareWith}'s upstream tables)…</p>
      )}
    </div>
  );
}

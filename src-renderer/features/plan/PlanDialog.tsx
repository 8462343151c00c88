/**
 * The plan dialog, in SQLMesh's order: pick the environment (and for dev a start and end) →
 * model tests (failures with their diff, and a way to proceed without them) → the plan: changes
 * as a tree (added, removed, directly and indirectly modified, metadata-only), each direct change
 * with its category, diff, column impact and table diff; what will be backfilled → a button that
 * says what will happen (prod asks for confirmation) → a stage tracker with per-model progress
 * and Cancel, which leaves the environment as it was.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { EnvironmentView } from '../../../src-shared/environments-contract';
import type { ApplyView, ChangeKind, PlanView, TestReportView } from '../../../src-shared/modeling';
import { isPasException, type PasError } from '../../../src-shared/errors';
import { Client } from '../../transport/client';
import { LoadMissingTable } from '../ingest/LoadMissingTable';
import { foldProgress, initialProgress, stopProgress, type ApplyProgress } from './apply-progress';
import { ApplyTracker } from './ApplyTracker';
import { ChangeDetails } from './ChangeDetails';
import { CATEGORY_LABELS, errorText, plural, seconds } from './format';
import './plan.css';

type Step =
  | { name: 'testing' }
  | { name: 'tests_failed'; report: TestReportView }
  | { name: 'planning' }
  | { name: 'review'; plan: PlanView }
  | { name: 'applying'; plan: PlanView; progress: ApplyProgress; cancelling: boolean }
  | { name: 'applied'; plan: PlanView; progress: ApplyProgress; result: ApplyView; elapsedMs: number }
  | { name: 'stopped'; plan: PlanView; progress: ApplyProgress; error: PasError }
  | { name: 'error'; message: string };

const ENV_NAME = /^[A-Za-z0-9_-]+$/;

const SECTIONS: { kind: ChangeKind; label: string }[] = [
  { kind: 'added', label: 'Added' },
  { kind: 'removed', label: 'Removed' },
  { kind: 'directly_modified', label: 'Directly modified' },
  { kind: 'indirectly_modified', label: 'Indirectly modified' },
  { kind: 'metadata', label: 'Metadata only' },
];

function applyLabel(plan: PlanView): string {
  if (plan.virtualUpdate) return 'Apply virtual update';
  return `Apply and backfill ${plural(plan.backfills.length, 'model')}`;
}

function headline(plan: PlanView, existing: boolean): string {
  if (plan.changes.length === 0 && plan.backfills.length === 0) return `No changes to plan: the project files match \`${plan.environment}\`.`;
  if (!existing && plan.createdFrom) return `New environment \`${plan.environment}\` will be created from \`${plan.createdFrom}\`.`;
  if (!existing) return `\`${plan.environment}\` environment will be initialized.`;
  return `Differences from the \`${plan.environment}\` environment:`;
}

function backfillWhat(b: PlanView['backfills'][number]): string {
  switch (b.refresh) {
    case 'incremental':
      return b.intervals.map(([s, e]) => (s === e ? s : `${s} – ${e}`)).join(', ');
    case 'full':
      return 'full refresh';
    case 'view':
      return 'recreate view';
    case 'seed':
      return 'load seed';
  }
}

function TestFailures({ report }: { report: TestReportView }) {
  return (
    <div className="test-failures" data-testid="test-failures">
      <p className="inline-error">
        {plural(report.failed.length, 'model test')} failed ({report.passed.length} passed, {seconds(report.elapsedMs)}).
      </p>
      {report.failed.map((f) => (
        <div key={f.test} className="test-failure">
          <div>
            <b>{f.test}</b>{' '}
            <code className="muted">
              {f.file}:{f.line}
            </code>
          </div>
          <div>{f.message}</div>
          {f.diff && <pre className="diff-pre">{f.diff}</pre>}
        </div>
      ))}
    </div>
  );
}

export function PlanDialog({ client, initialEnvironment, onClose }: { client: Client; initialEnvironment: string; onClose(): void }) {
  const [environment, setEnvironment] = useState(initialEnvironment);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [skipTests, setSkipTests] = useState(false);
  const [environments, setEnvironments] = useState<EnvironmentView[]>([]);
  const [step, setStep] = useState<Step>({ name: 'planning' });
  const [testsRan, setTestsRan] = useState<TestReportView | 'skipped' | undefined>();
  const [categories, setCategories] = useState<Record<string, 'breaking' | 'non_breaking'>>({});
  const [confirmProd, setConfirmProd] = useState(false);
  const [replanning, setReplanning] = useState(false);
  /** The project's files changed after the plan shown was made. */
  const [stale, setStale] = useState(false);
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const controller = useRef<AbortController | undefined>(undefined);
  const planned = useRef<{ environment: string } | undefined>(undefined);

  const isProd = environment.trim().toLowerCase() === 'prod';
  const validName = ENV_NAME.test(environment.trim());
  const loadEnvironments = useCallback(() => client.invoke('env.list', {}).then((r) => setEnvironments(r.environments), () => undefined), [client]);
  useEffect(() => void loadEnvironments(), [loadEnvironments]);
  useEffect(() => client.subscribe('project.changed', () => setStale(true)), [client]);

  const makePlan = useCallback(
    async (options: { tests: boolean; categories?: Record<string, 'breaking' | 'non_breaking'> }) => {
      const env = environment.trim();
      if (!ENV_NAME.test(env)) return;
      planned.current = { environment: env };
      setConfirmProd(false);
      setStale(false);
      try {
        if (options.tests) {
          setStep({ name: 'testing' });
          const report = await client.invoke('project.test', {});
          setTestsRan(report);
          if (report.failed.length > 0) {
            setStep({ name: 'tests_failed', report });
            return;
          }
        } else if (testsRan === undefined) setTestsRan('skipped');
        // A category switch re-plans in place: the review stays, its choices disabled meanwhile.
        if (options.categories) setReplanning(true);
        else setStep({ name: 'planning' });
        const prodOnly = env.toLowerCase() === 'prod';
        const plan = await client.invoke('plan.create', {
          environment: env,
          ...(!prodOnly && start ? { start } : {}),
          ...(!prodOnly && end ? { end } : {}),
          ...(options.categories && Object.keys(options.categories).length > 0 ? { categories: options.categories } : {}),
        });
        setExpanded((all) => {
          const next = { ...all };
          for (const c of plan.changes) if (c.change === 'directly_modified' && next[c.model] === undefined) next[c.model] = true;
          return next;
        });
        setStep({ name: 'review', plan });
      } catch (e) {
        setStep({ name: 'error', message: errorText(e) });
      } finally {
        setReplanning(false);
      }
    },
    [client, environment, start, end, testsRan],
  );

  // Plans as soon as the dialog opens, for the environment it was opened for.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void makePlan({ tests: true });
  }, [makePlan]);

  const replan = () => {
    setCategories({});
    setTestsRan(undefined);
    void makePlan({ tests: !skipTests });
  };

  const changeCategory = (model: string, category: 'breaking' | 'non_breaking') => {
    const next = { ...categories, [model]: category };
    setCategories(next);
    void makePlan({ tests: false, categories: next });
  };

  const apply = async (plan: PlanView) => {
    const requestId = Client.newRequestId();
    const abort = new AbortController();
    controller.current = abort;
    const began = performance.now();
    let progress = initialProgress(plan, testsRan && testsRan !== 'skipped' ? 'done' : 'skipped');
    setStep({ name: 'applying', plan, progress, cancelling: false });
    const off = client.subscribe('plan.progress', (event) => {
      if (event.requestId !== requestId) return;
      progress = foldProgress(progress, event);
      setStep((s) => (s.name === 'applying' ? { ...s, progress } : s));
    });
    try {
      const result = await client.invoke('plan.apply', { planId: plan.planId }, { signal: abort.signal, requestId });
      setStep({ name: 'applied', plan, progress: foldProgress(progress, { requestId, stage: 'promote', environment: plan.environment, views: result.promotedViews }), result, elapsedMs: performance.now() - began });
    } catch (e) {
      const error: PasError = isPasException(e) ? e.error : { code: 'internal', message: errorText(e) };
      setStep({ name: 'stopped', plan, progress: stopProgress(progress, error.code === 'cancelled' ? 'cancelled' : 'failed'), error });
    } finally {
      off();
      controller.current = undefined;
      void loadEnvironments();
    }
  };

  const cancel = () => {
    controller.current?.abort();
    setStep((s) => (s.name === 'applying' ? { ...s, cancelling: true } : s));
  };

  const busy = replanning || step.name === 'testing' || step.name === 'planning' || step.name === 'applying';
  const existing = (name: string) => environments.some((e) => e.name === name.toLowerCase());
  const known = [...new Set(['dev', 'prod', ...environments.map((e) => e.name)])];

  const close = () => {
    if (step.name === 'applying') return;
    onClose();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  let footer: ReactNode = null;
  let body: ReactNode;
  switch (step.name) {
    case 'testing':
      body = <p className="muted">Running model tests…</p>;
      break;
    case 'planning':
      body = <p className="muted">Planning {environment}…</p>;
      break;
    case 'tests_failed':
      body = <TestFailures report={step.report} />;
      footer = (
        <button type="button" onClick={() => void makePlan({ tests: false })}>
          Proceed without tests
        </button>
      );
      break;
    case 'error':
      body = (
        <pre className="inline-error plan-error" role="alert">
          {step.message}
        </pre>
      );
      break;
    case 'review': {
      const { plan } = step;
      const envExists = existing(plan.environment);
      const compareWith = envExists ? plan.environment : (plan.createdFrom ?? undefined);
      const nothing = plan.changes.length === 0 && plan.backfills.length === 0 && envExists;
      body = (
        <div className="plan-review" data-testid="plan-review">
          {stale && (
            <div className="stale-banner" role="status">
              The project's files changed after this plan was made.
              <button type="button" onClick={replan} disabled={busy}>
                Plan again
              </button>
            </div>
          )}
          <p className="plan-headline">{headline(plan, envExists)}</p>
          <p className="muted">
            {testsRan === 'skipped' || testsRan === undefined
              ? 'Model tests skipped.'
              : testsRan.failed.length > 0
                ? `Model tests: ${testsRan.failed.length} failed — proceeding without them.`
                : `✓ ${plural(testsRan.passed.length, 'model test')} passed.`}
          </p>
          {SECTIONS.map(({ kind, label }) => {
            const items = plan.changes.filter((c) => c.change === kind);
            if (items.length === 0) return null;
            return (
              <section key={kind} className={`change-section is-${kind}`} data-testid={`changes-${kind}`}>
                <h3>
                  {label} <span className="count">{items.length}</span>
                </h3>
                <ul className="change-tree">
                  {items.map((c) => (
                    <li key={c.model} data-testid={`change-${c.model}`}>
                      <div className="change-row">
                        {kind === 'directly_modified' ? (
                          <button type="button" className="twisty" aria-expanded={expanded[c.model] === true} onClick={() => setExpanded({ ...expanded, [c.model]: !expanded[c.model] })}>
                            {expanded[c.model] ? '▾' : '▸'}
                          </button>
                        ) : (
                          <span className="twisty-space" />
                        )}
                        <code>{c.model}</code>
                        {c.category && <span className={`badge is-${c.category}`}>{CATEGORY_LABELS[c.category]}</span>}
                      </div>
                      {kind === 'directly_modified' && expanded[c.model] && (
                        <ChangeDetails client={client} change={c} plan={plan} compareWith={compareWith} busy={busy} onCategory={(category) => changeCategory(c.model, category)} />
                      )}
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
          <section className="backfill-section" data-testid="backfills">
            <h3>
              Models needing backfill <span className="count">{plan.backfills.length}</span>
            </h3>
            {plan.backfills.length === 0 ? (
              <p className="muted">{nothing ? 'Nothing to do.' : 'None: every version already has its data, so applying only points the views at them (a virtual update).'}</p>
            ) : (
              <table className="backfill-table">
                <thead>
                  <tr>
                    <th>Model</th>
                    <th>What</th>
                    <th className="num">Batches</th>
                  </tr>
                </thead>
                <tbody>
                  {plan.backfills.map((b) => (
                    <tr key={b.model}>
                      <td>
                        <code>{b.model}</code>
                      </td>
                      <td>{backfillWhat(b)}</td>
                      <td className="num">{b.batches ?? b.intervals.length}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      );
      if (!nothing) {
        footer = (
          <>
            {plan.environment === 'prod' && (
              <label className="confirm-prod">
                <input type="checkbox" checked={confirmProd} onChange={(e) => setConfirmProd(e.target.checked)} /> I am applying this plan to <b>prod</b>
              </label>
            )}
            {replanning && <span className="muted">Planning again…</span>}
            <button type="button" className="primary" disabled={replanning || (plan.environment === 'prod' && !confirmProd)} onClick={() => void apply(plan)} data-testid="apply-plan">
              {applyLabel(plan)}
            </button>
          </>
        );
      }
      break;
    }
    case 'applying':
      body = (
        <>
          <p className="plan-headline">
            Applying to <code>{step.plan.environment}</code>…
          </p>
          <ApplyTracker progress={step.progress} />
        </>
      );
      footer = (
        <button type="button" onClick={cancel} disabled={step.cancelling} data-testid="cancel-apply">
          {step.cancelling ? 'Cancelling…' : '■ Cancel'}
        </button>
      );
      break;
    case 'applied':
      body = (
        <>
          <p className="plan-headline ok" role="status" data-testid="apply-done">
            ✓ {step.plan.virtualUpdate ? 'Virtual update applied' : 'Plan applied'} to <code>{step.plan.environment}</code>: {plural(step.result.backfilled.length, 'model')} backfilled, {plural(step.result.promotedViews, 'view')} promoted in {seconds(step.elapsedMs)}.
          </p>
          <ApplyTracker progress={step.progress} />
        </>
      );
      break;
    case 'stopped':
      body = (
        <>
          <p className={`plan-headline ${step.error.code === 'cancelled' ? '' : 'inline-error'}`} role="status" data-testid="apply-stopped">
            {step.error.code === 'cancelled'
              ? `■ Cancelled: \`${step.plan.environment}\` was left as it was (nothing promoted).`
              : step.error.code === 'audit_failed'
                ? `✕ ${step.error.message}`
                : `✕ The plan was not applied: ${step.error.message}`}
          </p>
          <LoadMissingTable client={client} error={step.error} then="plan again" onLoaded={() => void makePlan({ tests: true })} />
          <ApplyTracker progress={step.progress} />
        </>
      );
      break;
  }

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="plan-dialog" role="dialog" aria-modal="true" aria-label="Plan">
        <header className="plan-dialog-header">
          <strong>Plan</strong>
          <label className="field">
            Environment
            <input
              list="plan-environments"
              value={environment}
              onChange={(e) => setEnvironment(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !busy && validName) replan();
              }}
              disabled={busy}
              aria-label="Environment"
              aria-invalid={!validName}
              size={14}
            />
            <datalist id="plan-environments">
              {known.map((name) => (
                <option key={name} value={name} />
              ))}
            </datalist>
          </label>
          <label className="field" title={isProd ? 'prod always backfills from each model\'s start' : undefined}>
            Start
            <input type="date" value={isProd ? '' : start} onChange={(e) => setStart(e.target.value)} disabled={busy || isProd} aria-label="Start" />
          </label>
          <label className="field">
            End
            <input type="date" value={isProd ? '' : end} onChange={(e) => setEnd(e.target.value)} disabled={busy || isProd} aria-label="End" />
          </label>
          <label className="field">
            <input type="checkbox" checked={skipTests} onChange={(e) => setSkipTests(e.target.checked)} disabled={busy} /> Skip tests
          </label>
          <button type="button" onClick={replan} disabled={busy || !validName} data-testid="replan">
            {planned.current?.environment === environment.trim() ? 'Plan again' : `Plan ${environment.trim() || '…'}`}
          </button>
          <span className="spacer" />
          <button type="button" className="close" onClick={close} disabled={step.name === 'applying'} aria-label="Close the plan dialog">
            ✕
          </button>
        </header>
        {!validName && <p className="inline-error field-error">An environment name has letters, digits, _ and - only.</p>}
        <div className="plan-dialog-body">{body}</div>
        {footer && <footer className="plan-dialog-footer">{footer}</footer>}
      </div>
    </div>
  );
}

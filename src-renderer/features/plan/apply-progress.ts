/**
 * The stage tracker's state while a plan applies: folded from the plan and its `plan.progress`
 * events into the stages SQLMesh shows (tests, physical tables, backfill, audits, promotion),
 * each model's batches done out of planned with the time spent, and the audit results.
 */
import type { PlanProgressEvent, PlanView } from '../../../src-shared/modeling';

export type StageName = 'tests' | 'physical' | 'backfill' | 'audits' | 'promote';
export type StageStatus = 'pending' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled';

export interface ModelProgress {
  model: string;
  batches: number;
  done: number;
  elapsedMs: number;
  /** The last interval evaluated. */
  interval?: [string, string];
}

export interface ApplyProgress {
  stages: Record<StageName, StageStatus>;
  models: ModelProgress[];
  audits: { model: string; audit: string; failedRows: number; blocking: boolean }[];
  views: number | undefined;
}

export const STAGES: { name: StageName; label: string }[] = [
  { name: 'tests', label: 'Tests' },
  { name: 'physical', label: 'Physical tables' },
  { name: 'backfill', label: 'Backfill' },
  { name: 'audits', label: 'Audits' },
  { name: 'promote', label: 'Promote' },
];

export function initialProgress(plan: PlanView, tests: 'done' | 'skipped'): ApplyProgress {
  const nothing = plan.backfills.length === 0;
  return {
    stages: { tests, physical: nothing ? 'skipped' : 'running', backfill: nothing ? 'skipped' : 'pending', audits: nothing ? 'skipped' : 'pending', promote: nothing ? 'running' : 'pending' },
    models: plan.backfills.map((b) => ({ model: b.model, batches: b.batches ?? b.intervals.length, done: 0, elapsedMs: 0 })),
    audits: [],
    views: undefined,
  };
}

export function foldProgress(state: ApplyProgress, event: PlanProgressEvent): ApplyProgress {
  switch (event.stage) {
    case 'physical':
      return { ...state, stages: { ...state.stages, physical: 'running', backfill: 'running' } };
    case 'backfill': {
      const models = state.models.map((m) =>
        m.model === event.model ? { ...m, done: event.batch, batches: event.batches, elapsedMs: m.elapsedMs + event.elapsedMs, interval: event.interval } : m,
      );
      const allDone = models.every((m) => m.done >= m.batches);
      return {
        ...state,
        models,
        stages: { ...state.stages, physical: allDone ? 'done' : 'running', backfill: allDone ? 'done' : 'running', audits: allDone ? 'done' : state.stages.audits === 'pending' ? 'running' : state.stages.audits, promote: allDone ? 'running' : 'pending' },
      };
    }
    case 'audit':
      return {
        ...state,
        audits: [...state.audits, { model: event.model, audit: event.audit, failedRows: event.failedRows, blocking: event.blocking }],
        stages: { ...state.stages, audits: event.failedRows > 0 && event.blocking ? 'failed' : state.stages.audits === 'pending' ? 'running' : state.stages.audits },
      };
    case 'lock':
      // A stale lock taken over: the apply goes on as usual (the notice shows in the log).
      return state;
    case 'promote':
      return {
        ...state,
        views: event.views,
        stages: {
          ...state.stages,
          physical: state.stages.physical === 'skipped' ? 'skipped' : 'done',
          backfill: state.stages.backfill === 'skipped' ? 'skipped' : 'done',
          audits: state.stages.audits === 'skipped' ? 'skipped' : 'done',
          promote: 'done',
        },
      };
  }
}

/** Marks the stage that was running as stopped (cancelled or failed). */
export function stopProgress(state: ApplyProgress, status: 'cancelled' | 'failed'): ApplyProgress {
  const stages = { ...state.stages };
  for (const { name } of STAGES) if (stages[name] === 'running' || stages[name] === 'pending') stages[name] = stages[name] === 'running' ? status : 'skipped';
  return { ...state, stages };
}

/** Shared shapes of the modeling engine in the contract: project info, plans, runs, tests. */

export interface DiagnosticView {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface ProjectInfoView {
  root: string;
  gateway: string | null;
  warehouse: string;
  models: { name: string; kind: string; file: string }[];
  environments: { name: string; models: number; expiresAt: string | null }[];
  tests: number;
  /** Audits models declare plus standalone audits (audits/ files and inline blocks). */
  audits?: number;
  diagnostics: DiagnosticView[];
}

export type ChangeKind = 'added' | 'removed' | 'directly_modified' | 'indirectly_modified' | 'metadata';
export type ChangeCategory = 'breaking' | 'non_breaking' | 'forward_only' | 'indirect_breaking' | 'indirect_non_breaking' | 'metadata';

/** A plan as `pas plan --json` prints it, plus what a dialog needs to show and apply it. */
export interface PlanView {
  planId: string;
  environment: string;
  createdFrom: string | null;
  /** The plan the environment was at when this plan was made (null: a new environment). */
  previousPlanId?: string | null;
  changes: {
    model: string;
    change: ChangeKind;
    category: ChangeCategory | null;
    diff?: string;
    /** Directly modified: the query as written in the environment's version and in the project, for a side-by-side diff. */
    before?: string;
    after?: string;
    /** Directly modified: the same queries rendered (macros expanded). */
    beforeRendered?: string;
    afterRendered?: string;
    /** Directly modified: the categories the user may choose (re-plan with `categories`). */
    allowedCategories?: ('breaking' | 'non_breaking')[];
    /** Directly modified: the models downstream that change with it. */
    children?: string[];
    /** Indirectly modified: the changed model's upstream models. */
    parents?: string[];
  }[];
  backfills: {
    model: string;
    refresh: 'incremental' | 'full' | 'view' | 'seed';
    intervals: [string, string][];
    /** How many batches the backfill runs in. */
    batches?: number;
  }[];
  virtualUpdate: boolean;
  /** The backfill range asked for (dev environments), as dates. */
  start?: string | null;
  end?: string | null;
}

export interface ApplyView {
  environment: string;
  backfilled: { model: string; batches: number }[];
  audits: { audit: string; model?: string; blocking: boolean; failedRows: number }[];
  promotedViews: number;
}

export interface RunView {
  environment: string;
  evaluated: { model: string; intervals: [string, string][] }[];
  message?: string;
  /** What the janitor removed before the run (absent when it was skipped). */
  janitor?: { droppedEnvironments: string[]; droppedTables: string[] };
}

export interface TestReportView {
  passed: string[];
  failed: { test: string; file: string; line: number; message: string; diff?: string }[];
  elapsedMs: number;
}

/** Stages of applying a plan, streamed as `plan.progress`. */
export type PlanProgressEvent =
  | { requestId: string; stage: 'physical'; model: string }
  | { requestId: string; stage: 'backfill'; model: string; batch: number; batches: number; interval: [string, string]; elapsedMs: number }
  | { requestId: string; stage: 'audit'; model: string; audit: string; failedRows: number; blocking: boolean }
  | { requestId: string; stage: 'promote'; environment: string; views: number }
  | { requestId: string; stage: 'lock'; environment: string; message: string };

/**
 * The environments part of the contract: listing environments with their model versions,
 * comparing two, invalidating one, the janitor, table diffs between environments (or an
 * environment and the project's local version of a model), and the column-level impact of a
 * directly modified model. `environments.changed` is announced whenever an environment changes
 * through the engine (a plan applied, an invalidation, the janitor).
 */
import { z } from 'zod';
import type { ChangeCategory } from './modeling';
import type { Cell, QueryResultHandle } from './values';

const environmentName = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');
const modelName = z.string().min(1).max(500);

export const environmentMethodParams = {
  /** Every environment with its model versions, when and by whom it was last applied, its expiry. */
  'env.list': z.object({}).strict(),
  /** Models whose versions differ between environments `a` and `b`, and those only in one. */
  'env.compare': z.object({ a: environmentName, b: environmentName }).strict(),
  /** Marks a dev environment expired, so the next janitor removes it. */
  'env.invalidate': z.object({ environment: environmentName }).strict(),
  /** Drops expired environments and tables no environment uses (`ignoreTtl`: every unused one now). */
  'env.janitor': z.object({ ignoreTtl: z.boolean().optional() }).strict(),
  /**
   * How a model's table differs between `source` and `target` environments, or (with `local`)
   * between `source` and the project's current query of the model evaluated over `source`'s
   * upstream tables. `grid` also returns the changed rows as a pageable result.
   */
  'env.tableDiff': z
    .object({
      source: environmentName,
      target: environmentName.optional(),
      local: z.boolean().optional(),
      model: modelName,
      limit: z.number().int().min(0).max(1000).optional(),
      grid: z.boolean().optional(),
    })
    .strict()
    .refine((p) => (p.target === undefined) === (p.local === true), { message: 'give either a target environment or local: true', path: ['target'] }),
  /** Which downstream columns a directly modified model's change reaches, through column lineage. */
  'env.impact': z
    .object({ environment: environmentName, model: modelName, category: z.enum(['breaking', 'non_breaking', 'forward_only']).optional() })
    .strict(),
} as const;

export interface EnvironmentModelView {
  model: string;
  /** Names the physical table; shared by environments that use the same data. */
  version: string;
  /** The snapshot's fingerprint identifier (changes with metadata too). */
  fingerprint: string;
  kind: string;
  category: ChangeCategory | null;
  /** Whether this version differs from the one prod uses (false in prod itself). */
  differsFromProd: boolean;
}

export interface EnvironmentView {
  name: string;
  planId: string;
  previousPlanId: string | null;
  appliedAt: string | null;
  /** `user@host` of whoever applied the last plan, when recorded. */
  appliedBy: string | null;
  plannedAt: string | null;
  expiresAt: string | null;
  expired: boolean;
  /** The backfill range of a dev environment (null: from each model's start / up to now). */
  start: string | null;
  end: string | null;
  models: EnvironmentModelView[];
}

export interface EnvironmentCompareView {
  a: string;
  b: string;
  changed: { model: string; a: { version: string; kind: string }; b: { version: string; kind: string } }[];
  onlyInA: { model: string; version: string; kind: string }[];
  onlyInB: { model: string; version: string; kind: string }[];
  same: number;
}

export interface TableDiffView {
  model: string;
  source: { label: string; rows: number };
  target: { label: string; rows: number };
  /** The columns rows are matched on: the model's grain, or null when it has none (whole rows). */
  grain: string[] | null;
  schema: {
    added: { column: string; type: string }[];
    removed: { column: string; type: string }[];
    modified: { column: string; from: string; to: string }[];
  };
  rows: {
    onlyInSource: number;
    onlyInTarget: number;
    /** Rows matched on the grain whose other shared columns differ. */
    changed: number;
    /** Per shared non-grain column: how many matched rows differ in it. */
    changedValues: Record<string, number>;
  };
  /** A sample of changed rows: the grain, then each changed column's source and target values side by side. */
  sample: { columns: string[]; rows: Cell[][] };
  /** The same changed rows as a pageable result (when asked with `grid`). */
  sampleResult?: QueryResultHandle;
}

export type ColumnChange = 'added' | 'removed' | 'modified' | 'rows';

export interface ImpactView {
  model: string;
  environment: string;
  category: ChangeCategory | null;
  /** The model's changed columns (`rows`: the expression is the same but a breaking change may change its rows). */
  columns: { column: string; change: ColumnChange; downstream: { model: string; column: string }[] }[];
  /** Downstream models reached, with how many of their columns. */
  models: { model: string; columns: number }[];
  /** Set when lineage cannot say (a TypeScript model, a query that does not parse). */
  note?: string;
}

export interface EnvironmentMethodResults {
  'env.list': { environments: EnvironmentView[] };
  'env.compare': EnvironmentCompareView;
  'env.invalidate': { environment: string; expiresAt: string };
  'env.janitor': { droppedEnvironments: string[]; droppedTables: string[] };
  'env.tableDiff': TableDiffView;
  'env.impact': ImpactView;
}

export interface EnvironmentEventPayloads {
  /** An environment changed through the engine: a plan was applied, it was invalidated, or the janitor dropped it. */
  'environments.changed': { environment: string; change: 'promoted' | 'invalidated' | 'deleted' };
}

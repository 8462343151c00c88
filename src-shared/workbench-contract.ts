/**
 * The modeling workbench's part of the contract: the project explorer's tree (models with
 * kinds, columns and status, plus audits, tests, seeds, pipelines and external models), the
 * problems of a file as the editor holds it (unsaved text included), the rendered SQL of unsaved
 * text, the live preview with its column profile, and saving a file inside the project.
 */
import { z } from 'zod';
import type { QueryResultHandle } from './values';
import type { ProblemView } from './problems-contract';

const environment = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');
const projectPath = z.string().min(1).max(1000);
const fileText = z.string().max(5_000_000);
const previewSession = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

/** Most rows a preview returns. */
export const MAX_PREVIEW_ROWS = 10_000;

export const workbenchMethodParams = {
  /** Everything the explorer shows, with each model's status against `environment` (prod by default). */
  'workbench.tree': z.object({ environment: environment.optional() }).strict(),
  /**
   * The problems of one project file: with `text`, of that unsaved text (header mistakes, macro
   * errors, DuckDB parse errors, unknown models and columns); the one method the editor asks.
   */
  'workbench.problems': z.object({ path: projectPath, text: fileText.optional(), environment: environment.optional() }).strict(),
  /** The model's SQL with macros expanded, from the (unsaved) text. */
  'workbench.render': z.object({ path: projectPath, text: fileText }).strict(),
  /**
   * Runs a model from its unsaved text with a row cap; upstream models are read from the
   * environment, or inlined from their own SQL when never built there. Cancel to stop it.
   */
  'workbench.preview': z
    .object({
      path: projectPath,
      text: fileText,
      environment: environment.optional(),
      limit: z.number().int().min(1).max(MAX_PREVIEW_ROWS).optional(),
      /** The client's preview session: its last preview is what `workbench.profile` profiles. */
      session: previewSession,
    })
    .strict(),
  /** A profile of each column of the session's last preview rows. */
  'workbench.profile': z.object({ session: previewSession }).strict(),
  /** Writes a text file inside the project folder (never outside it). */
  'workbench.save': z.object({ path: projectPath, text: fileText }).strict(),
} as const;

export type WorkbenchItemType = 'model' | 'audit' | 'test' | 'seed' | 'pipeline' | 'external' | 'config';

/** Where a model stands against the selected environment. */
export interface ModelStatus {
  /** Its current definition differs from (or is missing in) the environment. */
  changed: boolean;
  /** Never built: the environment has no table or view for it. */
  neverBuilt: boolean;
  /** Errors / warnings in its file. */
  errors: number;
  warnings: number;
}

export interface WorkbenchColumn {
  name: string;
  /** DuckDB type, when known (built, declared, or bound from the SQL). */
  type?: string;
  description?: string;
}

export interface WorkbenchModel {
  name: string;
  /** `schema` of `schema.table`. */
  schema: string;
  /** Folder of its file under `models/` (e.g. `marts`), '' at the top. */
  folder: string;
  file: string;
  kind: string;
  source: 'sql' | 'typescript' | 'external';
  description?: string;
  columns: WorkbenchColumn[];
  /** Upstream models of the project. */
  parents: string[];
  status: ModelStatus;
}

export interface WorkbenchItem {
  type: Exclude<WorkbenchItemType, 'model'>;
  name: string;
  file: string;
}

export interface WorkbenchTree {
  projectDir: string;
  environment: string;
  /** Environments that exist, for the selector. */
  environments: string[];
  models: WorkbenchModel[];
  items: WorkbenchItem[];
  /** Macro names usable in models (built-ins), for completion. */
  macros: string[];
}

/** A problem at its place in a file: the same shape `project.problems` gives. */
export type WorkbenchProblem = ProblemView;

export interface PreviewResult {
  handle: QueryResultHandle;
  model: string;
  /** The query that ran (rendered, upstream inlined), for "show the SQL". */
  sql: string;
  /** True when the cap cut the rows. */
  capped: boolean;
  /** Upstream models that were inlined from their SQL because they were never built. */
  inlined: string[];
}

export interface ColumnProfile {
  name: string;
  type: string;
  nullShare: number;
  distinct: number;
  min?: string;
  max?: string;
  /** Histogram bins (numeric and temporal columns) or top values (others): label and count. */
  bars: { label: string; count: number }[];
  barsKind: 'histogram' | 'top';
}

export interface ProfileResult {
  rows: number;
  columns: ColumnProfile[];
}

export interface WorkbenchMethodResults {
  'workbench.tree': WorkbenchTree;
  'workbench.problems': { problems: WorkbenchProblem[] };
  'workbench.render': { model: string; sql: string };
  'workbench.preview': PreviewResult;
  'workbench.profile': ProfileResult;
  'workbench.save': { path: string; bytes: number };
}

export const workbenchLongRunning = ['workbench.preview', 'workbench.profile'] as const;

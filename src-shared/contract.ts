/**
 * The one contract between the engine and every client (Electron renderer, browser,
 * CLI, tests): each method's params (a zod schema, validated on the main side), each
 * method's result type, and each event topic's payload.
 *
 * Adding a method means adding an entry to `methodParams` and to `MethodResults`;
 * the service's handler table is typed from these, so a missing handler fails the
 * type check.
 */
import { z } from 'zod';
import { cliMethodParams, type CliMethodResults } from './cli-contract';
import type { IngestProgressEvent, IngestRunResult, PipelineInfoView, PipelineSummary } from './ingest';
import type { LakeOverview } from './lake';
import type { ApplyView, PlanProgressEvent, PlanView, ProjectInfoView, RunView, TestReportView } from './modeling';
import type { LineageModelSummary, LineageView } from './lineage';
import { resultsLongRunningMethods, resultsMethodParams, type ResultsMethodResults } from './results-contract';
import { problemsMethodParams, type ProblemsMethodResults } from './problems-contract';
import type { ColumnInfo, QueryResultHandle, ResultPage } from './values';
import { environmentMethodParams, type EnvironmentEventPayloads, type EnvironmentMethodResults } from './environments-contract';
import { projectsMethodParams, projectsTopicNames, type ProjectsEventPayloads, type ProjectsMethodResults } from './projects-contract';
import { workbenchLongRunning, workbenchMethodParams, type WorkbenchMethodResults } from './workbench-contract';

/** Largest window a client may ask for in one page. */
export const MAX_PAGE_ROWS = 50_000;

const sessionId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

export const methodParams = {
  'app.info': z.object({}).strict(),
  'sql.dialect': z.object({}).strict(),
  'query.run': z
    .object({
      sql: z.string().min(1, 'the SQL text is empty').max(5_000_000),
      /** Console session: statements in one session share temp objects and settings. */
      session: sessionId.optional(),
    })
    .strict(),
  'query.page': z
    .object({
      resultId: z.string().min(1),
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(MAX_PAGE_ROWS),
    })
    .strict(),
  'query.close': z.object({ resultId: z.string().min(1) }).strict(),
  'session.close': z.object({ session: sessionId }).strict(),
  'lineage.models': z.object({}).strict(),
  'lineage.graph': z
    .object({
      model: z.string().min(1).max(500),
      column: z.string().min(1).max(500).optional(),
      upstream: z.number().int().min(0).max(100),
      downstream: z.number().int().min(0).max(100),
    })
    .strict(),
  'lake.overview': z.object({}).strict(),
  /** Runs `SELECT *` on a lake table, at its latest snapshot or an older one; the result pages like a query's. */
  'lake.query': z
    .object({
      schema: z.string().min(1).max(500),
      table: z.string().min(1).max(500),
      snapshot: z.number().int().min(0).optional(),
    })
    .strict(),
  'ingest.pipelines': z.object({}).strict(),
  'ingest.run': z.object({ pipeline: z.string().min(1).max(200) }).strict(),
  'ingest.info': z.object({ pipeline: z.string().min(1).max(200) }).strict(),
  /** Forgets a pipeline's state (cursors), so its next run starts over; optionally drops its tables. */
  'ingest.drop': z.object({ pipeline: z.string().min(1).max(200), dropTables: z.boolean().optional() }).strict(),
  'project.info': z.object({}).strict(),
  'project.render': z
    .object({ model: z.string().min(1).max(500), start: z.string().max(40).optional(), end: z.string().max(40).optional() })
    .strict(),
  'project.test': z.object({ pattern: z.string().max(200).optional() }).strict(),
  /** Builds a plan against an environment; nothing is written until `plan.apply`. */
  'plan.create': z
    .object({
      environment: z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').optional(),
      start: z.string().max(40).optional(),
      end: z.string().max(40).optional(),
      forwardOnly: z.boolean().optional(),
      restateModels: z.array(z.string().min(1).max(500)).max(1000).optional(),
      /** The user's category for directly modified models. */
      categories: z.record(z.string(), z.enum(['breaking', 'non_breaking'])).optional(),
      /** Plan as of this time (ISO); now by default. */
      executionTime: z.iso.datetime({ offset: true }).optional(),
    })
    .strict(),
  'plan.apply': z.object({ planId: z.string().uuid() }).strict(),
  /** Runs the janitor (unless `skipJanitor`), then the models whose cron has elapsed, as `pas run` does. */
  'plan.run': z.object({ environment: z.string().min(1).max(100).optional(), executionTime: z.iso.datetime({ offset: true }).optional(), skipJanitor: z.boolean().optional() }).strict(),
  /** A project file's text; `path` is relative to the project folder and cannot leave it. */
  'project.file': z.object({ path: z.string().min(1).max(1000) }).strict(),
  ...environmentMethodParams,
  ...resultsMethodParams,
  ...workbenchMethodParams,
  ...problemsMethodParams,
  ...cliMethodParams,
  ...projectsMethodParams,
} as const;

export interface AppInfo {
  name: string;
  version: string;
  projectDir: string;
  duckdbVersion: string;
}

export interface SqlDialect {
  keywords: string[];
  functions: string[];
  types: string[];
}

export interface MethodResults extends EnvironmentMethodResults, ResultsMethodResults, WorkbenchMethodResults, ProblemsMethodResults, CliMethodResults, ProjectsMethodResults {
  'app.info': AppInfo;
  'sql.dialect': SqlDialect;
  'query.run': QueryResultHandle;
  'query.page': ResultPage;
  'query.close': { closed: boolean };
  'session.close': { closed: boolean };
  'lineage.models': { models: LineageModelSummary[] };
  'lineage.graph': LineageView;
  'project.file': { path: string; text: string };
  'lake.overview': LakeOverview;
  'lake.query': QueryResultHandle;
  'ingest.pipelines': { pipelines: PipelineSummary[] };
  'ingest.run': IngestRunResult;
  'ingest.info': PipelineInfoView;
  'ingest.drop': { dropped: boolean };
  'project.info': ProjectInfoView;
  'project.render': { sql: string };
  'project.test': TestReportView;
  'plan.create': PlanView;
  'plan.apply': ApplyView;
  'plan.run': RunView;
}

export type MethodName = keyof typeof methodParams & keyof MethodResults;
export type MethodParams<M extends MethodName> = z.input<(typeof methodParams)[M]>;
export type ValidParams<M extends MethodName> = z.output<(typeof methodParams)[M]>;
export type MethodResult<M extends MethodName> = MethodResults[M];

export const methodNames = Object.keys(methodParams) as MethodName[];

/** Methods that may take long: they report `progress` events and are worth a Cancel button. */
export const longRunningMethods: ReadonlySet<MethodName> = new Set<MethodName>(['query.run', 'lake.query', 'ingest.run', 'plan.create', 'plan.apply', 'plan.run', 'project.test', 'env.tableDiff', 'env.janitor', ...resultsLongRunningMethods, ...workbenchLongRunning, 'project.evaluate', 'project.audit']);

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(methodParams, value);
}

/** Stages a long call reports through the `progress` topic. */
export type ProgressStage = 'started' | 'running' | 'finished' | 'failed' | 'cancelled';

export interface EventPayloads extends EnvironmentEventPayloads, ProjectsEventPayloads {
  /** Progress of one long call, keyed by the request id the client chose. */
  progress: {
    requestId: string;
    method: MethodName;
    stage: ProgressStage;
    /** 0..1 when the work knows its size. */
    fraction?: number;
    message?: string;
  };
  /** Stages and batches of a plan being applied. */
  'plan.progress': PlanProgressEvent;
  /** Pages, rows and bytes of a running ingestion, several times a second. */
  'ingest.progress': IngestProgressEvent;
  /** The project's files changed and were reloaded; `recomputed` lists models whose lineage changed. */
  'project.changed': { recomputed: string[]; errors: number };
  /** Engine log lines worth showing to the user. */
  log: { level: 'debug' | 'info' | 'warn' | 'error'; message: string; time: string };
}

export type TopicName = keyof EventPayloads;
export const topicNames: TopicName[] = ['progress', 'plan.progress', 'ingest.progress', 'project.changed', 'log', 'environments.changed', ...projectsTopicNames];

export function isTopicName(value: unknown): value is TopicName {
  return typeof value === 'string' && (topicNames as string[]).includes(value);
}

export type { ColumnInfo };

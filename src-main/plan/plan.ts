/**
 * Building a plan: the project's graph compared with an environment in the state store.
 * Each model is added, removed, directly or indirectly modified, metadata-only or unchanged;
 * changes get categories as SQLMesh gives them (overridable per model); each snapshot of the
 * new environment gets its version (new, or reused for metadata, indirect non-breaking and
 * forward-only changes); and missing intervals become backfills. Nothing is written here.
 */
import { randomUUID } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { Diagnostic } from '../project/diagnostics';
import type { ModelDefinition } from '../project/model';
import type { Project } from '../project/project';
import { toMillis } from '../project/render/time-vars';
import type { SelectStatementAst } from '../sql/ast';
import type { SqlParser } from '../sql/parse';
import type { ChangeCategory, EnvironmentRecord, SnapshotRecord } from '../state/records';
import type { StateStore } from '../state/store';
import { categorizeQueryChange } from './categorize';
import type { GraphNode, ProjectGraph } from './graph';
import {
  displayRange,
  expectedIntervals,
  intervalUnit,
  mergeIntervals,
  missingIntervals,
  parseTime,
  type Interval,
  type IntervalUnit,
} from './intervals';
import { normalizeEnvironment, PROD } from './naming';

export type ChangeKind = 'added' | 'removed' | 'directly_modified' | 'indirectly_modified' | 'metadata';

export interface PlanChange {
  model: string;
  change: ChangeKind;
  category: ChangeCategory | null;
  /** Unified diff of the rendered query, for directly modified models. */
  diff?: string;
  /** The query as written (else rendered) in the environment and in the project, for directly modified models. */
  before?: string;
  after?: string;
  /** The rendered query in the environment and in the project, for directly modified models. */
  beforeRendered?: string;
  afterRendered?: string;
  /** Categories the user may choose for a directly modified model (forward-only is not a choice here). */
  allowedCategories?: ('breaking' | 'non_breaking')[];
}

export type RefreshKind = 'incremental' | 'full' | 'view' | 'seed';

export interface Backfill {
  model: string;
  version: string;
  unit: IntervalUnit;
  refresh: RefreshKind;
  /** Missing intervals, merged into ranges. */
  intervals: Interval[];
}

export interface PlannedSnapshot {
  record: SnapshotRecord;
  /** True when the record is not in the state store yet. */
  isNew: boolean;
  /** Whether the environment gets a view for it (dev environments only view changed models). */
  promoted: boolean;
}

export interface Plan {
  planId: string;
  environment: string;
  /** The plan id of the environment this plan was made against (null: new environment). */
  previousPlanId: string | null;
  /** Set when a new dev environment starts from prod. */
  createdFrom: string | null;
  changes: PlanChange[];
  snapshots: PlannedSnapshot[];
  removed: string[];
  backfills: Backfill[];
  restatements: { model: string; version: string; range: Interval }[];
  virtualUpdate: boolean;
  start: number;
  end: number | undefined;
  executionTime: number;
  /** When the plan was made. */
  plannedTs?: number;
  diagnostics: Diagnostic[];
}

export interface PlanOptions {
  environment?: string;
  start?: string | number;
  end?: string | number;
  executionTime?: number;
  forwardOnly?: boolean;
  restateModels?: string[];
  /** Category chosen by the user for directly modified models. */
  categories?: Record<string, 'breaking' | 'non_breaking'>;
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

const UNMATERIALIZED = new Set(['EXTERNAL']);

function refreshKind(model: ModelDefinition): RefreshKind {
  switch (model.kind.name) {
    case 'VIEW':
      return model.kind.materialized ? 'full' : 'view';
    case 'SEED':
      return 'seed';
    case 'INCREMENTAL_BY_TIME_RANGE':
    case 'INCREMENTAL_BY_UNIQUE_KEY':
    case 'INCREMENTAL_BY_PARTITION':
    case 'INCREMENTAL_UNMANAGED':
    case 'SCD_TYPE_2_BY_TIME':
    case 'SCD_TYPE_2_BY_COLUMN':
      return 'incremental';
    default:
      return 'full';
  }
}

function isForwardOnlyKind(model: ModelDefinition): boolean {
  return 'forwardOnly' in model.kind && model.kind.forwardOnly === true;
}

/** A SQL model's query as written in its file (macros unexpanded). */
function sourceQuery(model: ModelDefinition | undefined): string | undefined {
  return model?.source === 'sql' && model.query ? model.query.sql.trim() : undefined;
}

/** The serialized form kept in state: what apply and run need to evaluate the model later. */
function nodePayload(node: GraphNode): unknown {
  return { query: node.query ?? null, parents: node.parents, model: node.model };
}

export async function buildPlan(
  project: Project,
  graph: ProjectGraph,
  state: StateStore,
  parser: SqlParser,
  options: PlanOptions = {},
): Promise<Plan> {
  const environment = normalizeEnvironment(options.environment ?? PROD);
  const errors = graph.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new PlanError(`The project has ${errors.length} error(s); fix them before planning:\n${errors.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n')}`);
  }
  const isProd = environment === PROD;
  if (isProd && (options.start !== undefined || options.end !== undefined) && !options.restateModels?.length) {
    throw new PlanError('--start and --end apply to dev environments (or restatements); prod always backfills from each model\'s start.');
  }
  const executionTime = options.executionTime ?? Date.now();
  const existing = await state.getEnvironment(environment);
  const base: EnvironmentRecord | undefined = existing ?? (isProd ? undefined : await state.getEnvironment(PROD));
  const baseSnapshots = new Map((base?.snapshots ?? []).map((s) => [s.name, s]));
  const baseRecords = await state.getSnapshots(base?.snapshots ?? []);
  const recordOf = (name: string) => {
    const s = baseSnapshots.get(name);
    return s ? baseRecords.get(`${s.name}\u0000${s.identifier}`) : undefined;
  };

  // Previous queries, parsed in one batch, for categorizing direct changes.
  const previousTrees = new Map<string, SelectStatementAst[]>();
  const toParse = graph.order.filter((name) => {
    const prev = recordOf(name);
    const node = graph.nodes.get(name);
    return prev && node && prev.identifier !== node.identifier && typeof (prev.node as { query?: unknown })?.query === 'string';
  });
  const parsed = await parser.parseMany(toParse.map((name) => String((recordOf(name)?.node as { query: string }).query)));
  toParse.forEach((name, i) => {
    const result = parsed[i];
    if (result?.ok) previousTrees.set(name, result.statements);
  });

  const changes = new Map<string, PlanChange>();
  for (const name of graph.order) {
    const node = graph.nodes.get(name);
    if (!node) continue;
    // An external model is a table someone else maintains: never added, changed or built here.
    if (UNMATERIALIZED.has(node.model.kind.name)) continue;
    const prev = recordOf(name);
    if (!prev) {
      changes.set(name, { model: name, change: 'added', category: 'breaking' });
      continue;
    }
    if (prev.identifier === node.identifier) continue;
    const dataChanged = prev.fingerprint.data !== node.fingerprint.data;
    const metadataChanged = prev.fingerprint.metadata !== node.fingerprint.metadata;
    const parentsChanged = prev.fingerprint.parentData !== node.fingerprint.parentData;
    if (dataChanged) {
      const override = options.categories?.[name];
      const prevModel = (prev.node as { model?: ModelDefinition })?.model;
      const prevKind = prevModel?.kind?.name;
      const previousTree = previousTrees.get(name);
      // SQLMesh: only a change that adds projections may be non-breaking; any may be breaking.
      const automatic = prevKind !== node.model.kind.name || !previousTree || !node.statements ? 'breaking' : categorizeQueryChange(previousTree, node.statements);
      const forwardOnly = options.forwardOnly === true || isForwardOnlyKind(node.model);
      if (!forwardOnly && override === 'non_breaking' && automatic === 'breaking') {
        throw new PlanError(`${name} cannot be non-breaking: its change does more than add columns, so its children must be rebuilt.`);
      }
      const category: ChangeCategory = forwardOnly ? 'forward_only' : (override ?? automatic);
      const before = String((prev.node as { query?: unknown })?.query ?? '');
      const diff = createTwoFilesPatch(`${name} (${environment})`, `${name} (local)`, `${before}\n`, `${node.query ?? ''}\n`, undefined, undefined, { context: 3 });
      changes.set(name, {
        model: name,
        change: 'directly_modified',
        category,
        diff: diff.split('\n').slice(2).join('\n'),
        before: sourceQuery(prevModel) ?? before,
        after: sourceQuery(node.model) ?? node.query ?? '',
        beforeRendered: before,
        afterRendered: node.query ?? '',
        allowedCategories: forwardOnly ? [] : automatic === 'non_breaking' ? ['breaking', 'non_breaking'] : ['breaking'],
      });
    } else if (parentsChanged) {
      changes.set(name, { model: name, change: 'indirectly_modified', category: null });
    } else if (metadataChanged) {
      changes.set(name, { model: name, change: 'metadata', category: 'metadata' });
    } else {
      changes.set(name, { model: name, change: 'indirectly_modified', category: 'metadata' });
    }
  }
  // Indirect categories, parents first.
  for (const name of graph.order) {
    const change = changes.get(name);
    if (!change || change.change !== 'indirectly_modified' || change.category !== null) continue;
    const parentCategories = (graph.nodes.get(name)?.parents ?? []).map((p) => changes.get(p)?.category).filter((c): c is ChangeCategory => !!c);
    change.category = parentCategories.some((c) => c === 'breaking' || c === 'indirect_breaking')
      ? 'indirect_breaking'
      : parentCategories.length > 0 && parentCategories.every((c) => c === 'metadata')
        ? 'metadata'
        : parentCategories.length > 0 && parentCategories.every((c) => c === 'forward_only')
          ? 'forward_only'
          : 'indirect_non_breaking';
  }
  const removed = [...baseSnapshots.keys()].filter((name) => !graph.nodes.has(name)).sort();
  const planChanges: PlanChange[] = [
    ...[...changes.values()],
    ...removed.map((model) => ({ model, change: 'removed' as const, category: null })),
  ];

  // Versions and snapshot records of the new environment.
  const known = await state.getSnapshots(graph.order.map((name) => ({ name, identifier: graph.nodes.get(name)?.identifier ?? '' })));
  const now = Date.now();
  const snapshots: PlannedSnapshot[] = [];
  for (const name of graph.order) {
    const node = graph.nodes.get(name);
    if (!node) continue;
    const change = changes.get(name);
    const prev = recordOf(name);
    const stored = known.get(`${name}\u0000${node.identifier}`);
    const reuseVersion = change && prev && ['metadata', 'indirect_non_breaking', 'forward_only'].includes(change.category ?? '');
    const record: SnapshotRecord = stored ?? {
      name,
      identifier: node.identifier,
      version: reuseVersion && prev ? prev.version : !change && prev ? prev.version : node.version,
      fingerprint: node.fingerprint,
      changeCategory: change?.category ?? null,
      forwardOnly: change?.category === 'forward_only',
      parents: node.parents.map((p) => ({ name: p, identifier: graph.nodes.get(p)?.identifier ?? '' })),
      node: nodePayload(node),
      createdTs: now,
      updatedTs: now,
      ttlMs: project.config.snapshotTtlMs,
    };
    const promoted = isProd || change !== undefined;
    snapshots.push({ record, isNew: !stored && !(prev && prev.identifier === node.identifier), promoted });
  }

  // Restatements: the selected models and everything downstream.
  const restated = new Set<string>();
  for (const selector of options.restateModels ?? []) {
    const name = selector.toLowerCase();
    if (!graph.nodes.has(name)) throw new PlanError(`--restate-model ${selector}: no such model in the project.`);
    restated.add(name);
  }
  for (const name of graph.order) {
    if ((graph.nodes.get(name)?.parents ?? []).some((p) => restated.has(p))) restated.add(name);
  }

  const defaultStart = project.config.modelDefaults?.start;
  const planStart = options.start !== undefined ? parseTime(options.start) : undefined;
  const planEnd = options.end !== undefined ? parseTime(options.end) + (typeof options.end === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(options.end.trim()) ? 86_400_000 : 0) : undefined;
  const backfills: Backfill[] = [];
  const restatements: Plan['restatements'] = [];
  // By version: a new snapshot that reuses a version (metadata, forward-only) has its intervals.
  const processed = await state.intervalsOf(snapshots.map((s) => s.record));
  for (const planned of snapshots) {
    const node = graph.nodes.get(planned.record.name);
    if (!node || UNMATERIALIZED.has(node.model.kind.name)) continue;
    const model = node.model;
    const modelStart = toMillis(model.start ?? defaultStart ?? executionTime - 86_400_000);
    const start = Math.max(modelStart, planStart ?? modelStart);
    const modelEnd = model.end !== undefined ? toMillis(model.end) : undefined;
    const end = [modelEnd, planEnd].filter((x): x is number => x !== undefined).reduce<number | undefined>((a, b) => (a === undefined ? b : Math.min(a, b)), undefined);
    const unit = intervalUnit(model.cron);
    const expected = expectedIntervals({ cron: model.cron, start, ...(end !== undefined ? { end } : {}), executionTime });
    const refresh = refreshKind(model);
    let done = processed.get(`${planned.record.name}\u0000${planned.record.version}`) ?? [];
    if (restated.has(planned.record.name) && expected.length > 0) {
      const range: Interval = [expected[0]?.[0] ?? start, expected[expected.length - 1]?.[1] ?? start];
      restatements.push({ model: planned.record.name, version: planned.record.version, range });
      done = [];
    }
    // A loaded seed version is complete (SQLMesh's rule): its CSV is its data, whatever the dates.
    if (refresh === 'seed' && done.length > 0 && !restated.has(planned.record.name)) continue;
    let missing = missingIntervals(expected, done);
    if (missing.length === 0) continue;
    if (refresh !== 'incremental') missing = [[expected[0]?.[0] ?? start, expected[expected.length - 1]?.[1] ?? start]];
    backfills.push({ model: planned.record.name, version: planned.record.version, unit, refresh, intervals: mergeIntervals(missing) });
  }

  return {
    planId: randomUUID(),
    environment,
    previousPlanId: existing?.planId ?? null,
    createdFrom: !existing && !isProd && base ? PROD : null,
    changes: planChanges,
    snapshots,
    removed,
    backfills,
    restatements,
    virtualUpdate: backfills.length === 0,
    start: planStart ?? 0,
    end: planEnd,
    executionTime,
    plannedTs: Date.now(),
    diagnostics: graph.diagnostics,
  };
}

/** The plan as `pas plan --json` prints it. */
export function planJson(plan: Plan, applied: boolean) {
  return {
    environment: plan.environment,
    changes: plan.changes.map((c) => ({ model: c.model, change: c.change, category: c.category })),
    backfills: plan.backfills.map((b) => ({ model: b.model, intervals: b.intervals.map((i) => displayRange(i, b.unit)) })),
    virtual_update: plan.virtualUpdate,
    applied,
  };
}

/**
 * Applying a plan, in SQLMesh's stages: take the environment's plan lock; record the new
 * snapshots; create physical tables of new versions; backfill missing intervals parents-first
 * in batches, auditing each batch (a failing blocking audit stops here, before anything is
 * promoted); then promote: swap the environment's views and write its record (refused if another
 * plan changed the environment meanwhile). The lock is released whatever happens.
 */
import type { ModelDefinition } from '../project/model';
import type { Project } from '../project/project';
import { renderModel } from '../project/render/render-model';
import { runEnvironmentStatements } from './environment-statements';
import type { SqlParser } from '../sql/parse';
import type { EnvironmentRecord, IntervalRecord, SnapshotRecord } from '../state/records';
import { type LockHolder, PLAN_LOCK_LEASE_MS, type StateStore } from '../state/store';
import { runAudit, type AuditResult } from './audits';
import { createPhysical, evaluateModel, type EvaluationContext } from './evaluate';
import type { ProjectGraph } from './graph';
import { batchIntervals, displayRange, type Interval } from './intervals';
import { environmentView, physicalTable, PROD } from './naming';
import type { Plan } from './plan';
import type { Warehouse } from './warehouse';

export type ApplyEvent =
  | { stage: 'physical'; model: string }
  | { stage: 'backfill'; model: string; batch: number; batches: number; interval: [string, string]; elapsedMs: number }
  | { stage: 'audit'; model: string; result: AuditResult }
  | { stage: 'promote'; environment: string; views: number }
  /** The environment's lock was left by a holder that is gone, and this apply took it over. */
  | { stage: 'lock'; environment: string; message: string };

export interface ApplyContext {
  project: Project;
  graph: ProjectGraph;
  state: StateStore;
  warehouse: Warehouse;
  parser: SqlParser;
  /** Who applies (shown to a second planner that is refused): a name, or with machine and process. */
  owner: string | LockHolder;
  onEvent?: (event: ApplyEvent) => void;
  signal?: AbortSignal;
  /** Models evaluated at once (the gateway connection's `concurrent_tasks`); 1 by default. */
  concurrentTasks?: number;
}

export class AuditFailedError extends Error {
  constructor(
    readonly model: string,
    readonly results: AuditResult[],
  ) {
    super(
      `Blocking audit${results.length > 1 ? 's' : ''} failed on ${model}: ${results.map((r) => `${r.audit} (${r.failedRows} row${r.failedRows === 1 ? '' : 's'})`).join(', ')}. Nothing was promoted.`,
    );
    this.name = 'AuditFailedError';
  }
}

export interface ApplyResult {
  environment: string;
  backfilled: { model: string; batches: number }[];
  audits: AuditResult[];
  promotedViews: number;
}

/** Whether a snapshot has a physical object (EXTERNAL models are read where they are). */
export function isMaterialized(record: SnapshotRecord): boolean {
  return (record.node as { model?: { kind?: { name?: string } } })?.model?.kind?.name !== 'EXTERNAL';
}

/** Physical tables (SQL text) of every materialized model of an environment. */
export function physicalMap(records: Iterable<SnapshotRecord>, warehouse: Warehouse): Map<string, string> {
  return new Map([...records].filter(isMaterialized).map((r) => [r.name, warehouse.qualify(physicalTable(r.name, r.version))]));
}

export async function applyPlan(plan: Plan, ctx: ApplyContext): Promise<ApplyResult> {
  const { state, warehouse, graph } = ctx;
  const takeover = await state.acquirePlanLock(plan.environment, plan.planId, ctx.owner);
  if (takeover) {
    const { lock, reason } = takeover;
    ctx.onEvent?.({
      stage: 'lock',
      environment: plan.environment,
      message: `Took over the plan lock of environment "${plan.environment}" left by plan ${lock.planId} (${lock.owner}, since ${new Date(lock.acquiredTs).toISOString()}): ${reason}. Its unfinished work is redone where needed.`,
    });
  }
  // Heartbeat: a lock not renewed for a lease is free for others to take (see store.ts).
  const heartbeat = setInterval(() => void state.renewPlanLock(plan.environment, plan.planId).catch(() => undefined), PLAN_LOCK_LEASE_MS / 4);
  heartbeat.unref();
  try {
    await state.putSnapshots(plan.snapshots.filter((s) => s.isNew).map((s) => s.record));
    for (const restatement of plan.restatements) await state.removeIntervals(restatement.model, restatement.version, restatement.range);

    const evaluation: EvaluationContext = {
      warehouse,
      parser: ctx.parser,
      physical: physicalMap(plan.snapshots.map((s) => s.record), warehouse),
      catalogs: new Set([warehouse.catalog.toLowerCase()]),
      variables: ctx.project.variables,
      ...(ctx.project.gateway !== undefined ? { gateway: ctx.project.gateway } : {}),
      executionTime: plan.executionTime,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    const result: ApplyResult = { environment: plan.environment, backfilled: [], audits: [], promotedViews: 0 };
    const statements = {
      project: ctx.project,
      warehouse,
      environment: plan.environment,
      models: plan.snapshots.filter((s) => isMaterialized(s.record)).map((s) => s.record.name),
      executionTime: plan.executionTime,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    await runEnvironmentStatements('before_all', statements);
    const backfills = new Map(plan.backfills.map((b) => [b.model, b]));

    const backfillOne = async (name: string): Promise<void> => {
      const backfill = backfills.get(name);
      const node = graph.nodes.get(name);
      if (!backfill || !node) return;
      ctx.signal?.throwIfAborted();
      const target = physicalTable(name, backfill.version);
      const first = backfill.intervals[0];
      ctx.onEvent?.({ stage: 'physical', model: name });
      await createPhysical(node.model, target, first?.[0] ?? 0, first?.[1] ?? 0, evaluation);
      const batches = backfillBatches(backfill, node.model);
      for (const [i, [start, end]] of batches.entries()) {
        ctx.signal?.throwIfAborted();
        const began = performance.now();
        await evaluateModel(node.model, target, start, end, evaluation);
        const failures: AuditResult[] = [];
        for (const call of node.model.audits) {
          const audit = await runAudit(warehouse, call, ctx.project.audits, {
            table: warehouse.qualify(target),
            modelName: node.model.name,
            modelFile: node.model.file,
            start,
            end,
            executionTime: plan.executionTime,
            variables: ctx.project.variables,
          });
          audits.set(name, [...(audits.get(name) ?? []), audit]);
          ctx.onEvent?.({ stage: 'audit', model: name, result: audit });
          if (audit.failedRows > 0 && audit.blocking) failures.push(audit);
        }
        if (failures.length > 0) throw new AuditFailedError(node.model.name, failures);
        await intervals.add({ name, version: backfill.version, startTs: start, endTs: end, isDev: false });
        ctx.onEvent?.({ stage: 'backfill', model: name, batch: i + 1, batches: batches.length, interval: displayRange([start, end], backfill.unit), elapsedMs: performance.now() - began });
      }
      backfilled.set(name, batches.length);
    };
    const audits = new Map<string, AuditResult[]>();
    const backfilled = new Map<string, number>();
    const models = graph.order.filter((name) => backfills.has(name) && graph.nodes.has(name));
    const intervals = new IntervalWriter(state);
    try {
      await runParentsFirst(models, (name) => graph.nodes.get(name)?.parents ?? [], ctx.concurrentTasks ?? 1, backfillOne);
    } catch (error) {
      // What was evaluated and audited is recorded even when another model failed (a rerun skips it).
      await intervals.flush().catch(() => undefined);
      throw error;
    }
    await intervals.flush();
    // Reported in DAG order whatever order they finished in.
    for (const name of models) {
      result.audits.push(...(audits.get(name) ?? []));
      const batches = backfilled.get(name);
      if (batches !== undefined) result.backfilled.push({ model: name, batches });
    }

    // Cancelled after the last batch: still nothing promoted, the environment stays as it was.
    ctx.signal?.throwIfAborted();
    result.promotedViews = await promote(plan, warehouse);
    await runVirtualUpdateStatements(plan, graph, evaluation);
    await runEnvironmentStatements('after_all', statements);
    ctx.onEvent?.({ stage: 'promote', environment: plan.environment, views: result.promotedViews });
    const now = Date.now();
    const record: EnvironmentRecord = {
      name: plan.environment,
      snapshots: plan.snapshots.map((s) => ({ name: s.record.name, identifier: s.record.identifier, version: s.record.version })),
      planId: plan.planId,
      previousPlanId: plan.previousPlanId,
      startAt: plan.start,
      endAt: plan.end ?? null,
      expirationTs: plan.environment === PROD || ctx.project.config.environmentTtlMs === null ? null : now + ctx.project.config.environmentTtlMs,
      finalizedTs: now,
      appliedBy: typeof ctx.owner === 'string' ? ctx.owner : ctx.owner.owner,
      ...(plan.plannedTs !== undefined ? { plannedTs: plan.plannedTs } : {}),
    };
    await state.promoteEnvironment(record);
    return result;
  } finally {
    clearInterval(heartbeat);
    await state.releasePlanLock(plan.environment, plan.planId);
  }
}

/**
 * Records processed intervals in groups (one state transaction per 50 intervals or per second,
 * not one per model: each is a commit of the state file). Recorded only after the interval's
 * data is committed and audited, so a crash leaves at most some done intervals unrecorded (a
 * rerun evaluates them again), never a recorded interval without data.
 */
class IntervalWriter {
  private pending: IntervalRecord[] = [];
  private last = performance.now();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly state: StateStore) {}

  async add(record: IntervalRecord): Promise<void> {
    this.pending.push(record);
    if (this.pending.length >= 50 || performance.now() - this.last > 1000) await this.flush();
  }

  flush(): Promise<void> {
    const records = this.pending;
    this.pending = [];
    this.last = performance.now();
    this.writing = this.writing.then(() => (records.length > 0 ? this.state.addIntervals(records) : undefined));
    return this.writing;
  }
}

/**
 * Runs `task` for every name of `order` (parents first) with up to `concurrency` at once; a
 * name starts once every name of `order` upstream of it has finished (looking through
 * parents outside `order`, e.g. unchanged views over a changed table). With concurrency 1 this
 * is the plain loop. The first failure stops new starts; running tasks finish, then it is thrown.
 */
export async function runParentsFirst(order: string[], parentsOf: (name: string) => string[], concurrency: number, task: (name: string) => Promise<void>): Promise<void> {
  const included = new Set(order);
  const blockers = new Map<string, Set<string>>();
  const upstream = (name: string, seen: Set<string>, out: Set<string>): void => {
    for (const parent of parentsOf(name)) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      if (included.has(parent)) out.add(parent);
      else upstream(parent, seen, out);
    }
  };
  for (const name of order) {
    const out = new Set<string>();
    upstream(name, new Set([name]), out);
    blockers.set(name, out);
  }
  const waiting = [...order];
  const unfinished = new Set(order);
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const limit = Math.max(1, Math.floor(concurrency));
  while (waiting.length > 0 && !failure) {
    // Start every ready name, in order, while there is room.
    for (let i = 0; i < waiting.length && running.size < limit; ) {
      const name = waiting[i]!;
      if ([...blockers.get(name)!].some((b) => unfinished.has(b))) {
        i += 1;
        continue;
      }
      waiting.splice(i, 1);
      const started: Promise<void> = task(name).then(
        () => {
          unfinished.delete(name);
          running.delete(started);
        },
        (error: unknown) => {
          failure ??= { error };
          running.delete(started);
        },
      );
      running.add(started);
    }
    if (running.size === 0) throw new Error(`No model can start: ${waiting.join(', ')} wait on each other.`);
    await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}

/** The batches a backfill runs in: `batch_size` units each for incremental models, one per range otherwise. */
export function backfillBatches(backfill: Pick<Plan['backfills'][number], 'refresh' | 'unit' | 'intervals'>, model: ModelDefinition): Interval[] {
  const batchSize = 'batchSize' in model.kind && model.kind.batchSize ? model.kind.batchSize : 0;
  return backfill.refresh === 'incremental' ? batchIntervals(backfill.intervals.flatMap((r) => splitByUnit(r, backfill.unit)), batchSize) : [...backfill.intervals];
}

/** One-unit intervals of a merged range, so batches follow `batch_size` in units. */
function splitByUnit([start, end]: Interval, unit: Plan['backfills'][number]['unit']): Interval[] {
  const out: Interval[] = [];
  const step = unit === 'hour' ? 3_600_000 : unit === 'half_hour' ? 1_800_000 : unit === 'quarter_hour' ? 900_000 : unit === 'five_minute' ? 300_000 : 86_400_000;
  if (unit === 'month' || unit === 'year') return [[start, end]];
  for (let s = start; s < end; s += step) out.push([s, Math.min(end, s + step)]);
  return out;
}

/**
 * The `ON_VIRTUAL_UPDATE` statements of the models the plan promoted (and model_defaults'
 * `on_virtual_update`), once the environment's views point at the new tables: `@this_model` is
 * the model's view in the environment, `@runtime_stage` is 'promoting' (grants, comments).
 */
async function runVirtualUpdateStatements(plan: Plan, graph: ProjectGraph, ctx: EvaluationContext): Promise<void> {
  for (const planned of plan.snapshots) {
    const model = graph.nodes.get(planned.record.name)?.model;
    if (!planned.promoted || !model || model.source !== 'sql' || model.onVirtualUpdate.length === 0) continue;
    const rendered = renderModel(model, {
      executionTime: plan.executionTime,
      variables: ctx.variables,
      ...(ctx.gateway !== undefined ? { gateway: ctx.gateway } : {}),
      thisModel: ctx.warehouse.qualify(environmentView(model.name, plan.environment)),
      runtimeStage: 'promoting',
    });
    if (rendered.diagnostics.length > 0) throw new Error(rendered.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
    for (const statement of rendered.onVirtualUpdate) await ctx.warehouse.query(statement, ctx.signal);
  }
}

/** Changes that keep the model's version: its view reads the same table as before. */
const SAME_VERSION = new Set(['metadata', 'indirect_non_breaking', 'forward_only']);

/**
 * Points the environment's views at the plan's physical tables and drops views of removed models,
 * in one commit. Returns how many views changed: created, pointed at another table, or dropped.
 */
async function promote(plan: Plan, warehouse: Warehouse): Promise<number> {
  const promoted = plan.snapshots.filter((s) => s.promoted && isMaterialized(s.record));
  const views = promoted.map((s) => ({
    name: environmentView(s.record.name, plan.environment),
    selectSql: `SELECT * FROM ${warehouse.qualify(physicalTable(s.record.name, s.record.version))}`,
  }));
  await warehouse.swapViews(views, plan.removed.map((name) => environmentView(name, plan.environment)));
  if (plan.previousPlanId === null) return views.length + plan.removed.length;
  const moved = new Set(plan.changes.filter((c) => c.change !== 'removed' && !SAME_VERSION.has(c.category ?? '')).map((c) => c.model));
  return promoted.filter((s) => moved.has(s.record.name)).length + plan.removed.length;
}

/**
 * `run`: evaluates the missing intervals of an environment's models whose cron has elapsed,
 * parents first, auditing each batch, using the snapshots the environment points at (not the
 * project files). Nothing to do is an answer, not an error.
 */
import type { Project } from '../project/project';
import type { ModelDefinition } from '../project/model';
import type { SqlParser } from '../sql/parse';
import type { SnapshotRecord } from '../state/records';
import type { StateStore } from '../state/store';
import { AuditFailedError, isMaterialized, physicalMap } from './apply';
import { runEnvironmentStatements } from './environment-statements';
import { runAudit, type AuditResult } from './audits';
import { evaluateModel, type EvaluationContext } from './evaluate';
import { batchIntervals, displayRange, expectedIntervals, intervalUnit, missingIntervals, type Interval } from './intervals';
import { normalizeEnvironment, physicalTable } from './naming';
import { toMillis } from '../project/render/time-vars';
import type { Warehouse } from './warehouse';

export interface RunResult {
  environment: string;
  evaluated: { model: string; intervals: [string, string][] }[];
  audits: AuditResult[];
  /** Set when nothing was ready to run. */
  message?: string;
}

export interface RunContext {
  project: Project;
  state: StateStore;
  warehouse: Warehouse;
  parser: SqlParser;
  executionTime?: number;
  signal?: AbortSignal;
  onEvent?: (event: { model: string; interval: [string, string] }) => void;
}

interface Payload {
  model: ModelDefinition;
  parents: string[];
}

function order(records: SnapshotRecord[]): SnapshotRecord[] {
  const byName = new Map(records.map((r) => [r.name, r]));
  const done = new Set<string>();
  const out: SnapshotRecord[] = [];
  const visit = (name: string) => {
    if (done.has(name)) return;
    done.add(name);
    const record = byName.get(name);
    if (!record) return;
    for (const parent of (record.node as Payload).parents ?? []) visit(parent);
    out.push(record);
  };
  for (const record of records) visit(record.name);
  return out;
}

export async function runEnvironment(environmentName: string, ctx: RunContext): Promise<RunResult> {
  const environment = normalizeEnvironment(environmentName);
  const executionTime = ctx.executionTime ?? Date.now();
  const record = await ctx.state.getEnvironment(environment);
  if (!record) throw new Error(`Environment "${environment}" does not exist: apply a plan to it first (pas plan ${environment}).`);
  const records = [...(await ctx.state.getSnapshots(record.snapshots)).values()];
  const physical = physicalMap(records, ctx.warehouse);
  const evaluation: EvaluationContext = {
    warehouse: ctx.warehouse,
    parser: ctx.parser,
    physical,
    catalogs: new Set([ctx.warehouse.catalog.toLowerCase()]),
    variables: ctx.project.variables,
    ...(ctx.project.gateway !== undefined ? { gateway: ctx.project.gateway } : {}),
    executionTime,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  const result: RunResult = { environment, evaluated: [], audits: [] };
  const statements = {
    project: ctx.project,
    warehouse: ctx.warehouse,
    environment,
    models: records.filter(isMaterialized).map((r) => r.name),
    executionTime,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  await runEnvironmentStatements('before_all', statements);
  const defaultStart = ctx.project.config.modelDefaults?.start;
  for (const snapshot of order(records)) {
    const { model } = snapshot.node as Payload;
    if (!model || model.kind.name === 'EXTERNAL' || model.kind.name === 'SEED') continue;
    ctx.signal?.throwIfAborted();
    const start = toMillis(model.start ?? defaultStart ?? executionTime - 86_400_000);
    const expected = expectedIntervals({ cron: model.cron, start, ...(model.end !== undefined ? { end: toMillis(model.end) } : {}), executionTime });
    const missing = missingIntervals(expected, await ctx.state.intervals(snapshot.name, snapshot.version));
    if (missing.length === 0) continue;
    const unit = intervalUnit(model.cron);
    const incremental = model.kind.name.startsWith('INCREMENTAL');
    const batchSize = 'batchSize' in model.kind && model.kind.batchSize ? model.kind.batchSize : 0;
    const batches: Interval[] = incremental ? batchIntervals(missing, batchSize) : [[missing[0]?.[0] ?? start, missing[missing.length - 1]?.[1] ?? start]];
    const target = physicalTable(snapshot.name, snapshot.version);
    const done: [string, string][] = [];
    for (const [s, e] of batches) {
      await evaluateModel(model, target, s, e, evaluation);
      const failures: AuditResult[] = [];
      for (const call of model.audits) {
        const audit = await runAudit(ctx.warehouse, call, ctx.project.audits, { table: ctx.warehouse.qualify(target), modelName: model.name, modelFile: model.file, start: s, end: e, executionTime, variables: ctx.project.variables });
        result.audits.push(audit);
        if (audit.failedRows > 0 && audit.blocking) failures.push(audit);
      }
      await ctx.state.addIntervals([{ name: snapshot.name, version: snapshot.version, startTs: s, endTs: e, isDev: false }]);
      if (failures.length > 0) throw new AuditFailedError(model.name, failures);
      const shown = displayRange([s, e], unit);
      done.push(shown);
      ctx.onEvent?.({ model: snapshot.name, interval: shown });
    }
    result.evaluated.push({ model: snapshot.name, intervals: done });
  }
  await runEnvironmentStatements('after_all', statements);
  if (result.evaluated.length === 0) result.message = `No models are ready to run in "${environment}": every model is up to date with its cron.`;
  return result;
}

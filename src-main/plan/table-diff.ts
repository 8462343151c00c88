/**
 * Table diff: how one model's table differs between two environments (or between an
 * environment and the project's local query of the model): columns added, removed or retyped;
 * row counts on each side; rows only on one side and rows whose values changed, matched on the
 * model's grain (whole rows when it declares none); and a sample of changed rows with each
 * changed column's two values side by side. `pas table-diff` and `env.tableDiff` both call this.
 */
import type { TableDiffView } from '../../src-shared/environments-contract';
import type { Cell } from '../../src-shared/values';
import type { EnvironmentRecord } from '../state/records';
import type { StateStore } from '../state/store';
import { isMaterialized, physicalMap } from './apply';
import { renderForInterval, type EvaluationContext } from './evaluate';
import type { ProjectGraph } from './graph';
import { normalizeEnvironment, physicalTable } from './naming';
import { toMillis } from '../project/render/time-vars';
import type { SqlParser } from '../sql/parse';
import type { Project } from '../project/project';
import { quoteIdentifier, type Warehouse, type WarehouseColumn } from './warehouse';

/** Something asked for does not exist: an environment, a model in it, a model in the project. */
export class NotFoundError extends Error {
  constructor(
    readonly what: 'environment' | 'model',
    message: string,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** One side of a diff: a label for people and a relation for SQL (a table name or a parenthesized query). */
export interface DiffRelation {
  label: string;
  sql: string;
}

/** What `env.tableDiff` shows (`TableDiffView`), plus the query of the changed rows for a pageable grid. */
export type TableDiffResult = Omit<TableDiffView, 'sampleResult'> & {
  /** The query of every changed row, side by side (for a pageable grid); undefined when rows cannot change. */
  sampleSql: string | undefined;
};

export interface TableDiffOptions {
  model: string;
  /** The model's grain columns (matched against the shared columns). */
  grain: readonly string[];
  source: DiffRelation;
  target: DiffRelation;
  /** Sample rows to return (default 20). */
  limit?: number;
  signal?: AbortSignal;
}

const q = quoteIdentifier;

async function columnsOf(warehouse: Warehouse, relation: string, signal?: AbortSignal): Promise<WarehouseColumn[]> {
  const rows = await warehouse.query(`DESCRIBE SELECT * FROM ${relation} AS __relation`, signal);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

export async function diffTables(warehouse: Warehouse, options: TableDiffOptions): Promise<TableDiffResult> {
  const { source, target, signal } = options;
  const [colsA, colsB] = [await columnsOf(warehouse, source.sql, signal), await columnsOf(warehouse, target.sql, signal)];
  const typesA = new Map(colsA.map((c) => [c.name, c.type]));
  const typesB = new Map(colsB.map((c) => [c.name, c.type]));
  const schema = {
    added: colsB.filter((c) => !typesA.has(c.name)).map((c) => ({ column: c.name, type: c.type })),
    removed: colsA.filter((c) => !typesB.has(c.name)).map((c) => ({ column: c.name, type: c.type })),
    modified: colsA.filter((c) => typesB.has(c.name) && typesB.get(c.name) !== c.type).map((c) => ({ column: c.name, from: c.type, to: typesB.get(c.name) ?? '' })),
  };
  const shared = colsA.filter((c) => typesB.has(c.name)).map((c) => c.name);
  const grain = options.grain.filter((g) => shared.includes(g));
  const keys = grain.length > 0 ? grain : shared;
  const others = grain.length > 0 ? shared.filter((c) => !keys.includes(c)) : [];
  const tA = source.sql;
  const tB = target.sql;
  const on = keys.length > 0 ? keys.map((k) => `s.${q(k)} IS NOT DISTINCT FROM t.${q(k)}`).join(' AND ') : 'true';
  const [counts] = await warehouse.query(
    `SELECT
      (SELECT count(*) FROM ${tA} AS s) AS source_rows,
      (SELECT count(*) FROM ${tB} AS t) AS target_rows,
      (SELECT count(*) FROM ${tA} AS s WHERE NOT EXISTS (SELECT 1 FROM ${tB} AS t WHERE ${on})) AS only_in_source,
      (SELECT count(*) FROM ${tB} AS t WHERE NOT EXISTS (SELECT 1 FROM ${tA} AS s WHERE ${on})) AS only_in_target`,
    signal,
  );
  const changedValues: Record<string, number> = {};
  let changed = 0;
  let sampleSql: string | undefined;
  const sample: TableDiffResult['sample'] = { columns: [], rows: [] };
  if (others.length > 0) {
    const differs = (c: string) => `s.${q(c)} IS DISTINCT FROM t.${q(c)}`;
    const [row] = await warehouse.query(
      `SELECT count(*) FILTER (WHERE ${others.map(differs).join(' OR ')}) AS __changed, ${others.map((c, i) => `count(*) FILTER (WHERE ${differs(c)}) AS v${i}`).join(', ')}
       FROM ${tA} AS s JOIN ${tB} AS t ON ${on}`,
      signal,
    );
    changed = Number(row?.__changed ?? 0);
    others.forEach((c, i) => (changedValues[c] = Number(row?.[`v${i}`] ?? 0)));
    const changedColumns = others.filter((c) => (changedValues[c] ?? 0) > 0);
    if (changedColumns.length > 0) {
      const labels = [...keys, ...changedColumns.flatMap((c) => [`${c} (${source.label})`, `${c} (${target.label})`])];
      const select = [...keys.map((k) => `s.${q(k)}`), ...changedColumns.flatMap((c) => [`s.${q(c)}`, `t.${q(c)}`])];
      sampleSql = `SELECT ${select.map((expr, i) => `${expr} AS ${q(labels[i] ?? `c${i}`)}`).join(', ')}
        FROM ${tA} AS s JOIN ${tB} AS t ON ${on}
        WHERE ${changedColumns.map(differs).join(' OR ')}
        ORDER BY ${keys.map((_k, i) => i + 1).join(', ')}`;
      const limit = options.limit ?? 20;
      const positional = select.map((expr, i) => `${expr} AS c${i}`).join(', ');
      const rows = limit > 0
        ? await warehouse.query(
            `SELECT ${positional} FROM ${tA} AS s JOIN ${tB} AS t ON ${on} WHERE ${changedColumns.map(differs).join(' OR ')} ORDER BY ${keys.map((_k, i) => i + 1).join(', ')} LIMIT ${limit}`,
            signal,
          )
        : [];
      sample.columns = labels;
      sample.rows = rows.map((r) => labels.map((_l, i) => (r[`c${i}`] ?? null) as Cell));
    }
  }
  return {
    model: options.model,
    source: { label: source.label, rows: Number(counts?.source_rows ?? 0) },
    target: { label: target.label, rows: Number(counts?.target_rows ?? 0) },
    grain: grain.length > 0 ? grain : null,
    schema,
    rows: { onlyInSource: Number(counts?.only_in_source ?? 0), onlyInTarget: Number(counts?.only_in_target ?? 0), changed, changedValues },
    sample,
    sampleSql,
  };
}

export interface DiffWorkspace {
  project: Project;
  state: StateStore;
  warehouse: Warehouse;
  parser: SqlParser;
}

/** An environment's record, or a `NotFoundError` naming the ones that exist (a typo is the usual cause). */
export async function existingEnvironment(state: StateStore, environment: string): Promise<EnvironmentRecord> {
  const record = await state.getEnvironment(environment);
  if (record) return record;
  const known = (await state.listEnvironments()).map((e) => e.name);
  throw new NotFoundError('environment', `No environment named "${environment}" (environments: ${known.length ? known.join(', ') : 'none yet'}); apply a plan to it first (pas plan ${environment}).`);
}

/** The physical table an environment reads for a model (a dev environment reads prod's for models it did not change). */
export async function environmentRelation(ws: DiffWorkspace, modelName: string, environmentName: string): Promise<DiffRelation> {
  const environment = normalizeEnvironment(environmentName);
  const record = await existingEnvironment(ws.state, environment);
  const name = modelName.toLowerCase();
  const snapshot = record.snapshots.find((s) => s.name === name);
  if (!snapshot) throw new NotFoundError('model', `Environment "${environment}" has no model named ${modelName}.`);
  const stored = (await ws.state.getSnapshots([snapshot])).get(`${snapshot.name}\u0000${snapshot.identifier}`);
  if (stored && !isMaterialized(stored)) throw new NotFoundError('model', `${modelName} is an external model: it has no table of its own to compare.`);
  return { label: environment, sql: ws.warehouse.qualify(physicalTable(name, snapshot.version)) };
}

/**
 * The project's current query of a model, evaluated over the time range the environment's table
 * holds (else from the model's start up to now), reading the environment's upstream tables: what
 * the model would hold once planned.
 */
export async function localRelation(ws: DiffWorkspace, graph: ProjectGraph, modelName: string, environmentName: string, executionTime = Date.now()): Promise<DiffRelation> {
  const environment = normalizeEnvironment(environmentName);
  const record = await existingEnvironment(ws.state, environment);
  const node = graph.nodes.get(modelName.toLowerCase());
  if (!node) throw new NotFoundError('model', `No model named ${modelName} in the project.`);
  if (node.model.source !== 'sql') throw new NotFoundError('model', `${node.model.name} is a ${node.model.source} model: only SQL models can be compared before they are applied.`);
  const records = [...(await ws.state.getSnapshots(record.snapshots)).values()];
  const evaluation: EvaluationContext = {
    warehouse: ws.warehouse,
    parser: ws.parser,
    physical: physicalMap(records, ws.warehouse),
    catalogs: new Set([ws.warehouse.catalog.toLowerCase()]),
    variables: ws.project.variables,
    ...(ws.project.gateway !== undefined ? { gateway: ws.project.gateway } : {}),
    executionTime,
  };
  // The same time range the environment's table holds, so the two sides are comparable.
  const current = record.snapshots.find((s) => s.name === node.name);
  const processed = current ? await ws.state.intervals(current.name, current.version) : [];
  const start = processed[0]?.[0] ?? toMillis(node.model.start ?? ws.project.config.modelDefaults?.start ?? executionTime - 86_400_000);
  const end = processed[processed.length - 1]?.[1] ?? executionTime;
  const rendered = await renderForInterval(node.model, physicalTable(node.name, node.version), start, end, evaluation);
  if (!rendered.query) throw new NotFoundError('model', `${node.model.name} has no query to compare.`);
  return { label: 'local', sql: `(${rendered.query})` };
}

/**
 * Evaluating one model for one interval into its physical table, per kind: views are
 * (re)created, FULL tables replaced, incremental-by-time models delete and re-insert the
 * interval, incremental-by-key models delete the keys they bring and insert, by-partition models
 * replace the partitions they bring, unmanaged models append (or overwrite), SCD type 2 models
 * fold the snapshot into their history (scd2.ts), seeds load their CSV, and TypeScript models
 * run `execute` and load the rows it returns.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ModelDefinition, SqlModelDefinition, TypeScriptModelDefinition } from '../project/model';
import { renderModel } from '../project/render/render-model';
import { importTypeScriptModel, isModelRelation, type ModelRow } from '../project/typescript-model';
import type { SqlParser } from '../sql/parse';
import type { QualifiedName } from './naming';
import { type FailedSql, modelRuntimeError } from './model-errors';
import { rewriteReferences } from './references';
import { isScd2, scd2EmptySql, scd2Sql } from './scd2';
import type { Warehouse } from './warehouse';

export interface EvaluationContext {
  warehouse: Warehouse;
  parser: SqlParser;
  /** Model name (lower-case) -> SQL text of the physical table the environment reads. */
  physical: ReadonlyMap<string, string>;
  catalogs: ReadonlySet<string>;
  variables: Record<string, unknown>;
  gateway?: string;
  executionTime: number;
  signal?: AbortSignal;
}

function sqlTimestamp(ms: number): string {
  return `TIMESTAMP '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;
}

function quoted(name: string): string {
  return name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');
}

/** The model's query for an interval, reading its parents' physical tables. */
export async function renderForInterval(model: SqlModelDefinition, target: QualifiedName, start: number, end: number, ctx: EvaluationContext) {
  const thisModel = ctx.warehouse.qualify(target);
  const rendered = renderModel(model, {
    start,
    end,
    executionTime: ctx.executionTime,
    variables: ctx.variables,
    ...(ctx.gateway !== undefined ? { gateway: ctx.gateway } : {}),
    thisModel,
    runtimeStage: 'evaluating',
  });
  if (rendered.diagnostics.length > 0) {
    throw new Error(rendered.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
  }
  const targets = new Map(ctx.physical);
  targets.set(model.name.toLowerCase(), thisModel);
  // Sources (tables that are not models) are qualified with the warehouse catalog, so the query
  // reads the same tables on any connection, whatever its default catalog.
  const query =
    rendered.query === undefined
      ? undefined
      : await rewriteReferences(ctx.parser, rendered.query, targets, ctx.catalogs, (schema, table) => ctx.warehouse.qualify({ schema, table }));
  return { query, pre: rendered.preStatements, post: rendered.postStatements };
}

async function runStatements(statements: string[], ctx: EvaluationContext): Promise<void> {
  for (const statement of statements) await ctx.warehouse.query(statement, ctx.signal);
}

/** What a TypeScript model's `execute` gets besides its interval: where it writes and how it reads. */
export interface TypeScriptRunContext {
  executionTime: number;
  variables: Record<string, unknown>;
  gateway?: string;
  thisModel: string;
  resolveTable(modelName: string): string;
  fetch(sql: string): Promise<ModelRow[]>;
}

/**
 * Runs a TypeScript model's `execute` for [start, end) and hands `use` one SELECT of its rows,
 * with the declared column names and types: its relation, or the rows it returned, read from a
 * temporary file that exists while `use` runs.
 */
export async function withTypeScriptRows<T>(model: TypeScriptModelDefinition, start: number, end: number, context: TypeScriptRunContext, use: (select: string) => Promise<T>): Promise<T> {
  const imported = await importTypeScriptModel(model.modulePath);
  if (!imported.ok) throw new Error(`${model.file}: ${imported.problems.map((p) => p.message).join('; ')}`);
  const result = await imported.model.execute({
    start: new Date(start),
    end: new Date(end),
    executionTime: new Date(context.executionTime),
    variables: context.variables,
    ...(context.gateway !== undefined ? { gateway: context.gateway } : {}),
    thisModel: context.thisModel,
    resolveTable: (name) => context.resolveTable(name),
    fetch: (sql) => context.fetch(sql),
    relation: (sql) => ({ kind: 'relation', sql }),
  });
  if (isModelRelation(result)) {
    // Declared column names and types win, as for rows.
    const columns = (model.columns ?? []).map((c) => `CAST(${quoted(c.name)} AS ${c.type}) AS ${quoted(c.name)}`).join(', ');
    return use(`SELECT ${columns || '*'} FROM (${result.sql}) AS __relation`);
  }
  const rows: ModelRow[] = [];
  if (Array.isArray(result)) rows.push(...result);
  else for await (const batch of result as AsyncIterable<ModelRow[]>) rows.push(...batch);
  const dir = await mkdtemp(path.join(tmpdir(), 'pas-ts-model-'));
  try {
    const file = path.join(dir, 'rows.ndjson');
    await writeFile(file, rows.map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).join('\n'));
    const spec = (model.columns ?? []).map((c) => `'${c.name.replace(/'/g, "''")}': '${c.type.replace(/'/g, "''")}'`).join(', ');
    return await use(`SELECT * FROM read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited', columns = {${spec}})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function evaluateTypeScript(model: TypeScriptModelDefinition, target: QualifiedName, start: number, end: number, ctx: EvaluationContext): Promise<void> {
  const context: TypeScriptRunContext = {
    executionTime: ctx.executionTime,
    variables: ctx.variables,
    ...(ctx.gateway !== undefined ? { gateway: ctx.gateway } : {}),
    thisModel: ctx.warehouse.qualify(target),
    resolveTable: (name) => ctx.physical.get(name.toLowerCase()) ?? quoted(name),
    fetch: (sql) => ctx.warehouse.query(sql, ctx.signal),
  };
  await withTypeScriptRows(model, start, end, context, (select) =>
    model.kind.name === 'INCREMENTAL_BY_TIME_RANGE'
      ? ctx.warehouse.deleteInsert(target, `"${model.kind.timeColumn}" >= ${sqlTimestamp(start)} AND "${model.kind.timeColumn}" < ${sqlTimestamp(end)}`, select, ctx.signal)
      : ctx.warehouse.replaceTable(target, select, ctx.signal),
  );
}

/**
 * An incremental table that a forward-only change keeps gets the query's new columns before new
 * intervals land in it (SQLMesh migrates such tables in place); earlier rows read NULL there.
 */
async function addNewColumns(target: QualifiedName, query: string, ctx: EvaluationContext): Promise<void> {
  const existing = await ctx.warehouse.columns(target);
  if (existing.length === 0) return;
  const have = new Set(existing.map((c) => c.name.toLowerCase()));
  const described = await ctx.warehouse.query(`DESCRIBE SELECT * FROM (${query}) AS __q`, ctx.signal);
  const added = described
    .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
    .filter((c) => !have.has(c.name.toLowerCase()));
  await ctx.warehouse.addColumns(target, added);
}

/** Creates the physical object of a new version before any interval is evaluated; a failure names the model, file and line. */
export async function createPhysical(model: ModelDefinition, target: QualifiedName, start: number, end: number, ctx: EvaluationContext): Promise<void> {
  try {
    await createPhysicalObject(model, target, start, end, ctx);
  } catch (error) {
    throw modelRuntimeError(model, 'creating its table', error, await failedSql(model, target, start, end, ctx));
  }
}

/** Evaluates `model` for [start, end) into `target`; a failure names the model, file and line. */
export async function evaluateModel(model: ModelDefinition, target: QualifiedName, start: number, end: number, ctx: EvaluationContext): Promise<void> {
  try {
    await evaluateInto(model, target, start, end, ctx);
  } catch (error) {
    throw modelRuntimeError(model, 'evaluating', error, await failedSql(model, target, start, end, ctx));
  }
}

/** The SQL a failed evaluation ran, rendered again (rendering is pure) for the error's position. */
async function failedSql(model: ModelDefinition, target: QualifiedName, start: number, end: number, ctx: EvaluationContext): Promise<FailedSql | undefined> {
  if (model.source !== 'sql' || !model.query) return undefined;
  const rendered = renderModel(model, {
    start,
    end,
    executionTime: ctx.executionTime,
    variables: ctx.variables,
    ...(ctx.gateway !== undefined ? { gateway: ctx.gateway } : {}),
    thisModel: ctx.warehouse.qualify(target),
    runtimeStage: 'evaluating',
  });
  if (rendered.query === undefined) return undefined;
  const executed = await renderForInterval(model, target, start, end, ctx).then((r) => r.query, () => undefined);
  return { rendered: rendered.query, ...(rendered.queryMap ? { map: rendered.queryMap } : {}), ...(executed !== undefined ? { executed } : {}) };
}

async function createPhysicalObject(model: ModelDefinition, target: QualifiedName, start: number, end: number, ctx: EvaluationContext): Promise<void> {
  await ctx.warehouse.ensureSchema(target.schema, target.catalog);
  if (model.source !== 'sql') return;
  const kind = model.kind;
  const incremental = ['INCREMENTAL_BY_TIME_RANGE', 'INCREMENTAL_BY_UNIQUE_KEY', 'INCREMENTAL_BY_PARTITION', 'INCREMENTAL_UNMANAGED'].includes(kind.name);
  if (incremental || isScd2(kind)) {
    const { query } = await renderForInterval(model, target, start, end, ctx);
    if (query) await ctx.warehouse.createEmptyTable(target, isScd2(kind) ? scd2EmptySql(kind, query) : query, ctx.signal);
  }
}

async function evaluateInto(model: ModelDefinition, target: QualifiedName, start: number, end: number, ctx: EvaluationContext): Promise<void> {
  if (model.source === 'external' || model.kind.name === 'EXTERNAL') return;
  if (model.source === 'typescript') {
    await evaluateTypeScript(model, target, start, end, ctx);
    return;
  }
  const kind = model.kind;
  if (kind.name === 'SEED') {
    const columns = model.columns?.length
      ? `, columns = {${model.columns.map((c) => `'${c.name.replace(/'/g, "''")}': '${c.type.replace(/'/g, "''")}'`).join(', ')}}`
      : '';
    await ctx.warehouse.replaceTable(target, `SELECT * FROM read_csv('${kind.resolvedPath.replace(/'/g, "''")}', header = true${columns})`, ctx.signal);
    return;
  }
  const { query, pre, post } = await renderForInterval(model, target, start, end, ctx);
  if (!query) throw new Error(`${model.file}: ${model.name} has no query.`);
  await runStatements(pre, ctx);
  switch (kind.name) {
    case 'VIEW':
      if (kind.materialized) await ctx.warehouse.replaceTable(target, query, ctx.signal);
      else await ctx.warehouse.replaceView(target, query);
      break;
    case 'INCREMENTAL_BY_TIME_RANGE': {
      await addNewColumns(target, query, ctx);
      const column = `"${kind.timeColumn.replace(/"/g, '""')}"`;
      const range = `${column} >= ${sqlTimestamp(start)} AND ${column} < ${sqlTimestamp(end)}`;
      await ctx.warehouse.deleteInsert(target, range, `SELECT * FROM (${query}) AS __q WHERE ${range}`, ctx.signal);
      break;
    }
    case 'INCREMENTAL_BY_UNIQUE_KEY': {
      await addNewColumns(target, query, ctx);
      const keys = kind.uniqueKey.join(', ');
      const tuple = kind.uniqueKey.length === 1 ? keys : `(${keys})`;
      await ctx.warehouse.deleteInsert(target, `${tuple} IN (SELECT ${keys} FROM (${query}) AS __k)`, query, ctx.signal);
      break;
    }
    case 'INCREMENTAL_BY_PARTITION': {
      if (model.partitionedBy.length === 0) throw new Error(`${model.file}: ${model.name} is INCREMENTAL_BY_PARTITION but has no partitioned_by.`);
      await addNewColumns(target, query, ctx);
      const columns = model.partitionedBy.join(', ');
      const tuple = model.partitionedBy.length === 1 ? columns : `(${columns})`;
      // Every partition the query brings replaces all stored rows of that partition.
      await ctx.warehouse.deleteInsert(target, `${tuple} IN (SELECT DISTINCT ${columns} FROM (${query}) AS __p)`, query, ctx.signal);
      break;
    }
    case 'INCREMENTAL_UNMANAGED':
      if (kind.insertOverwrite) await ctx.warehouse.replaceTable(target, query, ctx.signal);
      else {
        await addNewColumns(target, query, ctx);
        await ctx.warehouse.deleteInsert(target, undefined, query, ctx.signal);
      }
      break;
    case 'SCD_TYPE_2_BY_TIME':
    case 'SCD_TYPE_2_BY_COLUMN': {
      const bad = kind.uniqueKey.find((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
      if (bad) throw new Error(`${model.file}: ${model.name}: the unique_key of an SCD type 2 model must be column names (got ${bad}).`);
      // The query's columns are needed only to check every column for changes.
      const checksAll = kind.name === 'SCD_TYPE_2_BY_COLUMN' && (kind.columns === undefined || kind.columns === '*');
      const sourceColumns = checksAll ? (await ctx.warehouse.query(`DESCRIBE SELECT * FROM (${query}) AS __q`, ctx.signal)).map((r) => String(r.column_name)) : [];
      await ctx.warehouse.replaceTable(target, scd2Sql(kind, ctx.warehouse.qualify(target), query, sourceColumns, sqlTimestamp(ctx.executionTime)), ctx.signal);
      break;
    }
    case 'EMBEDDED':
      // Embedded models are never materialized: a view in the physical layer is their query inlined.
      await ctx.warehouse.replaceView(target, query);
      break;
    default:
      await ctx.warehouse.replaceTable(target, query, ctx.signal);
  }
  await runStatements(post, ctx);
}

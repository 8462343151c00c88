/**
 * TypeScript models (`models/**\/*.ts`): what SQL cannot say, written as a module whose default
 * export (or `model` export) carries the metadata SQLMesh's Python `@model(...)` takes — name,
 * kind, columns, depends_on, ... — and an `execute(context)` function. Loading reads and checks
 * the metadata only; executing is the executor's job.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { ModelDefaults } from './config';
import { projectDirAbove } from './project-dir';
import { type Diagnostics, LineIndex } from './diagnostics';
import { unsetModelOptions, type TypeScriptModelDefinition } from './model';
import type { ModelKind } from './model-kind';

export type ModelRow = Record<string, unknown>;

/** What `execute` gets: the interval, variables and a way to read upstream tables. */
export interface TypeScriptModelContext {
  /** Interval start (inclusive) and end (exclusive), UTC. */
  start: Date;
  end: Date;
  executionTime: Date;
  variables: Readonly<Record<string, unknown>>;
  gateway?: string;
  /** The physical table this run writes. */
  thisModel: string;
  /** The physical name to query for an upstream model, e.g. `resolveTable('marts.x')`. */
  resolveTable(modelName: string): string;
  /** Runs SQL on the warehouse and returns its rows. */
  fetch(sql: string): Promise<ModelRow[]>;
  /**
   * A DuckDB relation defined by SQL, to return from `execute` instead of rows: the engine
   * materializes it inside DuckDB, so no row passes through JavaScript.
   */
  relation(sql: string): ModelRelation;
}

/** What `context.relation(sql)` returns: a query the engine materializes as the model's rows. */
export interface ModelRelation {
  kind: 'relation';
  sql: string;
}

export function isModelRelation(value: unknown): value is ModelRelation {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'relation' && typeof (value as { sql?: unknown }).sql === 'string';
}

export type TypeScriptModelKind =
  | 'FULL'
  | 'EMBEDDED'
  | { name: 'FULL' }
  | { name: 'INCREMENTAL_BY_TIME_RANGE'; time_column: string; batch_size?: number; lookback?: number }
  | { name: 'INCREMENTAL_BY_UNIQUE_KEY'; unique_key: string | string[]; batch_size?: number };

/** The module contract; keys follow SQLMesh's Python `@model(...)` arguments. */
export interface TypeScriptModel {
  name: string;
  /** Default FULL, as for SQLMesh's Python models. */
  kind?: TypeScriptModelKind;
  /** Column name → DuckDB type; required (the output schema cannot be inferred). */
  columns: Record<string, string>;
  /** Upstream models this model reads. */
  depends_on?: string[];
  description?: string;
  owner?: string;
  cron?: string;
  start?: string | number;
  grain?: string | string[];
  tags?: string[];
  column_descriptions?: Record<string, string>;
  /** Audit names (audits with arguments: write them in SQL models). */
  audits?: string[];
  enabled?: boolean;
  execute(context: TypeScriptModelContext): Promise<ModelRow[] | ModelRelation> | ModelRow[] | ModelRelation | AsyncIterable<ModelRow[]>;
}

/** Identity helper that gives a model module its type. */
export function defineModel(model: TypeScriptModel): TypeScriptModel {
  return model;
}

const kindSchema = z.union([
  z.enum(['FULL', 'EMBEDDED']),
  z.object({ name: z.literal('FULL') }),
  z.object({
    name: z.literal('INCREMENTAL_BY_TIME_RANGE'),
    time_column: z.string(),
    batch_size: z.number().int().positive().optional(),
    lookback: z.number().int().nonnegative().optional(),
  }),
  z.object({
    name: z.literal('INCREMENTAL_BY_UNIQUE_KEY'),
    unique_key: z.union([z.string(), z.array(z.string())]),
    batch_size: z.number().int().positive().optional(),
  }),
]);

const modelSchema = z.object({
  name: z.string().regex(/^[^.\s]+(\.[^.\s]+){1,2}$/, 'must be schema.table or catalog.schema.table'),
  kind: kindSchema.optional(),
  columns: z.record(z.string(), z.string()).refine((c) => Object.keys(c).length > 0, 'must list at least one column'),
  depends_on: z.array(z.string()).optional(),
  description: z.string().optional(),
  owner: z.string().optional(),
  cron: z.string().optional(),
  start: z.union([z.string(), z.number()]).optional(),
  grain: z.union([z.string(), z.array(z.string())]).optional(),
  tags: z.array(z.string()).optional(),
  column_descriptions: z.record(z.string(), z.string()).optional(),
  audits: z.array(z.string()).optional(),
  enabled: z.boolean().optional(),
  execute: z.custom<TypeScriptModel['execute']>((v) => typeof v === 'function', 'must be a function execute(context)'),
});

/**
 * A model file that needs nothing of its own place: no relative runtime import (type-only
 * imports vanish), no `import.meta`, `require` or `__dirname`. Such a file can run from a
 * transpiled copy elsewhere in the project.
 */
function selfContained(source: string): boolean {
  if (/\bimport\.meta\b|\brequire\s*\(|\b__dirname\b|\b__filename\b/.test(source)) return false;
  if (/\bimport\s*\(/.test(source)) return false;
  for (const m of source.matchAll(/^\s*(import|export)\b([^;'"]*?)\bfrom\s*['"]([^'"]+)['"]/gm)) {
    const clause = m[2] ?? '';
    if ((m[3] ?? '').startsWith('.') && !/^\s*type\b/.test(clause)) return false;
  }
  return !/^\s*import\s*['"]\./m.test(source);
}

/**
 * A self-contained model transpiled once by esbuild into `.pas/cache/ts-models/<content hash>.mjs`
 * in its project (safe to delete; a changed file is a new hash) and imported from there: about
 * 1 ms a start instead of tsx's loader (about 110 ms: it starts a loader thread). Undefined when
 * the file is not self-contained or not in a project: tsx loads it then.
 */
async function importTranspiled(file: string): Promise<Record<string, unknown> | undefined> {
  const source = await readFile(file, 'utf8');
  const root = projectDirAbove(path.dirname(file));
  if (!root || !selfContained(source)) return undefined;
  const cached = path.join(root, '.pas', 'cache', 'ts-models', `${createHash('sha256').update(source).digest('hex').slice(0, 32)}.mjs`);
  if (!existsSync(cached)) {
    const { transform } = await import('esbuild');
    const out = await transform(source, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: file });
    mkdirSync(path.dirname(cached), { recursive: true });
    const temp = `${cached}.${process.pid}.tmp`;
    writeFileSync(temp, out.code);
    renameSync(temp, cached);
  }
  return (await import(/* @vite-ignore */ pathToFileURL(cached).href)) as Record<string, unknown>;
}

async function importModule(path: string): Promise<Record<string, unknown>> {
  try {
    const fast = await importTranspiled(path);
    if (fast) return fast;
  } catch {
    // Not transpilable here (or the cache folder is read-only): tsx below says what is wrong.
  }
  const url = pathToFileURL(path).href;
  try {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    // Under a TS-aware runtime (vitest, tsx itself) a plain dynamic import works.
    try {
      return (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
    } catch {
      throw error;
    }
  }
}

function toKind(kind: TypeScriptModelKind | undefined): ModelKind {
  if (kind === undefined || kind === 'FULL' || (typeof kind === 'object' && kind.name === 'FULL')) return { name: 'FULL' };
  if (kind === 'EMBEDDED') return { name: 'EMBEDDED' };
  const common = { forwardOnly: false, onDestructiveChange: 'error', onAdditiveChange: 'allow', disableRestatement: false } as const;
  if (kind.name === 'INCREMENTAL_BY_TIME_RANGE') {
    return {
      name: kind.name,
      timeColumn: kind.time_column,
      timeColumnFormat: '%Y-%m-%d',
      partitionByTimeColumn: true,
      ...common,
      lookback: kind.lookback ?? 0,
      ...(kind.batch_size !== undefined ? { batchSize: kind.batch_size } : {}),
    };
  }
  return {
    name: kind.name,
    uniqueKey: typeof kind.unique_key === 'string' ? [kind.unique_key] : kind.unique_key,
    ...common,
    lookback: 0,
    batchConcurrency: 1,
    ...(kind.batch_size !== undefined ? { batchSize: kind.batch_size } : {}),
  };
}

export type ImportedTypeScriptModel =
  | { ok: true; model: TypeScriptModel }
  | { ok: false; problems: Array<{ code: string; message: string; key?: string }> };

/**
 * Imports a TypeScript model module (absolute path) and validates its export. The executor
 * uses this too, so loading and running see the same module contract.
 */
export async function importTypeScriptModel(absPath: string): Promise<ImportedTypeScriptModel> {
  let module: Record<string, unknown>;
  try {
    module = await importModule(absPath);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, problems: [{ code: 'model.typescript_import', message: `Cannot load the TypeScript model: ${message}` }] };
  }
  let exported = module['default'] ?? module['model'];
  // A module loaded as CommonJS arrives wrapped: { default: { default: model } }.
  if (exported && typeof exported === 'object' && !('name' in exported) && 'default' in exported) {
    exported = (exported as { default: unknown }).default;
  }
  if (exported === undefined) {
    return {
      ok: false,
      problems: [{ code: 'model.typescript_export', message: 'A TypeScript model must export its model as `export default defineModel({...})` (or `export const model = ...`)' }],
    };
  }
  const parsed = modelSchema.safeParse(exported);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        code: 'model.typescript_metadata',
        message: `Invalid TypeScript model '${issue.path.map(String).join('.') || 'export'}': ${issue.message}`,
        ...(typeof issue.path[0] === 'string' ? { key: issue.path[0] } : {}),
      })),
    };
  }
  // The module's own object (not zod's copy), so `execute` keeps its `this`.
  return { ok: true, model: exported as TypeScriptModel };
}

/** Imports a TypeScript model module and reads its metadata; undefined (with a diagnostic) when invalid. */
export async function loadTypeScriptModel(
  file: string,
  absPath: string,
  defaults: ModelDefaults,
  diagnostics: Diagnostics,
): Promise<TypeScriptModelDefinition | undefined> {
  const result = await importTypeScriptModel(absPath);
  if (!result.ok) {
    const text = await readFile(absPath, 'utf8').catch(() => '');
    const lines = new LineIndex(text);
    for (const problem of result.problems) {
      // Point at the property as written (`columns:`), when it can be found in the source.
      const at = problem.key ? new RegExp(`\\b${problem.key}\\s*[:(]`).exec(text) : null;
      diagnostics.error(file, at ? lines.range(at.index, at.index + problem.key!.length) : undefined, problem.code, problem.message);
    }
    return undefined;
  }
  const m = result.model;
  const start = m.start ?? defaults.start;
  const owner = m.owner ?? defaults.owner;
  return {
    source: 'typescript',
    modulePath: absPath,
    name: m.name,
    file,
    kind: toKind(m.kind),
    dialect: 'duckdb',
    cron: m.cron ?? defaults.cron ?? '@daily',
    ...(start !== undefined ? { start } : {}),
    ...(owner !== undefined ? { owner } : {}),
    ...(m.description !== undefined ? { description: m.description } : {}),
    tags: m.tags ?? [],
    grains: m.grain === undefined ? [] : typeof m.grain === 'string' ? [m.grain] : m.grain,
    references: [],
    columns: Object.entries(m.columns).map(([name, type]) => ({ name, type })),
    columnDescriptions: m.column_descriptions ?? {},
    audits: (m.audits ?? []).map((name) => ({ name: name.toLowerCase(), args: {}, range: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } } })),
    dependsOn: m.depends_on ?? [],
    enabled: m.enabled ?? defaults.enabled ?? true,
    ...unsetModelOptions(),
  };
}

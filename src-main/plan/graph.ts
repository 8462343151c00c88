/**
 * The project as the plan sees it: every enabled model rendered (at fixed times, so the text
 * depends only on the project), parsed with DuckDB's parser in one batch, its upstream models
 * found from the parse tree, ordered parents-first, and fingerprinted. Missing and circular
 * references come back as diagnostics naming the models and files.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../project/diagnostics';
import type { ModelDefinition, SqlModelDefinition } from '../project/model';
import type { Project } from '../project/project';
import type { RenderMap } from '../project/render/evaluator';
import { queryPosition, renderModel } from '../project/render/render-model';
import type { SelectStatementAst } from '../sql/ast';
import { canonicalText } from '../sql/canonical';
import type { ParseResult, SqlParser } from '../sql/parse';
import { tableReferences } from '../sql/references';
import type { Fingerprint } from '../state/records';
import { fingerprintOf, identifierOf, versionOf } from './fingerprint';
import { GraphCache, type CachedModel } from './graph-cache';
import { mark } from '../process/timing';

export interface GraphNode {
  /** Lower-case model name, `schema.table`. */
  name: string;
  model: ModelDefinition;
  /** The query rendered at fixed times (SQL models). */
  query?: string;
  /** Where each character of `query` comes from in the model file. */
  queryMap?: RenderMap;
  statements?: SelectStatementAst[];
  /** Upstream models in the project, lower-case names. */
  parents: string[];
  /** Tables read that are not models of the project (lake tables, raw data), as written. */
  sources: string[];
  fingerprint: Fingerprint;
  identifier: string;
  /** The version a new physical table would get. */
  version: string;
}

export interface ProjectGraph {
  nodes: Map<string, GraphNode>;
  /** Parents before children. */
  order: string[];
  diagnostics: Diagnostic[];
}

/** Fixed times for rendering that only the project text can change. */
const FINGERPRINT_TIMES = { start: 0, end: 0, executionTime: 0 } as const;

function normalizeReference(name: string, catalogs: ReadonlySet<string>): string {
  const parts = name.toLowerCase().split('.');
  if (parts.length === 3 && catalogs.has(parts[0] ?? '')) parts.shift();
  return parts.join('.');
}

function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)) ?? '';
}

async function contentHash(path: string): Promise<string> {
  try {
    // Read synchronously: a 10,000-model project has 500 seeds, and an async read is four thread-pool round trips.
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return 'missing';
  }
}

function dataParts(model: ModelDefinition, canonicalQuery: string, extra: string[]): string[] {
  const { kind } = model;
  return [model.source, json(kind), json(model.columns ?? null), canonicalQuery, json(model.partitionedBy), json(model.physicalProperties), model.stamp ?? '', ...extra];
}

function metadataParts(model: ModelDefinition): string[] {
  return [
    model.owner ?? '',
    model.description ?? '',
    model.cron,
    String(model.start ?? ''),
    String(model.end ?? ''),
    json([...model.tags].sort()),
    json(model.grains),
    json(model.audits.map((a) => ({ name: a.name, args: a.args }))),
    json(model.columnDescriptions),
  ];
}

export async function buildGraph(project: Project, parser: SqlParser, catalogs: Iterable<string> = []): Promise<ProjectGraph> {
  const diagnostics: Diagnostic[] = [];
  const catalogSet = new Set([...catalogs].map((c) => c.toLowerCase()));
  const models = Object.values(project.models);
  const rendered = new Map<string, { query?: string; queryMap: () => RenderMap | undefined; pre: string[]; post: string[] }>();
  // Parse trees by model, read on first use: a cached tree stays JSON text until something needs it.
  const trees = new Map<string, () => SelectStatementAst[]>();
  // Rendered and parsed models from earlier runs (.pas/cache): only new or changed ones are done again.
  const cache = GraphCache.open(project.root);
  mark('graph: cache read');
  const entries = new Map<string, CachedModel>();
  const misses: { key: string; entry: CachedModel }[] = [];
  // Where each character of a rendered query came from (problem positions): kept from a fresh
  // render, else rendered again on first use (a cached model only needs it to report a problem).
  const maps = new Map<string, () => RenderMap | undefined>();
  const lazyMap = (model: SqlModelDefinition): (() => RenderMap | undefined) => {
    let map: { value: RenderMap | undefined } | undefined;
    return () => (map ??= { value: renderModel(model, { ...FINGERPRINT_TIMES, variables: project.variables, gateway: project.gateway }).queryMap }).value;
  };
  for (const model of models) {
    if (model.source !== 'sql') continue;
    const key = cache.key(model, project.variables, project.gateway);
    let entry = cache.get(key);
    if (!entry) {
      const result = renderModel(model, { ...FINGERPRINT_TIMES, variables: project.variables, gateway: project.gateway });
      const map = result.queryMap;
      maps.set(model.name.toLowerCase(), () => map);
      entry = { ...(result.query !== undefined ? { query: result.query } : {}), pre: result.preStatements, post: result.postStatements, diagnostics: result.diagnostics };
      misses.push({ key, entry });
    }
    entries.set(model.name.toLowerCase(), entry);
    // A problem in a model_defaults statement (config.yaml) shows in every model: report it once.
    for (const d of entry.diagnostics) {
      if (!diagnostics.some((o) => o.file === d.file && o.line === d.line && o.column === d.column && o.message === d.message)) diagnostics.push(d);
    }
    rendered.set(model.name.toLowerCase(), { ...(entry.query !== undefined ? { query: entry.query } : {}), queryMap: maps.get(model.name.toLowerCase()) ?? lazyMap(model), pre: entry.pre, post: entry.post });
  }
  mark(`graph: rendered (${misses.length} not cached)`);
  const toParse = misses.filter((m) => m.entry.query !== undefined);
  // In slices of 1,000: one DuckDB call each, and never every tree of a 10,000-model project at once.
  for (let from = 0; from < toParse.length; from += 1000) {
    const slice = toParse.slice(from, from + 1000);
    const parsed = await parser.parseMany(slice.map((m) => m.entry.query ?? ''));
    slice.forEach((m, i) => keepParse(m.entry, parsed[i]));
  }
  function keepParse(entry: CachedModel, result: ParseResult | undefined): void {
    if (!result) return;
    if (result.ok) {
      // Kept as text with what fingerprints and the DAG need from it; the trees themselves are
      // parsed again only when asked for (at 10,000 models, holding them all costs ~500 MB).
      entry.trees = JSON.stringify(result.statements);
      entry.refs = result.statements.flatMap((statement) => tableReferences(statement).map((ref) => [ref.catalog, ref.schema, ref.name].filter(Boolean).join('.')));
      entry.canonical = result.statements.map(canonicalText).join(';');
    } else {
      entry.parseError = result.message;
      if (result.offset !== undefined) entry.parseOffset = result.offset;
    }
  }
  for (const m of misses) cache.set(m.key, m.entry);
  for (const [name, entry] of entries) {
    const model = project.models[name];
    if (!model) continue;
    if (cache.hasTrees(entry)) {
      let statements: SelectStatementAst[] | undefined;
      trees.set(name, () => (statements ??= JSON.parse(cache.treesOf(entry) ?? '[]') as SelectStatementAst[]));
    } else if (entry.parseError !== undefined) {
      diagnostics.push(parseDiagnostic(model, rendered.get(name)?.queryMap(), { message: entry.parseError, ...(entry.parseOffset !== undefined ? { offset: entry.parseOffset } : {}) }));
    }
  }

  // Parents from the parse trees and depends_on.
  const parentsOf = new Map<string, string[]>();
  const sourcesOf = new Map<string, string[]>();
  for (const model of models) {
    const name = model.name.toLowerCase();
    const parents = new Set<string>();
    const sources = new Set<string>();
    const entry = entries.get(name);
    // Table references and canonical text come from the tree alone: kept with the cached entry.
    const tree = trees.get(name);
    if (entry && tree && (entry.refs === undefined || entry.canonical === undefined)) {
      const statements = tree();
      entry.refs = statements.flatMap((statement) => tableReferences(statement).map((ref) => [ref.catalog, ref.schema, ref.name].filter(Boolean).join('.')));
      entry.canonical = statements.map(canonicalText).join(';');
      cache.touch();
    }
    const refs = entry?.refs ?? [];
    for (const written of refs) {
      const refName = normalizeReference(written, catalogSet);
      if (refName === name) continue; // self-reference (incremental models reading themselves)
      if (project.models[refName]) parents.add(refName);
      else sources.add(refName);
    }
    for (const dep of model.dependsOn) {
      const depName = normalizeReference(dep, catalogSet);
      if (project.models[depName]) parents.add(depName);
      else diagnostics.push(queryDiagnostic(model, `${model.name} depends on ${dep}, which is not a model of this project.`, 'model.missing_dependency'));
    }
    parentsOf.set(name, [...parents].sort());
    sourcesOf.set(name, [...sources].sort());
  }

  const order = topologicalOrder(parentsOf, project, diagnostics);
  mark('graph: parsed and ordered');

  const nodes = new Map<string, GraphNode>();
  for (const name of order) {
    const model = project.models[name];
    if (!model) continue;
    const tree = trees.get(name);
    const r = rendered.get(name);
    const extra: string[] = [...(r?.pre ?? []), '\u0000', ...(r?.post ?? [])];
    if (model.kind.name === 'SEED') extra.push(await contentHash(model.kind.resolvedPath));
    if (model.source === 'typescript') extra.push(await contentHash(model.modulePath));
    const canonical = tree ? (entries.get(name)?.canonical ?? tree().map(canonicalText).join(';')) : '';
    const parents = (parentsOf.get(name) ?? []).map((p) => nodes.get(p)).filter((n): n is GraphNode => n !== undefined);
    const fingerprint = fingerprintOf({
      data: dataParts(model, canonical, extra),
      metadata: metadataParts(model),
      parents: parents.map((p) => ({ fingerprint: p.fingerprint, version: p.version })),
    });
    const node: GraphNode = {
      name,
      model,
      ...(r?.query !== undefined ? { query: r.query } : {}),
      parents: parentsOf.get(name) ?? [],
      sources: sourcesOf.get(name) ?? [],
      fingerprint,
      identifier: identifierOf(fingerprint),
      version: versionOf(fingerprint),
    };
    // The parse trees are read when asked for (categorizing a change, lineage), not for every plan.
    if (tree) Object.defineProperty(node, 'statements', { get: tree, enumerable: true, configurable: true });
    if (r) Object.defineProperty(node, 'queryMap', { get: r.queryMap, enumerable: true, configurable: true });
    nodes.set(name, node);
  }
  mark('graph: fingerprinted');
  cache.save();
  mark('graph: cache saved');
  return { nodes, order, diagnostics };
}

/** A syntax error at its place in the model file (through the macro expansion), saying what to do. */
function parseDiagnostic(model: ModelDefinition, map: RenderMap | undefined, result: { message: string; offset?: number }): Diagnostic {
  const message = /can be serialized/.test(result.message)
    ? `The query of ${model.name} uses SQL DuckDB cannot hand over for analysis (${result.message.replace(/!$/, '')}, e.g. PIVOT); write it with GROUP BY and FILTER aggregates, or as a TypeScript model.`
    : `Syntax error in the query of ${model.name}: ${result.message.replace(/^Parser Error: /, '')}. Fix the SQL at this position (often the token just before it).`;
  const at = model.source === 'sql' && result.offset !== undefined ? queryPosition(model, map, result.offset) : undefined;
  if (!at) return queryDiagnostic(model, message, 'model.parse');
  return { file: model.file, line: at.line, column: at.column, severity: 'error', message, code: 'model.parse' };
}

function queryDiagnostic(model: ModelDefinition, message: string, code: string): Diagnostic {
  const range = model.source === 'sql' ? (model.query?.range ?? model.headerRange) : model.source === 'external' ? model.range : undefined;
  return {
    file: model.file,
    line: range?.start.line ?? 1,
    column: range?.start.column ?? 1,
    severity: 'error',
    message,
    code,
  };
}

/** Parents-first order; a cycle is reported once, naming every model on it. */
function topologicalOrder(parentsOf: Map<string, string[]>, project: Project, diagnostics: Diagnostic[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (name: string) => {
    const seen = state.get(name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      const key = [...new Set(cycle)].sort().join(',');
      const model = project.models[name];
      if (!reported.has(key) && model) {
        reported.add(key);
        diagnostics.push(queryDiagnostic(model, `Circular reference between models: ${cycle.join(' -> ')}`, 'model.cycle'));
      }
      return;
    }
    state.set(name, 'visiting');
    stack.push(name);
    for (const parent of parentsOf.get(name) ?? []) visit(parent);
    stack.pop();
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of [...parentsOf.keys()].sort()) visit(name);
  return order;
}

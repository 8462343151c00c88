/**
 * Loads `pipelines/NAME.yaml`: parses YAML (with positions), substitutes
 * `{{ env_var('NAME') }}` / `{{ env_var('NAME', 'default') }}` from the environment and the
 * project's `.env`, validates with zod, merges `resource_defaults` into each resource and checks
 * dependent-resource references. Every problem is reported as `file:line:column` plus the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { LineCounter, isMap, isNode, isPair, isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { PasException } from '../../../src-shared/errors';
import type { DataType, WriteDisposition } from '../schema/types';
import { snakeCase } from '../normalize/naming';
import type { ClientConfig, EndpointConfig, FileSourceConfig, ResourceConfig } from './schema';
import { pipelineSchema, REFUSED_KEYS } from './schema';

export interface RestSource {
  kind: 'rest';
  endpoint: EndpointConfig;
  /** Parent resource referenced by `{resources.<parent>.<field>}` placeholders. */
  parent?: string;
}

export interface FileSource {
  kind: 'file';
  file: FileSourceConfig;
}

export interface ResolvedResource {
  name: string;
  /** Normalized table name. */
  table: string;
  writeDisposition: WriteDisposition;
  /** Normalized primary key column names. */
  primaryKey: string[];
  hints: Record<string, DataType>;
  selected: boolean;
  includeFromParent: string[];
  source: RestSource | FileSource;
}

export interface ResolvedPipeline {
  name: string;
  /** The pipeline file, for messages. */
  file: string;
  /** Project root: file paths and `.env` are relative to it. */
  projectDir: string;
  dataset: string;
  client?: ClientConfig;
  /** Parents before their children. */
  resources: ResolvedResource[];
}

export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted field path, e.g. `resources.0.endpoint.paginator.limit`. */
  path: string;
  message: string;
}

export interface LoadOptions {
  /** Environment used for `env_var` (default: `process.env` over the project `.env`). */
  env?: Record<string, string | undefined>;
  projectDir?: string;
}

/** Reads and resolves a pipeline file; throws a `validation` PasException naming file:line:column. */
export function loadPipelineFile(file: string, options: LoadOptions = {}): ResolvedPipeline {
  const text = fs.readFileSync(file, 'utf8');
  const projectDir = options.projectDir ?? path.dirname(path.dirname(path.resolve(file)));
  return loadPipelineText(text, { ...options, file, projectDir });
}

export function loadPipelineText(text: string, options: LoadOptions & { file: string }): ResolvedPipeline {
  const { file } = options;
  const projectDir = options.projectDir ?? process.cwd();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number, fieldPath: string, message: string): ConfigIssue => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col, path: fieldPath, message };
  };
  if (doc.errors.length > 0) {
    fail(file, doc.errors.map((e) => at(e.pos[0], '', e.message.split('\n')[0] ?? e.message)));
  }
  const env = options.env ?? { ...readDotenv(projectDir), ...process.env };
  const issues: ConfigIssue[] = [];
  const raw = substituteEnv(doc.toJS(), [], env, (p, message) => issues.push(at(offsetOf(doc, p), p.join('.'), message)));
  if (issues.length > 0) fail(file, issues);
  const parsed = pipelineSchema.safeParse(raw);
  if (!parsed.success) fail(file, parsed.error.issues.map((issue) => zodIssue(doc, issue, at)));
  const config = parsed.data;
  const name = config.name ?? config.pipeline_name ?? path.basename(file).replace(/\.ya?ml$/, '');
  // As dlt: the destination belongs to the pipeline; the dataset is named or `<pipeline>_dataset`.
  const named = typeof config.destination === 'object' ? config.destination.dataset : undefined;
  if (named !== undefined && config.dataset_name !== undefined && named !== config.dataset_name) {
    issues.push(at(offsetOf(doc, ['destination', 'dataset']), 'destination.dataset', `names dataset "${named}" but dataset_name says "${config.dataset_name}"; keep one`));
  }
  const dataset = config.dataset_name ?? named ?? `${name}_dataset`;
  const resources = config.resources.map((r, i) => resolveResource(typeof r === 'string' ? { name: r } : r, config.resource_defaults, i));
  const byName = new Map(resources.map((r) => [r.name, r]));
  for (const [i, r] of resources.entries()) {
    const p = ['resources', i];
    if (r.source.kind === 'rest' && !config.client) issues.push(at(offsetOf(doc, p), p.join('.'), 'a REST resource needs a `client` with a base_url'));
    if (r.source.kind === 'rest' && r.source.parent && !byName.has(r.source.parent)) {
      issues.push(at(offsetOf(doc, [...p, 'endpoint']), `${p.join('.')}.endpoint`, `refers to unknown resource "${r.source.parent}"`));
    }
  }
  const tables = new Map<string, string>();
  for (const [i, r] of resources.entries()) {
    if (!r.selected) continue;
    const other = tables.get(r.table);
    if (other) issues.push(at(offsetOf(doc, ['resources', i]), `resources.${i}`, `resources "${other}" and "${r.name}" both load table "${r.table}"; set table_name`));
    tables.set(r.table, r.name);
  }
  if (issues.length > 0) fail(file, issues);
  return { name, file, projectDir, dataset, ...(config.client ? { client: config.client } : {}), resources: topological(resources, file) };
}

function resolveResource(resource: ResourceConfig, defaults: z.infer<typeof pipelineSchema>['resource_defaults'], index: number): ResolvedResource {
  const d = defaults ?? {};
  const primaryKey = resource.primary_key ?? d.primary_key;
  const hints: Record<string, DataType> = {};
  for (const [column, hint] of Object.entries({ ...d.columns, ...resource.columns })) hints[snakeCase(column)] = hint.data_type as DataType;
  const common = {
    name: resource.name,
    table: snakeCase(resource.table_name ?? d.table_name ?? resource.name),
    writeDisposition: resource.write_disposition ?? d.write_disposition ?? 'append',
    primaryKey: (primaryKey === undefined ? [] : Array.isArray(primaryKey) ? primaryKey : [primaryKey]).map(snakeCase),
    hints,
    selected: resource.selected ?? d.selected ?? true,
    includeFromParent: resource.include_from_parent ?? d.include_from_parent ?? [],
  };
  if (resource.file) return { ...common, source: { kind: 'file', file: resource.file } };
  const own: EndpointConfig =
    resource.endpoint === undefined
      ? { path: resource.name, method: 'GET' }
      : typeof resource.endpoint === 'string'
        ? { path: resource.endpoint, method: 'GET' }
        : resource.endpoint;
  const de = d.endpoint ?? {};
  // dlt's single-entity rule: a path ending in a {placeholder} with no paginator of its own
  // (or from resource_defaults) fetches one page whose body is the record.
  const singleEntity = !own.paginator && !de.paginator && /\{[^}]+\}[^/]*$/.test(own.path);
  const paginator = singleEntity ? { type: 'single_page' as const } : (own.paginator ?? de.paginator);
  const dataSelector = own.data_selector ?? de.data_selector ?? (singleEntity ? '$' : undefined);
  const endpoint: EndpointConfig = {
    ...own,
    headers: { ...de.headers, ...own.headers },
    params: { ...de.params, ...own.params },
    ...(paginator ? { paginator } : {}),
    ...(dataSelector ? { data_selector: dataSelector } : {}),
  };
  const parents = new Set<string>();
  const scan = (value: unknown): void => {
    if (typeof value === 'string') for (const m of value.matchAll(/\{resources\.([A-Za-z0-9_]+)\.[^}]+\}/g)) parents.add(m[1] as string);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) scan(v);
  };
  scan([endpoint.path, endpoint.params, endpoint.headers, endpoint.json]);
  if (parents.size > 1) {
    throw new PasException({
      code: 'validation',
      message: `resource "${resource.name}" refers to more than one parent`,
      issues: [{ path: `resources.${index}.endpoint`, message: `all placeholders must refer to one parent, got ${[...parents].join(', ')}` }],
    });
  }
  const parent = [...parents][0];
  return { ...common, source: { kind: 'rest', endpoint, ...(parent ? { parent } : {}) } };
}

function topological(resources: ResolvedResource[], file: string): ResolvedResource[] {
  const byName = new Map(resources.map((r) => [r.name, r]));
  const done = new Set<string>();
  const out: ResolvedResource[] = [];
  const visit = (r: ResolvedResource, trail: string[]): void => {
    if (done.has(r.name)) return;
    if (trail.includes(r.name)) {
      fail(file, [{ file, line: 1, column: 1, path: 'resources', message: `dependency cycle: ${[...trail, r.name].join(' -> ')}` }]);
    }
    const parent = r.source.kind === 'rest' && r.source.parent ? byName.get(r.source.parent) : undefined;
    if (parent) visit(parent, [...trail, r.name]);
    done.add(r.name);
    out.push(r);
  };
  for (const r of resources) visit(r, []);
  return out;
}

const ENV_RE = /\{\{\s*env_var\(\s*'([^']+)'\s*(?:,\s*'([^']*)'\s*)?\)\s*\}\}/g;

function substituteEnv(
  value: unknown,
  at: (string | number)[],
  env: Record<string, string | undefined>,
  report: (path: (string | number)[], message: string) => void,
): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_RE, (_all, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined) return found;
      if (fallback !== undefined) return fallback;
      report(at, `environment variable ${name} is not set (set it, add it to .env, or give a default: env_var('${name}', ''))`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, [...at, i], env, report));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, [...at, k], env, report)]));
  }
  return value;
}

function readDotenv(projectDir: string): Record<string, string> {
  const file = path.join(projectDir, '.env');
  return fs.existsSync(file) ? parseDotenv(fs.readFileSync(file)) : {};
}

/** Start offset of the node at `fieldPath`, or of its closest existing ancestor. */
function offsetOf(doc: Document, fieldPath: readonly (string | number)[], key?: string): number {
  for (let n = fieldPath.length; n >= 0; n--) {
    const node = doc.getIn(fieldPath.slice(0, n), true);
    if (n === fieldPath.length && key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
    }
    if (isNode(node) && node.range) return node.range[0];
  }
  return doc.contents && isNode(doc.contents) && doc.contents.range ? doc.contents.range[0] : 0;
}

function zodIssue(doc: Document, issue: z.core.$ZodIssue, at: (offset: number, p: string, m: string) => ConfigIssue): ConfigIssue {
  const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const refused = issue.keys.find((k) => REFUSED_KEYS[k] !== undefined);
    if (refused !== undefined) return at(offsetOf(doc, p, refused), [...p, refused].join('.'), `dlt's "${refused}" is not supported here: ${REFUSED_KEYS[refused]}`);
    const key = issue.keys[0];
    return at(offsetOf(doc, p, key), [...p, key].join('.'), `unknown field "${issue.keys.join('", "')}"`);
  }
  return at(offsetOf(doc, p), p.join('.'), issue.message);
}

function fail(file: string, issues: ConfigIssue[]): never {
  const first = issues[0];
  const where = first ? `${first.file}:${first.line}:${first.column}` : file;
  throw new PasException({
    code: 'validation',
    message: `Invalid pipeline ${where}: ${first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid'}`,
    issues: issues.map((i) => ({ path: `${i.file}:${i.line}:${i.column}${i.path ? ` ${i.path}` : ''}`, message: i.message })),
  });
}

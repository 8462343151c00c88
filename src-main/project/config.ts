/**
 * The project's `config.yaml` (or `config.yml`) as the typed `ProjectConfig`: every problem
 * placed at the YAML node it concerns. Gateways carry a DuckDB connection (`database:` or
 * `catalogs:`, DuckLake attach specs passed through as plain objects) and a DuckDB or Postgres
 * state connection. Its parts: `config/schema.ts` (the shapes), `config/checks.ts` (unknown
 * keys, types, dates, lake entries), `config/root-keys.ts` (what each SQLMesh root key does
 * here). `config.py` is reported as unsupported; a YAML config next to it still loads.
 */
import { access, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse as parseYamlScalar } from 'yaml';
import type { z } from 'zod';
import { checkDates, checkKeys, checkLakeEntries } from './config/checks';
import { parseTtl, ROOT_KEYS, WEEK_MS } from './config/root-keys';
import type { duckdbConnection, stateConnection } from './config/schema';
import { gateway, modelDefaults, root } from './config/schema';
import type { Diagnostics } from './diagnostics';
import type { ProjectEnv } from './env';
import { CONFIG_SECTION_BASE, type SqlSection } from './sql-section';
import { YamlSource } from './yaml-source';

/** `catalogs:` value: a path string (`':memory:'`, `file.duckdb`) or an attach spec. */
export type CatalogSpec = string | CatalogAttachSpec;

/** An attach spec, passed through as written (snake_case keys) for the lake layer. */
export interface CatalogAttachSpec {
  type?: string;
  path: string;
  data_path?: string;
  read_only?: boolean;
  [key: string]: unknown;
}

/** Models evaluated at once when the connection does not say (`concurrent_tasks`): 1, as SQLMesh's DuckDB connection. */
export const DEFAULT_CONCURRENT_TASKS = 1;

export interface DuckDbConnectionConfig {
  type: 'duckdb';
  /** Database file, as written (relative to the project root); in-memory when omitted. */
  database?: string;
  /** Catalog alias → spec, in file order; the first one is the default catalog. */
  catalogs: Record<string, CatalogSpec>;
  extensions: Array<string | Record<string, unknown>>;
  connectorConfig: Record<string, unknown>;
  concurrentTasks: number;
  registerComments: boolean;
  /** DuckDB secrets as written (a list, or a map of names to secrets): S3 settings for the lake. */
  secrets?: unknown;
}

export interface PostgresConnectionConfig {
  type: 'postgres';
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  sslmode?: string;
  connectTimeout?: number;
  applicationName?: string;
  role?: string;
}

export type StateConnectionConfig = { type: 'duckdb'; database?: string } | PostgresConnectionConfig;

export interface GatewayConfig {
  name: string;
  connection?: DuckDbConnectionConfig;
  stateConnection?: StateConnectionConfig;
  testConnection?: DuckDbConnectionConfig;
  stateSchema: string;
  variables: Record<string, unknown>;
}

export interface ModelDefaults {
  dialect: string;
  kind?: string;
  cron?: string;
  cronTz?: string;
  owner?: string;
  start?: string | number;
  enabled?: boolean;
  intervalUnit?: string;
  allowPartials?: boolean;
  onDestructiveChange?: string;
  onAdditiveChange?: string;
  audits: string[];
  physicalProperties: Record<string, unknown>;
  virtualProperties: Record<string, unknown>;
  sessionProperties: Record<string, unknown>;
  /** `model_defaults` statements, run around every SQL model's own (pre first, post last). */
  preStatements: SqlSection[];
  postStatements: SqlSection[];
  onVirtualUpdate: SqlSection[];
}

export interface ProjectConfig {
  /** Project-relative file it came from; undefined when the project has no YAML config. */
  file?: string;
  gateways: Record<string, GatewayConfig>;
  /** `default_gateway`, else the first gateway; undefined when there are none. */
  defaultGateway?: string;
  modelDefaults: ModelDefaults;
  variables: Record<string, unknown>;
  project?: string;
  /** `default_target_environment`: the environment `pas plan` and `pas run` use when none is named. */
  defaultTargetEnvironment: string;
  /** `snapshot_ttl`: how long a snapshot no environment uses is kept (SQLMesh's default: a week). */
  snapshotTtlMs: number;
  /** `environment_ttl`: how long a dev environment lives after its last plan; null: forever. */
  environmentTtlMs: number | null;
  /** `before_all` / `after_all`: statements run at the start and end of applying a plan and of a run. */
  beforeAll: SqlSection[];
  afterAll: SqlSection[];
  /** Other SQLMesh root keys, as written (see config/root-keys.ts for what each does here). */
  other: Record<string, unknown>;
}

/** DuckDB's own alias for a database file: its name without folders and extension (`data/local.duckdb` → `local`). */
export function databaseAlias(file: string): string {
  return basename(file.replace(':memory:', 'memory')).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_]/g, '_') || 'warehouse';
}

/** The default catalog of a duckdb connection, as SQLMesh picks it: the database's, else the first of `catalogs`, else `memory`. */
export function defaultCatalogOf(connection: DuckDbConnectionConfig | undefined): string {
  if (connection?.database !== undefined && connection.database !== '') return databaseAlias(connection.database);
  return Object.keys(connection?.catalogs ?? {})[0] ?? 'memory';
}

export const DEFAULT_MODEL_DEFAULTS: ModelDefaults = {
  dialect: 'duckdb',
  audits: [],
  physicalProperties: {},
  virtualProperties: {},
  sessionProperties: {},
  preStatements: [],
  postStatements: [],
  onVirtualUpdate: [],
};

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Loads the project's config; problems go to `diagnostics`, a usable config is always returned. */
export async function loadConfig(dir: string, env: ProjectEnv, diagnostics: Diagnostics): Promise<ProjectConfig> {
  const hasPython = await exists(join(dir, 'config.py'));
  let file: string | undefined;
  for (const candidate of ['config.yaml', 'config.yml']) {
    if (await exists(join(dir, candidate))) {
      file = candidate;
      break;
    }
  }
  if (hasPython) {
    diagnostics.at(
      'config.py',
      undefined,
      file ? 'warning' : 'error',
      'config.python_unsupported',
      file
        ? `Python config (config.py) is not supported and is ignored; ${file} is used instead`
        : 'Python config (config.py) is not supported; write the same settings in config.yaml',
    );
  }
  if (!file) {
    if (!hasPython) {
      diagnostics.error('config.yaml', undefined, 'config.missing', 'No config.yaml found in the project root');
    }
    return emptyConfig();
  }
  const text = await readFile(join(dir, file), 'utf8');
  return parseConfig(file, text, env, diagnostics);
}

/** `model_defaults.<key>` statements as SQL sections pointing at their place in the config file. */
function statementSections(source: YamlSource, text: string, file: string, key: string, statements: readonly string[] | undefined, parent: string[] = ['model_defaults']): SqlSection[] {
  return (statements ?? []).map((sql, i) => {
    const range = source.rangeAt([...parent, key, i]);
    // A quoted string's SQL starts after its quote.
    const quoted = text[range.start.offset] === '"' || text[range.start.offset] === "'";
    const start = quoted ? { ...range.start, column: range.start.column + 1, offset: range.start.offset + 1 } : range.start;
    return { sql, offset: CONFIG_SECTION_BASE + start.offset, range: { start, end: range.end }, file };
  });
}

/** `before_all` / `after_all` (a list of SQL strings) as sections at their place in the file. */
function environmentStatements(source: YamlSource, text: string, file: string, key: 'before_all' | 'after_all'): SqlSection[] {
  const value = (source.value as Record<string, unknown>)[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    source.diagnostics.error(file, source.rangeAt([key]), 'config.invalid', `'${key}' must be a list of SQL statements`);
    return [];
  }
  return statementSections(source, text, file, key, value as string[], []);
}

/** Parses config text (already read) of project-relative `file`. */
export function parseConfig(file: string, text: string, env: ProjectEnv, diagnostics: Diagnostics): ProjectConfig {
  const source = new YamlSource(file, text, env, diagnostics);
  if (source.doc.errors.length > 0) return { ...emptyConfig(), file };
  if (source.value === undefined || source.value === null) {
    diagnostics.error(file, undefined, 'config.empty', `${file} is empty; it needs at least model_defaults.dialect`);
    return { ...emptyConfig(), file };
  }
  const badTypes = checkKeys(source);
  checkDates(source, [['model_defaults', 'start']]);
  const value = applyEnvOverrides(source.value, env);
  checkLakeEntries(source, env, value);
  const parsed = root.safeParse(value);
  if (!parsed.success) {
    source.reportIssues(parsed.error.issues, 'config.invalid');
    return { ...partialConfig(source.value), file };
  }
  const data = parsed.data;
  let defaults: ModelDefaults = { ...DEFAULT_MODEL_DEFAULTS };
  if (data.model_defaults === undefined || data.model_defaults === null) {
    diagnostics.error(file, source.rangeAt([]), 'config.invalid', "config needs 'model_defaults' with at least 'dialect: duckdb'");
  } else {
    const md = modelDefaults.safeParse(data.model_defaults);
    if (!md.success) source.reportIssues(md.error.issues, 'config.invalid', ['model_defaults']);
    else {
      defaults = {
        ...toModelDefaults(md.data),
        preStatements: statementSections(source, text, file, 'pre_statements', md.data.pre_statements),
        postStatements: statementSections(source, text, file, 'post_statements', md.data.post_statements),
        onVirtualUpdate: statementSections(source, text, file, 'on_virtual_update', md.data.on_virtual_update),
      };
      if (defaults.dialect !== 'duckdb') {
        diagnostics.error(
          file,
          source.rangeAt(['model_defaults', 'dialect']),
          'config.dialect',
          `model_defaults.dialect '${md.data.dialect}' is not supported; only duckdb is`,
        );
      }
    }
  }
  const gateways: Record<string, GatewayConfig> = {};
  for (const [name, raw] of Object.entries(data.gateways ?? {})) {
    const parsedGateway = gateway.safeParse(raw ?? {});
    if (!parsedGateway.success) {
      // A connection whose type was reported already gets no second message for its shape.
      const issues = parsedGateway.error.issues.filter((issue) => !badTypes.has(['gateways', name, String(issue.path[0])].join('.')));
      source.reportIssues(issues, 'config.invalid', ['gateways', name]);
      continue;
    }
    const g = parsedGateway.data;
    gateways[name] = {
      name,
      ...(g.connection ? { connection: toDuckDb(g.connection) } : {}),
      ...(g.state_connection ? { stateConnection: toState(g.state_connection) } : {}),
      ...(g.test_connection ? { testConnection: toDuckDb(g.test_connection) } : {}),
      stateSchema: g.state_schema ?? 'sqlmesh',
      variables: g.variables ?? {},
    };
  }
  const names = Object.keys(gateways);
  let defaultGateway = names[0];
  if (data.default_gateway !== undefined) {
    const match = names.find((n) => n.toLowerCase() === data.default_gateway?.toLowerCase());
    if (match) defaultGateway = match;
    else {
      diagnostics.error(
        file,
        source.rangeAt(['default_gateway']),
        'config.default_gateway',
        `default_gateway '${data.default_gateway}' is not one of the gateways (${names.join(', ') || 'none defined'})`,
      );
    }
  }
  const other: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (ROOT_KEYS.has(key) && !['gateways', 'default_gateway', 'model_defaults', 'variables', 'project'].includes(key)) other[key] = v;
  }
  return {
    file,
    gateways,
    ...(defaultGateway !== undefined ? { defaultGateway } : {}),
    modelDefaults: defaults,
    variables: data.variables ?? {},
    ...(data.project !== undefined ? { project: data.project } : {}),
    beforeAll: environmentStatements(source, text, file, 'before_all'),
    afterAll: environmentStatements(source, text, file, 'after_all'),
    snapshotTtlMs: parseTtl(other['snapshot_ttl']) ?? WEEK_MS,
    environmentTtlMs: other['environment_ttl'] === null ? null : (parseTtl(other['environment_ttl']) ?? WEEK_MS),
    defaultTargetEnvironment: typeof other['default_target_environment'] === 'string' && other['default_target_environment'].trim() ? other['default_target_environment'].trim() : 'prod',
    other,
  };
}

function toDuckDb(c: z.infer<typeof duckdbConnection>): DuckDbConnectionConfig {
  return {
    type: 'duckdb',
    ...(c.database !== undefined ? { database: c.database } : {}),
    catalogs: (c.catalogs ?? {}) as Record<string, CatalogSpec>,
    extensions: c.extensions ?? [],
    connectorConfig: c.connector_config ?? {},
    concurrentTasks: c.concurrent_tasks ?? DEFAULT_CONCURRENT_TASKS,
    registerComments: c.register_comments ?? true,
    ...(c.secrets !== undefined ? { secrets: c.secrets } : {}),
  };
}

function toState(c: z.infer<typeof stateConnection>): StateConnectionConfig {
  if (c.type === 'duckdb') return c.database !== undefined ? { type: 'duckdb', database: c.database } : { type: 'duckdb' };
  return {
    type: 'postgres',
    host: c.host,
    port: c.port,
    user: c.user,
    database: c.database,
    ...(c.password !== undefined ? { password: c.password } : {}),
    ...(c.sslmode !== undefined ? { sslmode: c.sslmode } : {}),
    ...(c.connect_timeout !== undefined ? { connectTimeout: c.connect_timeout } : {}),
    ...(c.application_name !== undefined ? { applicationName: c.application_name } : {}),
    ...(c.role !== undefined ? { role: c.role } : {}),
  };
}

function toModelDefaults(m: z.infer<typeof modelDefaults>): ModelDefaults {
  return {
    dialect: m.dialect.toLowerCase(),
    ...(m.kind !== undefined ? { kind: m.kind } : {}),
    ...(m.cron !== undefined ? { cron: m.cron } : {}),
    ...(m.cron_tz !== undefined ? { cronTz: m.cron_tz } : {}),
    ...(m.owner !== undefined ? { owner: m.owner } : {}),
    ...(m.start !== undefined ? { start: m.start } : {}),
    ...(m.enabled !== undefined ? { enabled: m.enabled } : {}),
    ...(m.interval_unit !== undefined ? { intervalUnit: m.interval_unit } : {}),
    ...(m.allow_partials !== undefined ? { allowPartials: m.allow_partials } : {}),
    ...(m.on_destructive_change !== undefined ? { onDestructiveChange: m.on_destructive_change } : {}),
    ...(m.on_additive_change !== undefined ? { onAdditiveChange: m.on_additive_change } : {}),
    audits: m.audits ?? [],
    physicalProperties: m.physical_properties ?? {},
    virtualProperties: m.virtual_properties ?? {},
    sessionProperties: m.session_properties ?? {},
    preStatements: [],
    postStatements: [],
    onVirtualUpdate: [],
  };
}

function emptyConfig(): ProjectConfig {
  return { gateways: {}, modelDefaults: { ...DEFAULT_MODEL_DEFAULTS }, variables: {}, beforeAll: [], afterAll: [], snapshotTtlMs: WEEK_MS, environmentTtlMs: WEEK_MS, defaultTargetEnvironment: 'prod', other: {} };
}

/** What can still be used from an invalid config (variables), so models keep rendering. */
function partialConfig(value: unknown): ProjectConfig {
  const config = emptyConfig();
  if (value && typeof value === 'object') {
    const vars = (value as Record<string, unknown>)['variables'];
    if (vars && typeof vars === 'object' && !Array.isArray(vars)) config.variables = vars as Record<string, unknown>;
  }
  return config;
}

/**
 * SQLMesh's highest-precedence overrides: `SQLMESH__GATEWAYS__LOCAL__CONNECTION__DATABASE=x`
 * sets `gateways.local.connection.database` (path parts lower-cased, values read as YAML scalars).
 */
export function applyEnvOverrides(value: unknown, env: ProjectEnv): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out = structuredClone(value) as Record<string, unknown>;
  for (const [key, raw] of Object.entries(env)) {
    if (raw === undefined || !key.toUpperCase().startsWith('SQLMESH__')) continue;
    const path = key.slice('SQLMESH__'.length).toLowerCase().split('__').filter((p) => p !== '');
    if (path.length === 0) continue;
    let node: Record<string, unknown> = out;
    for (const part of path.slice(0, -1)) {
      const existingKey = Object.keys(node).find((k) => k.toLowerCase() === part) ?? part;
      const next = node[existingKey];
      if (!next || typeof next !== 'object' || Array.isArray(next)) node[existingKey] = {};
      node = node[existingKey] as Record<string, unknown>;
    }
    const last = path[path.length - 1] ?? '';
    let parsed: unknown = raw;
    try {
      parsed = parseYamlScalar(raw) as unknown;
    } catch {
      parsed = raw;
    }
    node[Object.keys(node).find((k) => k.toLowerCase() === last) ?? last] = parsed ?? raw;
  }
  return out;
}

/**
 * Every top-level key SQLMesh's `config.yaml` accepts, and what this app does with it: honoured
 * with SQLMesh's semantics, or reported. A key that changes results when ignored is an error
 * unless it has SQLMesh's default value; a key that does not (UI, prompts, notifications) is a
 * warning. docs/sqlmesh-compatibility.md lists the same table for users.
 */
import { z } from 'zod';

export interface KeyProblem {
  severity: 'error' | 'warning';
  message: string;
  /** Sub-path of the value the problem is at (default: the key's value). */
  at?: (string | number)[];
}

type Check = (value: unknown) => KeyProblem | undefined;

const honoured: Check = () => undefined;

function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === false ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && Object.keys(value as object).length === 0)
  );
}

/** Not used here and does not change results: a warning. */
function notUsed(why: string): Check {
  return (value) => (isEmpty(value) ? undefined : { severity: 'warning', message: `is not used here (${why}); it is ignored` });
}

/** Changes results unless it is SQLMesh's default (or empty): an error otherwise. */
function onlyDefault(defaults: readonly unknown[], why: string): Check {
  return (value) => {
    if (isEmpty(value)) return undefined;
    const text = typeof value === 'string' ? value.toLowerCase() : value;
    if (defaults.includes(text)) return undefined;
    return { severity: 'error', message: `${why}; remove it or use ${defaults.map((d) => `'${String(d)}'`).join(' or ')}` };
  };
}

function unsupported(why: string): Check {
  return (value) => (isEmpty(value) ? undefined : { severity: 'error', message: why });
}

const linterShape = z.strictObject({
  enabled: z.boolean().optional(),
  rules: z.union([z.literal('ALL'), z.literal('all'), z.array(z.string())]).optional(),
  warn_rules: z.union([z.literal('ALL'), z.literal('all'), z.array(z.string())]).optional(),
  ignored_rules: z.union([z.literal('ALL'), z.literal('all'), z.array(z.string())]).optional(),
});

/** `linter:` is applied by the linter; here only its shape is checked. */
const linter: Check = (value) => {
  const parsed = linterShape.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') return { severity: 'error', message: `is not a linter setting (enabled, rules, warn_rules, ignored_rules)`, at: [...path, issue.keys[0]!] };
  return { severity: 'error', message: issue.message.replace(/^Invalid input: /, ''), at: path };
};

/** `plan:` — only the prompt/display settings are harmless; forward_only changes what is built. */
const plan: Check = (value) => {
  if (isEmpty(value) || typeof value !== 'object' || Array.isArray(value)) return isEmpty(value) ? undefined : { severity: 'error', message: 'must be a map' };
  const map = value as Record<string, unknown>;
  if (map['forward_only'] === true) {
    return { severity: 'error', message: 'is not applied from config.yaml; pass --forward-only to pas plan instead', at: ['forward_only'] };
  }
  return notUsed('pas plan takes its options on the command line')(Object.fromEntries(Object.entries(map).filter(([k]) => k !== 'forward_only')));
};

export const WEEK_MS = 7 * 24 * 3600 * 1000;
const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: WEEK_MS, month: 30 * 86_400_000, year: 365 * 86_400_000 };

/** SQLMesh's TTL form, `in 1 week` / `in 3 days` (a month is 30 days, a year 365), in milliseconds. */
export function parseTtl(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\s*in\s+(\d+)\s+(second|minute|hour|day|week|month|year)s?\s*$/i.exec(value);
  return match ? Number(match[1]) * (UNIT_MS[match[2]!.toLowerCase()] ?? 0) : undefined;
}

const ttl: Check = (value) =>
  value === null || value === undefined || parseTtl(value) !== undefined
    ? undefined
    : { severity: 'error', message: "is not a time to live such as 'in 1 week' or 'in 3 days'" };

const DEFAULT_IGNORE_PATTERNS = ['.ipynb_checkpoints/*'];

/** SQLMesh's root keys (sqlmesh/core/config/root.py) and their treatment here. */
export const ROOT_KEY_CHECKS: Record<string, Check> = {
  gateways: honoured,
  default_gateway: honoured,
  model_defaults: honoured,
  variables: honoured,
  project: honoured,
  default_target_environment: honoured,
  linter,
  plan,
  format: notUsed('formatting settings of sqlmesh format'),
  ui: notUsed('settings of the SQLMesh web UI'),
  cache_dir: notUsed('nothing is cached on disk between runs'),
  log_limit: notUsed('logs are not kept'),
  users: notUsed('users and notifications'),
  notification_targets: notUsed('users and notifications'),
  username: notUsed('user-specific environments'),
  cicd_bot: notUsed('the CI/CD bot'),
  migration: notUsed('state migrations'),
  disable_anonymized_analytics: notUsed('nothing is sent anywhere'),
  infer_python_dependencies: notUsed('Python models are not supported'),
  run: notUsed('pas run has no environment checks'),
  janitor: notUsed('the janitor reports failures as errors'),
  default_test_connection: notUsed('tests run on an in-memory DuckDB'),
  gateway_managed_virtual_layer: notUsed('a project has one warehouse'),
  snapshot_ttl: ttl,
  environment_ttl: ttl,
  pinned_environments: unsupported('is not supported: the janitor would remove these environments when they expire'),
  before_all: honoured,
  after_all: honoured,
  environment_suffix_target: onlyDefault(['schema'], "views of an environment are placed by schema suffix (`marts__dev.x`) here"),
  environment_catalog_mapping: unsupported('is not supported: every environment\'s views live in the default catalog'),
  physical_schema_mapping: unsupported('is not supported: physical tables live in sqlmesh__<schema>'),
  physical_table_naming_convention: onlyDefault(['schema_and_table'], 'physical tables are named <schema>__<table>__<version> here'),
  virtual_environment_mode: onlyDefault(['full'], 'every environment has its own views here'),
  time_column_format: onlyDefault(['%y-%m-%d', '%Y-%m-%d'], 'string time columns are compared as %Y-%m-%d here'),
  ignore_patterns: (value) => {
    if (isEmpty(value) || (Array.isArray(value) && value.every((p) => DEFAULT_IGNORE_PATTERNS.includes(String(p))))) return undefined;
    return { severity: 'error', message: 'is not supported yet: every file under models/ is loaded' };
  },
  model_naming: (value) => {
    const infer = typeof value === 'object' && value !== null && (value as Record<string, unknown>)['infer_names'] === true;
    return infer ? { severity: 'warning', message: 'is not supported: give every model its name', at: ['infer_names'] } : undefined;
  },
  default_connection: unsupported('is not supported: give each gateway its connection'),
  default_scheduler: (value) => {
    const type = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['type'] : undefined;
    return type === undefined || type === 'builtin' ? undefined : { severity: 'error', message: `scheduler type '${String(type)}' is not supported; only the built-in scheduler is` };
  },
  env_vars: unsupported('is not supported: set the variables in the environment or the project .env'),
  dbt: unsupported('dbt projects are not supported'),
  loader: unsupported('custom loaders are Python classes, which are not supported'),
  loader_kwargs: unsupported('custom loaders are Python classes, which are not supported'),
};

export const ROOT_KEYS = new Set(Object.keys(ROOT_KEY_CHECKS));

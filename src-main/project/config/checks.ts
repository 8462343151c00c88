/**
 * Checks of `config.yaml` beyond its shape, each reported at the YAML node it concerns:
 * unknown keys (with a "did you mean"), connection and catalog types, dates, the DuckLake
 * entries (the lake's own validation, placed at its line), and SQLMesh's rules for the duckdb
 * connection (`database` or `catalogs`, not both).
 */
import { PasException } from '../../../src-shared/errors';
import { parseLakeCatalog } from '../../lake/config';
import type { ProjectEnv } from '../env';
import { didYouMeanClause as didYouMean } from '../suggest';
import { isTimeExpression } from '../time-expression';
import type { ValuePath, YamlSource } from '../yaml-source';
import { CATALOG_KEYS, DUCKDB_KEYS, GATEWAY_KEYS, MODEL_DEFAULT_KEYS, POSTGRES_KEYS } from './schema';
import { ROOT_KEY_CHECKS, ROOT_KEYS } from './root-keys';

/** SQLMesh's connection types; only duckdb (and postgres for state) are supported here. */
const SQLMESH_CONNECTION_TYPES = [
  'duckdb', 'motherduck', 'snowflake', 'databricks', 'bigquery', 'gcp_postgres', 'redshift', 'postgres', 'mysql',
  'mssql', 'azuresql', 'fabric', 'spark', 'trino', 'athena', 'risingwave', 'clickhouse',
];
/** What DuckDB can ATTACH as a catalog; only DuckDB files and DuckLake need no extension. */
const CATALOG_TYPES = ['duckdb', 'ducklake', 'postgres', 'sqlite', 'mysql', 'motherduck', 'iceberg'];

/** Errors for keys of the map at `path` that are not in `known`, with the closest known key. */
export function reportUnknownKeys(source: YamlSource, path: ValuePath, known: ReadonlySet<string>, what: string): void {
  for (const key of source.keysAt(path)) {
    if (known.has(key)) continue;
    source.diagnostics.error(source.file, source.keyRange(path, key), 'config.unknown_key', `Unknown key '${key}' in ${what}${didYouMean(key, known)}`);
  }
}

function typeAt(source: YamlSource, path: ValuePath): string | undefined {
  const value = source.doc.getIn([...path, 'type']);
  return typeof value === 'string' ? value : undefined;
}

/** Checks every key of the file; returns the connection paths whose `type` was reported. */
export function checkKeys(source: YamlSource): Set<string> {
  const badTypes = new Set<string>();
  reportUnknownKeys(source, [], ROOT_KEYS, 'config.yaml');
  reportUnknownKeys(source, ['model_defaults'], MODEL_DEFAULT_KEYS, 'model_defaults');
  for (const name of source.keysAt(['gateways'])) {
    const at = ['gateways', name];
    reportUnknownKeys(source, at, GATEWAY_KEYS, `gateway '${name}'`);
    for (const conn of ['connection', 'test_connection', 'state_connection']) {
      const path = [...at, conn];
      if (source.keysAt(path).length === 0) continue;
      const type = typeAt(source, path);
      const allowed = conn === 'state_connection' ? ['duckdb', 'postgres'] : ['duckdb'];
      if (type !== undefined && !allowed.includes(type.toLowerCase())) {
        badTypes.add(path.join('.'));
        const message = SQLMESH_CONNECTION_TYPES.includes(type.toLowerCase())
          ? `connection type '${type}' is not supported here; ${conn === 'state_connection' ? "use 'duckdb' or 'postgres'" : "only 'duckdb' connections are"}`
          : `unknown connection type '${type}'${didYouMean(type, SQLMESH_CONNECTION_TYPES)}`;
        source.diagnostics.error(source.file, source.rangeAt([...path, 'type']), 'config.connection_type', message);
        continue;
      }
      reportUnknownKeys(source, path, type === 'postgres' ? POSTGRES_KEYS : DUCKDB_KEYS, `gateway '${name}' ${conn}`);
    }
    checkDuckDbConnection(source, [...at, 'connection']);
    checkGatewaySettings(source, at);
  }
  for (const [key, check] of Object.entries(ROOT_KEY_CHECKS)) {
    if (!source.keysAt([]).includes(key)) continue;
    const problem = check(source.doc.getIn([key]) === undefined ? undefined : (source.value as Record<string, unknown>)[key]);
    if (!problem) continue;
    const range = problem.at?.length ? source.rangeAt([key, ...problem.at]) : source.keyRange([], key);
    const message = `'${[key, ...(problem.at ?? [])].join('.')}' ${problem.message}`;
    if (problem.severity === 'error') source.diagnostics.error(source.file, range, 'config.unsupported_key', message);
    else source.diagnostics.warning(source.file, range, 'config.unsupported_key', message);
  }
  return badTypes;
}

/** Gateway settings SQLMesh has that change nothing here (warnings) or would (errors). */
function checkGatewaySettings(source: YamlSource, at: ValuePath): void {
  const d = source.diagnostics;
  const keys = source.keysAt(at);
  const stateSchema = source.doc.getIn([...at, 'state_schema']);
  if (typeof stateSchema === 'string' && stateSchema !== 'sqlmesh') {
    d.warning(source.file, source.rangeAt([...at, 'state_schema']), 'config.unsupported_key', "'state_schema' is not used here: state lives in this app's own tables beside the catalog; it is ignored");
  }
  if (keys.includes('test_connection')) {
    d.warning(source.file, source.keyRange(at, 'test_connection'), 'config.unsupported_key', "'test_connection' is not used here: model tests run on an in-memory DuckDB; it is ignored");
  }
  const scheduler = source.doc.getIn([...at, 'scheduler', 'type']);
  if (typeof scheduler === 'string' && scheduler !== 'builtin') {
    d.error(source.file, source.rangeAt([...at, 'scheduler', 'type']), 'config.unsupported_key', `scheduler type '${scheduler}' is not supported; only the built-in scheduler is`);
  }
}

function checkDuckDbConnection(source: YamlSource, path: ValuePath): void {
  const keys = source.keysAt(path);
  if (keys.length === 0) return;
  const type = typeAt(source, path);
  if (type !== undefined && type.toLowerCase() !== 'duckdb') return;
  const d = source.diagnostics;
  if (keys.includes('database') && keys.includes('catalogs')) {
    d.error(source.file, source.keyRange(path, 'catalogs'), 'config.catalogs', 'cannot specify both `database` and `catalogs`; define every catalog in `catalogs`, the first entry being the default catalog');
  }
  if (keys.includes('filesystems')) d.error(source.file, source.keyRange(path, 'filesystems'), 'config.unsupported_key', "'filesystems' registers Python fsspec filesystems, which are not supported; use an s3:// data_path or a folder");
  if (keys.includes('token')) d.error(source.file, source.keyRange(path, 'token'), 'config.unsupported_key', "'token' is for MotherDuck, which is not supported");
  const secrets = source.doc.getIn([...path, 'secrets']) as { toJSON?: () => unknown } | undefined;
  const secretList = secrets?.toJSON?.();
  const entries: [ValuePath, unknown][] = Array.isArray(secretList)
    ? secretList.map((secret, i) => [[...path, 'secrets', i], secret])
    : secretList && typeof secretList === 'object'
      ? Object.entries(secretList).map(([name, secret]) => [[...path, 'secrets', name], secret])
      : [];
  for (const [at, secret] of entries) {
    const type = secret && typeof secret === 'object' ? (secret as { type?: unknown }).type : undefined;
    if (typeof type === 'string' && !['s3', 'r2'].includes(type.toLowerCase())) {
      d.warning(source.file, source.rangeAt([...at, 'type']), 'config.unsupported_key', `a secret of type '${type}' is not used here: only S3 and R2 secrets are (for the lake's data); it is ignored`);
    }
  }
  for (const alias of source.keysAt([...path, 'catalogs'])) {
    const at = [...path, 'catalogs', alias];
    const entryKeys = source.keysAt(at);
    if (entryKeys.length === 0) {
      const spec = source.doc.getIn(at);
      if (typeof spec === 'string' && /^(md|motherduck|postgres|postgresql|sqlite|mysql|s3|https?):/i.test(spec)) {
        d.error(source.file, source.rangeAt(at), 'config.catalog_type', `catalog '${alias}': '${spec.split(':')[0]}:' catalogs need a DuckDB extension that cannot be downloaded here; use a DuckDB file or a type: ducklake entry`);
      }
      continue;
    }
    const type = typeAt(source, at);
    if (type !== undefined && !['duckdb', 'ducklake'].includes(type.toLowerCase())) {
      const message = CATALOG_TYPES.includes(type.toLowerCase())
        ? `catalog '${alias}' of type '${type}' needs DuckDB's ${type} extension, which cannot be downloaded here; use a DuckDB file or a type: ducklake entry`
        : `unknown connection type '${type}'${didYouMean(type, CATALOG_TYPES)}`;
      d.error(source.file, source.rangeAt([...at, 'type']), 'config.catalog_type', message);
      continue;
    }
    reportUnknownKeys(source, at, CATALOG_KEYS, `catalog '${alias}'`);
  }
}

/**
 * Each `type: ducklake` entry through the lake's own validation (paths, S3 settings, secrets),
 * every issue placed at its key.
 */
export function checkLakeEntries(source: YamlSource, env: ProjectEnv, value: unknown): void {
  const gateways = (value as { gateways?: Record<string, { connection?: { catalogs?: Record<string, unknown>; secrets?: unknown } }> }).gateways ?? {};
  for (const [name, gateway] of Object.entries(gateways)) {
    for (const [alias, entry] of Object.entries(gateway?.connection?.catalogs ?? {})) {
      if (typeof entry !== 'object' || entry === null || String((entry as { type?: unknown }).type).toLowerCase() !== 'ducklake') continue;
      const base = ['gateways', name, 'connection', 'catalogs', alias];
      try {
        const secrets = gateway?.connection?.secrets;
        parseLakeCatalog(alias, entry, { projectDir: '.', env, field: '\u0000', ...(secrets !== undefined ? { secrets, secretsField: '\u0001' } : {}) });
      } catch (error) {
        if (!(error instanceof PasException) || error.error.code !== 'validation') throw error;
        for (const issue of error.error.issues ?? []) {
          const [head, ...rest] = issue.path.split('.');
          const path = head === '\u0001' ? ['gateways', name, 'connection', 'secrets', ...rest] : [...base, ...rest];
          const where = path.slice(3).join('.');
          source.diagnostics.error(source.file, source.rangeAt(path.map((p) => (/^\d+$/.test(p) ? Number(p) : p))), 'config.catalog', `${where}: ${issue.message}`);
        }
      }
    }
  }
}

/** `model_defaults.start` (and any other date key given) must be a date SQLMesh reads. */
export function checkDates(source: YamlSource, paths: ValuePath[]): void {
  for (const path of paths) {
    const value = source.doc.getIn(path as unknown[]);
    if (value === undefined || value === null) continue;
    if (!isTimeExpression(value)) {
      source.diagnostics.error(
        source.file,
        source.rangeAt(path),
        'config.date',
        `'${path.join('.')}' is not a date: '${String(value)}' (write YYYY-MM-DD, a date-time, epoch milliseconds, or a relative date such as '1 year ago')`,
      );
    }
  }
}

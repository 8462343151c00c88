/**
 * A lake's configuration: the `catalogs:` entry (`type: ducklake`) of a SQLMesh duckdb
 * connection in `config.yaml`, already loaded from YAML with `{{ env_var(...) }}` substituted,
 * validated and turned into a typed `LakeConfig` (where the catalog lives, where the data
 * lives, how to reach it). Errors are `validation` PasExceptions naming the field at fault,
 * e.g. `catalogs.lake.data_path`; they never echo a field's value.
 *
 * Accepted entry (every key but `type` and `path` optional):
 * ```yaml
 * catalogs:
 *   lake:
 *     type: ducklake
 *     path: meta.ducklake            # DuckDB file, relative to the project folder, or
 *                                    # postgres:host=... dbname=... user=... password=...
 *                                    # postgres:postgresql://user:pw@host:5432/db
 *     data_path: data/lake/          # folder (relative to the project), file:// URL, or s3://bucket/prefix/
 *     metadata_schema: lake          # schema of the catalog tables (default main / public)
 *     read_only: false
 *     encrypted: false
 *     data_inlining_row_limit: 0
 *     s3:                            # only with an s3:// data_path; names follow DuckDB's S3 secret
 *       endpoint: <account>.r2.cloudflarestorage.com   # or http://127.0.0.1:9000; default AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL
 *       use_ssl: true                # scheme for an endpoint written without one
 *       region: auto                 # default AWS_REGION / AWS_DEFAULT_REGION, `auto` for R2, else us-east-1
 *       url_style: path              # path | vhost; default path with a custom endpoint, vhost without
 *       key_id: ...                  # key_id + secret (+ session_token), or none of them to use
 *       secret: ...                  #   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
 *       session_token: ...
 *       cache_folder: .cache/lake    # read cache, relative to the project; default under the OS cache dir
 *       cache_max_size: 10GB         # bytes or a size with KB/MB/GB/TB (KiB, MiB, ... too)
 * ```
 * S3 settings may instead come from the connection's DuckDB `secrets:` (`type: s3` or `r2`,
 * see `config-duckdb-secrets.ts`); the entry's own `s3:` keys win over a secret's.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PasException, type ValidationIssue } from '../../src-shared/errors';
import { s3SettingsFromSecrets, type S3Settings } from './config-duckdb-secrets';
import { ConnectionStringError, parsePostgresConnection, type PgConnectionOptions, type SslMode } from './config-libpq';

export type { PgConnectionOptions, SslMode } from './config-libpq';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type LakeCatalogStore =
  | { kind: 'duckdb-file'; /** Absolute path of the DuckDB catalog file. */ path: string }
  | { kind: 'postgres'; connection: PgConnectionOptions; sslmode?: SslMode };

export interface LocalDataConfig {
  kind: 'local';
  /** Absolute folder path ending in '/'. */
  folder: string;
}

export interface S3DataConfig {
  kind: 's3';
  bucket: string;
  /** Key prefix of the data root: '' or ending in '/'. */
  prefix: string;
  /** Full URL with scheme; undefined means AWS S3. */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** Undefined: the AWS SDK's default chain (environment, profile, instance role). */
  credentials?: S3Credentials;
  /** Absolute folder for the read cache; undefined: under the OS cache folder. */
  cacheFolder?: string;
  cacheMaxBytes?: number;
}

export type LakeDataConfig = LocalDataConfig | S3DataConfig;

export interface LakeConfig {
  /** The catalog alias, the key under `catalogs:`. */
  name: string;
  catalog: LakeCatalogStore;
  data: LakeDataConfig;
  metadataSchema?: string;
  readOnly: boolean;
  encrypted: boolean;
  dataInliningRowLimit?: number;
}

export interface ParseLakeOptions {
  /** The project folder; relative paths are resolved against it. */
  projectDir: string;
  /** Environment for S3 defaults (AWS_*); `process.env` when omitted. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Field path of the entry in error messages; default `catalogs.<name>`. */
  field?: string;
  /**
   * The connection's `secrets:` (DuckDB CREATE SECRET parameters, a list or a map): a
   * `type: s3` or `type: r2` secret scoped to the data path supplies S3 settings the
   * entry's `s3:` block leaves out.
   */
  secrets?: unknown;
  /** Field path of `secrets` in error messages; default: `secrets` beside `catalogs`. */
  secretsField?: string;
}

const SIZE_UNITS: Record<string, number> = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40,
};

const byteSize = z.union([
  z.number().int().positive(),
  z.string().regex(/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/i, 'must be a size such as 500MB or 10GB'),
]);

const s3Settings = z.strictObject({
  endpoint: z.string().min(1).optional(),
  use_ssl: z.boolean().optional(),
  region: z.string().min(1).optional(),
  url_style: z.enum(['path', 'vhost']).optional(),
  key_id: z.string().min(1).optional(),
  secret: z.string().min(1).optional(),
  session_token: z.string().min(1).optional(),
  cache_folder: z.string().min(1).optional(),
  cache_max_size: byteSize.optional(),
});

const lakeEntry = z.strictObject({
  type: z.literal('ducklake'),
  path: z.string().min(1),
  data_path: z.string().min(1).optional(),
  metadata_schema: z.string().min(1).optional(),
  read_only: z.boolean().optional(),
  encrypted: z.boolean().optional(),
  data_inlining_row_limit: z.number().int().nonnegative().optional(),
  s3: s3Settings.optional(),
});

type LakeEntry = z.infer<typeof lakeEntry>;

/** The entries of a `catalogs:` map that are DuckLake catalogs, in order, parsed. */
export function parseLakeCatalogs(catalogs: unknown, options: Omit<ParseLakeOptions, 'field'> & { field?: string }): LakeConfig[] {
  const field = options.field ?? 'catalogs';
  if (catalogs === null || typeof catalogs !== 'object' || Array.isArray(catalogs)) {
    throw invalid([{ path: field, message: 'must be a map of catalog names to catalogs' }]);
  }
  const lakes: LakeConfig[] = [];
  for (const [name, entry] of Object.entries(catalogs)) {
    if (entry !== null && typeof entry === 'object' && (entry as { type?: unknown }).type === 'ducklake') {
      lakes.push(parseLakeCatalog(name, entry, { ...options, field: `${field}.${name}` }));
    }
  }
  return lakes;
}

/** Validates one `type: ducklake` catalog entry; throws a `validation` PasException naming the field. */
export function parseLakeCatalog(name: string, entry: unknown, options: ParseLakeOptions): LakeConfig {
  const field = options.field ?? `catalogs.${name}`;
  const parsed = lakeEntry.safeParse(entry);
  if (!parsed.success) throw invalid(parsed.error.issues.flatMap((issue) => zodIssues(field, issue)));
  const value = parsed.data;
  const env = options.env ?? process.env;
  const issues: ValidationIssue[] = [];
  const catalog = catalogStore(value.path, options.projectDir, `${field}.path`, issues);
  const secretsField = options.secretsField ?? (/(^|\.)catalogs\.[^.]+$/.test(field) ? field.replace(/catalogs\.[^.]+$/, 'secrets') : 'secrets');
  const fromSecrets =
    value.data_path !== undefined && /^s3:\/\//i.test(value.data_path)
      ? s3SettingsFromSecrets(options.secrets, value.data_path, secretsField, issues)
      : undefined;
  const data = dataConfig({ ...value, s3: mergeS3(fromSecrets, value.s3) }, catalog, options.projectDir, env, field, issues);
  if (issues.length > 0 || !catalog || !data) throw invalid(issues);
  const config: LakeConfig = {
    name,
    catalog,
    data,
    readOnly: value.read_only ?? false,
    encrypted: value.encrypted ?? false,
  };
  if (value.metadata_schema !== undefined) config.metadataSchema = value.metadata_schema;
  if (value.data_inlining_row_limit !== undefined) config.dataInliningRowLimit = value.data_inlining_row_limit;
  return config;
}

/** The entry's own `s3:` settings win; credentials come as a group from one place. */
function mergeS3(fromSecrets: S3Settings | undefined, own: LakeEntry['s3']): LakeEntry['s3'] {
  if (!fromSecrets) return own;
  const merged = { ...fromSecrets, ...own };
  const ownCredentials = own && (own.key_id !== undefined || own.secret !== undefined || own.session_token !== undefined);
  const source = ownCredentials ? own : fromSecrets;
  delete merged.key_id;
  delete merged.secret;
  delete merged.session_token;
  if (source?.key_id !== undefined) merged.key_id = source.key_id;
  if (source?.secret !== undefined) merged.secret = source.secret;
  if (source?.session_token !== undefined) merged.session_token = source.session_token;
  return merged;
}

function catalogStore(raw: string, projectDir: string, field: string, issues: ValidationIssue[]): LakeCatalogStore | undefined {
  const text = raw.replace(/^ducklake:/i, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    // `postgres:` prefix then the connection string; `postgresql://...` on its own is a URL too.
    const connection = scheme === 'postgres' && !text.startsWith('postgres://') ? text.slice('postgres:'.length) : text;
    try {
      const parsed = parsePostgresConnection(connection);
      const store: LakeCatalogStore = { kind: 'postgres', connection: parsed.options };
      if (parsed.sslmode) store.sslmode = parsed.sslmode;
      return store;
    } catch (error) {
      const reason = error instanceof ConnectionStringError ? error.message : 'is not a valid PostgreSQL connection string';
      issues.push({ path: field, message: `PostgreSQL connection string: ${reason}` });
      return undefined;
    }
  }
  if (scheme && scheme.length > 1) {
    issues.push({
      path: field,
      message: `catalog store "${scheme}:" is not supported; use a DuckDB file path or postgres:<connection string>`,
    });
    return undefined;
  }
  if (text === ':memory:') {
    issues.push({ path: field, message: 'an in-memory catalog cannot hold a lake; use a file path' });
    return undefined;
  }
  return { kind: 'duckdb-file', path: path.resolve(projectDir, text) };
}

function dataConfig(
  value: LakeEntry,
  catalog: LakeCatalogStore | undefined,
  projectDir: string,
  env: Readonly<Record<string, string | undefined>>,
  field: string,
  issues: ValidationIssue[],
): LakeDataConfig | undefined {
  const dataPath = value.data_path;
  if (dataPath === undefined) {
    if (value.s3) issues.push({ path: `${field}.s3`, message: 'S3 settings need an s3:// data_path' });
    if (catalog?.kind === 'postgres') {
      issues.push({ path: `${field}.data_path`, message: 'is required when the catalog is in PostgreSQL' });
      return undefined;
    }
    // DuckLake's default for a DuckDB-file catalog: `<catalog file>.files/`.
    return catalog ? { kind: 'local', folder: folderPath(`${catalog.path}.files`) } : undefined;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(dataPath)?.[1]?.toLowerCase();
  if (scheme === 's3') return s3Data(dataPath, value.s3 ?? {}, projectDir, env, field, issues);
  if (scheme === 'file') {
    if (value.s3) issues.push({ path: `${field}.s3`, message: 'S3 settings need an s3:// data_path' });
    try {
      return { kind: 'local', folder: folderPath(fileURLToPath(dataPath)) };
    } catch {
      issues.push({ path: `${field}.data_path`, message: 'is not a valid file:// URL' });
      return undefined;
    }
  }
  if (scheme) {
    issues.push({ path: `${field}.data_path`, message: `${scheme}:// storage is not supported; use s3://bucket/prefix/ or a folder` });
    return undefined;
  }
  if (value.s3) issues.push({ path: `${field}.s3`, message: 'S3 settings need an s3:// data_path' });
  return { kind: 'local', folder: folderPath(path.resolve(projectDir, dataPath)) };
}

function s3Data(
  dataPath: string,
  s3: NonNullable<LakeEntry['s3']>,
  projectDir: string,
  env: Readonly<Record<string, string | undefined>>,
  field: string,
  issues: ValidationIssue[],
): S3DataConfig | undefined {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(dataPath);
  const bucket = match?.[1] ?? '';
  const rawPrefix = match?.[2] ?? '';
  const before = issues.length;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    issues.push({ path: `${field}.data_path`, message: 'must be s3://bucket/prefix/ with a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)' });
  }
  const prefix = rawPrefix.replace(/\/+$/, '');
  if (prefix.split('/').some((part) => part === '' || part === '.' || part === '..') && prefix !== '') {
    issues.push({ path: `${field}.data_path`, message: 'the prefix must not contain empty, "." or ".." segments' });
  }
  const endpoint = s3Endpoint(s3.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL, s3.use_ssl ?? true);
  if (endpoint === null) issues.push({ path: `${field}.s3.endpoint`, message: 'must be a host (with optional port) or an http(s):// URL' });
  const credentials = s3Credentials(s3, env, field, issues);
  if (issues.length > before || endpoint === null) return undefined;
  const isR2 = endpoint !== undefined && /\.r2\.cloudflarestorage\.com$/i.test(new URL(endpoint).hostname);
  const region = s3.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (isR2 ? 'auto' : 'us-east-1');
  const urlStyle = s3.url_style ?? (endpoint === undefined ? 'vhost' : 'path');
  const config: S3DataConfig = {
    kind: 's3',
    bucket,
    prefix: prefix ? `${prefix}/` : '',
    region,
    forcePathStyle: urlStyle === 'path',
  };
  if (endpoint !== undefined) config.endpoint = endpoint;
  if (credentials) config.credentials = credentials;
  if (s3.cache_folder !== undefined) config.cacheFolder = path.resolve(projectDir, s3.cache_folder);
  if (s3.cache_max_size !== undefined) config.cacheMaxBytes = parseByteSize(s3.cache_max_size);
  return config;
}

/** A full endpoint URL; undefined when none is given; null when it is malformed. */
function s3Endpoint(raw: string | undefined, useSsl: boolean): string | undefined | null {
  if (raw === undefined || raw.trim() === '') return undefined;
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw.trim() : `${useSsl ? 'https' : 'http'}://${raw.trim()}`;
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.username || url.password || url.search || url.hash) return null;
    // DuckDB's default endpoint means plain AWS S3.
    if (url.hostname === 's3.amazonaws.com') return undefined;
    return text.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

function s3Credentials(
  s3: NonNullable<LakeEntry['s3']>,
  env: Readonly<Record<string, string | undefined>>,
  field: string,
  issues: ValidationIssue[],
): S3Credentials | undefined {
  if (s3.key_id !== undefined || s3.secret !== undefined || s3.session_token !== undefined) {
    if (s3.key_id === undefined) issues.push({ path: `${field}.s3.key_id`, message: 'is required with s3.secret' });
    if (s3.secret === undefined) issues.push({ path: `${field}.s3.secret`, message: 'is required with s3.key_id' });
    if (s3.key_id === undefined || s3.secret === undefined) return undefined;
    const credentials: S3Credentials = { accessKeyId: s3.key_id, secretAccessKey: s3.secret };
    if (s3.session_token !== undefined) credentials.sessionToken = s3.session_token;
    return credentials;
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const credentials: S3Credentials = { accessKeyId, secretAccessKey };
  if (env.AWS_SESSION_TOKEN) credentials.sessionToken = env.AWS_SESSION_TOKEN;
  return credentials;
}

/** `10GB` → 10_000_000_000, `1GiB` → 1_073_741_824; numbers are bytes. */
export function parseByteSize(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = SIZE_UNITS[(match?.[2] || 'B').toUpperCase()];
  if (!match || unit === undefined) throw new Error(`not a size: ${value}`);
  return Math.round(Number(match[1]) * unit);
}

function folderPath(folder: string): string {
  const absolute = process.platform === 'win32' ? folder.replace(/\\/g, '/') : folder;
  return absolute.endsWith('/') ? absolute : `${absolute}/`;
}

function zodIssues(field: string, issue: z.core.$ZodIssue): ValidationIssue[] {
  const at = [field, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: `${at}.${key}`, message: 'is not a known setting' }));
  }
  if (issue.code === 'invalid_value' && issue.path.length === 1 && issue.path[0] === 'type') {
    return [{ path: at, message: 'must be ducklake' }];
  }
  return [{ path: at, message: issue.message }];
}

function invalid(issues: ValidationIssue[]): PasException {
  const first = issues[0];
  const message = first ? `Invalid lake configuration: ${first.path}: ${first.message}` : 'Invalid lake configuration';
  return new PasException({ code: 'validation', message, issues });
}

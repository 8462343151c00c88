/**
 * Keeping a lake's secrets out of logs, errors and anything sent to the UI: the secret values
 * of a configuration (catalog passwords, S3 secret keys and session tokens), a `Redactor`
 * that replaces them (and anything shaped like a credential) with `***`, and a display-safe
 * one-line description of a lake configuration.
 */
import type { LakeConfig, LakeDataConfig } from './config';

export const MASK = '***';

/**
 * Credential shapes masked even when their value is not a known secret: passwords in
 * URLs and libpq strings, AWS secret environment assignments, presigned-URL tokens.
 */
const SHAPES: { pattern: RegExp; replace: string }[] = [
  // scheme://user:password@host
  { pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, replace: `$1${MASK}@` },
  // libpq password='quoted value' or password=value
  { pattern: /(\bpassword\s*=\s*)'(?:[^'\\]|\\.)*'/gi, replace: `$1${MASK}` },
  { pattern: /(\bpassword\s*=\s*)(?!\*\*\*)[^\s'&]+/gi, replace: `$1${MASK}` },
  { pattern: /(\b(?:AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)\s*[=:]\s*)[^\s'"]+/g, replace: `$1${MASK}` },
  { pattern: /(\bX-Amz-(?:Security-Token|Signature|Credential)=)[^\s&]+/gi, replace: `$1${MASK}` },
];

/** Replaces known secret values and credential-shaped text with `***`. */
export class Redactor {
  private readonly values: string[];

  constructor(secrets: Iterable<string | undefined> = []) {
    const values = new Set<string>();
    for (const secret of secrets) {
      if (secret === undefined || secret.trim() === '') continue;
      values.add(secret);
      // The same secret as it appears inside a URL or a JSON string.
      values.add(encodeURIComponent(secret));
      values.add(JSON.stringify(secret).slice(1, -1));
    }
    // Longest first, so a secret containing another is masked whole.
    this.values = [...values].sort((a, b) => b.length - a.length);
  }

  /** A redactor that also hides `more`. */
  with(more: Iterable<string | undefined>): Redactor {
    return new Redactor([...this.values, ...more]);
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.values) out = out.split(value).join(MASK);
    for (const { pattern, replace } of SHAPES) out = out.replace(pattern, replace);
    return out;
  }

  /** An Error with the message (and stack) redacted, without its cause (which may hold requests). */
  redactError(error: unknown): Error {
    const message = this.redact(error instanceof Error ? error.message : String(error));
    const clean = new Error(message);
    if (error instanceof Error) {
      clean.name = error.name;
      if (error.stack) clean.stack = this.redact(error.stack);
    }
    return clean;
  }
}

/** `redact(text, secrets)`: one-shot form of `new Redactor(secrets).redact(text)`. */
export function redact(text: string, secrets: Iterable<string | undefined> = []): string {
  return new Redactor(secrets).redact(text);
}

/** Every secret value in a lake configuration. */
export function lakeSecrets(config: LakeConfig): string[] {
  const secrets: string[] = [];
  if (config.catalog.kind === 'postgres' && config.catalog.connection.password) {
    secrets.push(config.catalog.connection.password);
  }
  if (config.data.kind === 's3' && config.data.credentials) {
    secrets.push(config.data.credentials.secretAccessKey);
    if (config.data.credentials.sessionToken) secrets.push(config.data.credentials.sessionToken);
  }
  return secrets;
}

const SECRET_KEY = /(password|passwd|secret|token|private_key|api_key|apikey|access_key(?!_id))/i;

/**
 * Secret-looking values anywhere in a raw (YAML-loaded) configuration: values of keys named
 * like password / secret / token / api_key, and passwords inside connection strings
 * (`password=...` pairs, `scheme://user:password@host` URLs).
 */
export function secretsInRawConfig(value: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, key: string | undefined) => {
    if (typeof node === 'string') {
      if (key !== undefined && SECRET_KEY.test(key) && node.trim() !== '') found.add(node);
      for (const match of node.matchAll(/\bpassword\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s']+))/gi)) {
        const secret = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
        if (secret) found.add(secret);
      }
      for (const match of node.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/gi)) {
        if (match[1]) {
          found.add(match[1]);
          try {
            found.add(decodeURIComponent(match[1]));
          } catch {
            // not percent-encoded
          }
        }
      }
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item, key);
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) visit(v, k);
    }
  };
  visit(value, undefined);
  return [...found];
}

export function redactorFor(config: LakeConfig): Redactor {
  return new Redactor(lakeSecrets(config));
}

/** A copy of the configuration with every secret replaced by `***`, safe to log or send to the UI. */
export function safeLakeConfig(config: LakeConfig): LakeConfig {
  const safe: LakeConfig = { ...config };
  if (config.catalog.kind === 'postgres' && config.catalog.connection.password !== undefined) {
    safe.catalog = { ...config.catalog, connection: { ...config.catalog.connection, password: MASK } };
  }
  if (config.data.kind === 's3' && config.data.credentials) {
    const { sessionToken, ...rest } = config.data.credentials;
    safe.data = {
      ...config.data,
      credentials: { ...rest, secretAccessKey: MASK, ...(sessionToken !== undefined ? { sessionToken: MASK } : {}) },
    };
  }
  return safe;
}

/**
 * One display-safe line, e.g.
 * `lake: catalog postgres://user:***@host:5432/db, data s3://bucket/prefix/ (endpoint http://127.0.0.1:9000)`.
 */
export function describeLakeConfig(config: LakeConfig): string {
  const text = `${config.name}: catalog ${describeCatalog(config)}, data ${describeData(config.data)}`;
  return redactorFor(config).redact(text);
}

export function describeCatalog(config: LakeConfig): string {
  const catalog = config.catalog;
  if (catalog.kind === 'duckdb-file') return catalog.path;
  const c = catalog.connection;
  const user = c.user ? `${encodeURIComponent(c.user)}${c.password ? `:${MASK}` : ''}@` : '';
  const host = c.host ? (c.host.includes(':') && !c.host.startsWith('/') ? `[${c.host}]` : c.host) : '';
  const port = c.port !== undefined ? `:${c.port}` : '';
  const db = c.database ? `/${encodeURIComponent(c.database)}` : '';
  const ssl = catalog.sslmode ? `?sslmode=${catalog.sslmode}` : '';
  return `postgres://${user}${host.startsWith('/') ? encodeURIComponent(host) : host}${port}${db}${ssl}`;
}

export function describeData(data: LakeDataConfig): string {
  if (data.kind === 'local') return data.folder;
  const details = [
    data.endpoint ? `endpoint ${data.endpoint}` : undefined,
    `region ${data.region}`,
    data.forcePathStyle ? 'path-style' : undefined,
    data.credentials ? `key ${data.credentials.accessKeyId}` : 'credentials from the environment',
  ].filter((part) => part !== undefined);
  return `s3://${data.bucket}/${data.prefix} (${details.join(', ')})`;
}

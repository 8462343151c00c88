/**
 * S3 settings from the `secrets:` of a SQLMesh duckdb connection (DuckDB `CREATE SECRET`
 * parameters: `type: s3 | r2`, key_id, secret, session_token, region, endpoint, url_style,
 * use_ssl, scope, account_id, provider), so a project written for DuckDB's DuckLake on S3
 * works unchanged. The secret whose scope is the longest prefix of the data path wins, as
 * in DuckDB; an unscoped secret matches every path.
 */
import { z } from 'zod';
import type { ValidationIssue } from '../../src-shared/errors';

/** The S3 keys a lake entry's `s3:` block and a DuckDB secret share. */
export interface S3Settings {
  endpoint?: string;
  use_ssl?: boolean;
  region?: string;
  url_style?: 'path' | 'vhost';
  key_id?: string;
  secret?: string;
  session_token?: string;
}

const duckdbS3Secret = z.looseObject({
  type: z.string(),
  key_id: z.string().min(1).optional(),
  secret: z.string().min(1).optional(),
  session_token: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  endpoint: z.string().min(1).optional(),
  url_style: z.enum(['path', 'vhost']).optional(),
  use_ssl: z.boolean().optional(),
  account_id: z.string().min(1).optional(),
  provider: z.enum(['config', 'credential_chain']).optional(),
  scope: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
});

/**
 * The S3 settings of the best-matching `type: s3` / `type: r2` secret for `dataPath`, or
 * undefined when none matches. `secrets` is the connection's `secrets:` value: a list, or
 * a map of secret names to secrets.
 */
export function s3SettingsFromSecrets(
  secrets: unknown,
  dataPath: string,
  field: string,
  issues: ValidationIssue[],
): S3Settings | undefined {
  if (secrets === undefined || secrets === null) return undefined;
  let entries: [string, unknown][];
  if (Array.isArray(secrets)) entries = secrets.map((secret, i) => [`${field}[${i}]`, secret]);
  else if (typeof secrets === 'object') entries = Object.entries(secrets).map(([name, secret]) => [`${field}.${name}`, secret]);
  else {
    issues.push({ path: field, message: 'must be a list of secrets or a map of secret names to secrets' });
    return undefined;
  }
  let best: { settings: S3Settings; scopeLength: number } | undefined;
  for (const [at, raw] of entries) {
    const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !['s3', 'r2'].includes(type.toLowerCase())) continue;
    const parsed = duckdbS3Secret.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ path: [at, ...issue.path.map(String)].join('.'), message: issue.message });
      continue;
    }
    const secret = parsed.data;
    const scopes = secret.scope === undefined ? [''] : Array.isArray(secret.scope) ? secret.scope : [secret.scope];
    const match = scopes.filter((scope) => dataPath.startsWith(scope)).sort((a, b) => b.length - a.length)[0];
    if (match === undefined || (best && best.scopeLength >= match.length)) continue;
    const settings: S3Settings = {};
    if (secret.type.toLowerCase() === 'r2') {
      if (!secret.account_id && !secret.endpoint) {
        issues.push({ path: `${at}.account_id`, message: 'is required for an r2 secret' });
        continue;
      }
      settings.endpoint = secret.endpoint ?? `${secret.account_id}.r2.cloudflarestorage.com`;
      settings.region = secret.region ?? 'auto';
    } else {
      if (secret.endpoint !== undefined) settings.endpoint = secret.endpoint;
      if (secret.region !== undefined) settings.region = secret.region;
    }
    if (secret.url_style !== undefined) settings.url_style = secret.url_style;
    if (secret.use_ssl !== undefined) settings.use_ssl = secret.use_ssl;
    if (secret.provider !== 'credential_chain' && (secret.key_id === undefined) !== (secret.secret === undefined)) {
      issues.push({ path: `${at}.${secret.key_id === undefined ? 'key_id' : 'secret'}`, message: 'key_id and secret go together' });
      continue;
    }
    if (secret.provider !== 'credential_chain') {
      if (secret.key_id !== undefined) settings.key_id = secret.key_id;
      if (secret.secret !== undefined) settings.secret = secret.secret;
      if (secret.session_token !== undefined) settings.session_token = secret.session_token;
    }
    best = { settings, scopeLength: match.length };
  }
  return best?.settings;
}

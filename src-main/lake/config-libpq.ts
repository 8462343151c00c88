/**
 * PostgreSQL connection strings for a lake catalog: libpq key/value strings
 * (`host=db port=5432 dbname=lake user=u password='p w' sslmode=require`) and
 * `postgresql://user:pw@host:5432/db?sslmode=require` URLs, turned into `pg` client options.
 * Error messages name keys and positions, never values (a value may be a password).
 */
import type { ConnectionOptions } from 'node:tls';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** The subset of `pg.ClientConfig` a lake catalog needs; assignable to `pg.ClientConfig`. */
export interface PgConnectionOptions {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  /** From `sslmode`: false for disable/allow/prefer (pg cannot fall back), TLS options otherwise. */
  ssl?: false | ConnectionOptions;
  application_name?: string;
  connectionTimeoutMillis?: number;
  /** Server options, libpq `options` (e.g. `-c search_path=lake`). */
  options?: string;
}

export interface PostgresConnection {
  options: PgConnectionOptions;
  /** The sslmode as written, when given. */
  sslmode?: SslMode;
}

export class ConnectionStringError extends Error {
  override name = 'ConnectionStringError';
}

/** libpq keys we map onto `pg` options. */
const MAPPED = new Set(['host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'sslmode', 'application_name', 'connect_timeout', 'options']);
/** Other libpq keys: accepted and ignored, since `pg` has no equivalent. */
const IGNORED = new Set([
  'passfile', 'channel_binding', 'fallback_application_name', 'keepalives', 'keepalives_idle',
  'keepalives_interval', 'keepalives_count', 'tcp_user_timeout', 'replication', 'gssencmode',
  'sslnegotiation', 'sslcompression', 'sslcert', 'sslkey', 'sslpassword', 'sslcertmode', 'sslrootcert',
  'sslcrl', 'sslcrldir', 'sslsni', 'requirepeer', 'ssl_min_protocol_version', 'ssl_max_protocol_version',
  'krbsrvname', 'gsslib', 'gssdelegation', 'service', 'target_session_attrs', 'load_balance_hosts',
  'require_auth', 'client_encoding',
]);

/** Parses libpq `key=value` pairs; values may be single-quoted with `\'` and `\\` escapes. */
export function parseLibpqPairs(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  for (;;) {
    skipSpace();
    if (i >= text.length) return pairs;
    const keyStart = i;
    while (i < text.length && /[A-Za-z0-9_]/.test(text[i] ?? '')) i++;
    const key = text.slice(keyStart, i);
    if (!key) throw new ConnectionStringError(`expected a key at character ${keyStart + 1}`);
    skipSpace();
    if (text[i] !== '=') throw new ConnectionStringError(`missing "=" after "${key}"`);
    i++;
    skipSpace();
    let value = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new ConnectionStringError(`unterminated quoted value for "${key}"`);
        i++;
        if (c === "'") break;
        if (c === '\\') {
          const next = text[i];
          if (next === undefined) throw new ConnectionStringError(`unterminated quoted value for "${key}"`);
          value += next;
          i++;
        } else value += c;
      }
    } else {
      while (i < text.length && !/\s/.test(text[i] ?? '')) {
        const c = text[i] ?? '';
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
    }
    if (!MAPPED.has(key) && !IGNORED.has(key)) throw new ConnectionStringError(`unknown connection option "${key}"`);
    pairs.set(key, value);
  }
}

/** Parses either form (key/value or `postgres://` / `postgresql://` URL) into `pg` options. */
export function parsePostgresConnection(text: string): PostgresConnection {
  const trimmed = text.trim();
  if (!trimmed) throw new ConnectionStringError('the connection string is empty');
  const pairs = /^postgres(ql)?:\/\//i.test(trimmed) ? urlPairs(trimmed) : parseLibpqPairs(trimmed);
  return fromPairs(pairs);
}

function urlPairs(text: string): Map<string, string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConnectionStringError('not a valid postgresql:// URL');
  }
  const pairs = new Map<string, string>();
  const decode = (value: string, what: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      throw new ConnectionStringError(`bad percent-encoding in the ${what}`);
    }
  };
  if (url.hostname) pairs.set('host', decode(url.hostname.replace(/^\[(.*)\]$/, '$1'), 'host'));
  if (url.port) pairs.set('port', url.port);
  if (url.username) pairs.set('user', decode(url.username, 'user name'));
  if (url.password) pairs.set('password', decode(url.password, 'password'));
  const database = url.pathname.replace(/^\//, '');
  if (database) pairs.set('dbname', decode(database, 'database name'));
  for (const [key, value] of url.searchParams) {
    if (!MAPPED.has(key) && !IGNORED.has(key)) throw new ConnectionStringError(`unknown connection option "${key}"`);
    pairs.set(key, value);
  }
  return pairs;
}

function fromPairs(pairs: Map<string, string>): PostgresConnection {
  const options: PgConnectionOptions = {};
  const host = pairs.get('host') || pairs.get('hostaddr');
  if (host) options.host = host;
  const port = pairs.get('port');
  if (port !== undefined && port !== '') {
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw new ConnectionStringError('"port" must be a number from 1 to 65535');
    }
    options.port = Number(port);
  }
  const database = pairs.get('dbname');
  if (database) options.database = database;
  const user = pairs.get('user');
  if (user) options.user = user;
  const password = pairs.get('password');
  if (password !== undefined && password !== '') options.password = password;
  const applicationName = pairs.get('application_name');
  if (applicationName) options.application_name = applicationName;
  const serverOptions = pairs.get('options');
  if (serverOptions) options.options = serverOptions;
  const timeout = pairs.get('connect_timeout');
  if (timeout !== undefined && timeout !== '') {
    if (!/^\d+$/.test(timeout)) throw new ConnectionStringError('"connect_timeout" must be a whole number of seconds');
    if (Number(timeout) > 0) options.connectionTimeoutMillis = Number(timeout) * 1000;
  }
  const result: PostgresConnection = { options };
  const sslmode = pairs.get('sslmode');
  if (sslmode !== undefined) {
    if (!(SSL_MODES as readonly string[]).includes(sslmode)) {
      throw new ConnectionStringError(`"sslmode" must be one of ${SSL_MODES.join(', ')}`);
    }
    result.sslmode = sslmode as SslMode;
    options.ssl = sslOptions(result.sslmode);
  }
  return result;
}

function sslOptions(mode: SslMode): false | ConnectionOptions {
  switch (mode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // Verify the certificate chain but not the host name.
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPasException, type PasError } from '../../src-shared/errors';
import { parseByteSize, parseLakeCatalog, parseLakeCatalogs, type LakeConfig } from './config';

const projectDir = path.resolve('/projects/shop');
const noEnv = {};

function parse(entry: unknown, env: Record<string, string> = noEnv): LakeConfig {
  return parseLakeCatalog('lake', entry, { projectDir, env });
}

function issues(entry: unknown, env: Record<string, string> = noEnv): { message: string; issues: { path: string; message: string }[] } {
  try {
    parse(entry, env);
  } catch (error) {
    if (!isPasException(error)) throw error;
    const pas = error.error as Extract<PasError, { code: 'validation' }>;
    expect(pas.code).toBe('validation');
    return { message: error.message, issues: pas.issues };
  }
  throw new Error('expected a validation error');
}

const paths = (entry: unknown, env?: Record<string, string>) => issues(entry, env).issues.map((i) => i.path);

describe('lake configuration: catalog store', () => {
  it('parses a DuckDB-file catalog relative to the project, with data beside it by default', () => {
    expect(parse({ type: 'ducklake', path: 'meta.ducklake' })).toEqual({
      name: 'lake',
      catalog: { kind: 'duckdb-file', path: path.join(projectDir, 'meta.ducklake') },
      data: { kind: 'local', folder: `${path.join(projectDir, 'meta.ducklake.files')}/` },
      readOnly: false,
      encrypted: false,
    });
  });

  it('parses postgres: with a libpq key/value string', () => {
    const config = parse({
      type: 'ducklake',
      path: 'postgres:host=db port=5432 dbname=lake user=u password=pw sslmode=disable',
      data_path: 'data/lake',
      metadata_schema: 'lake_meta',
    });
    expect(config.catalog).toEqual({
      kind: 'postgres',
      connection: { host: 'db', port: 5432, database: 'lake', user: 'u', password: 'pw', ssl: false },
      sslmode: 'disable',
    });
    expect(config.data).toEqual({ kind: 'local', folder: `${path.join(projectDir, 'data/lake')}/` });
    expect(config.metadataSchema).toBe('lake_meta');
  });

  it('parses postgres: with a URL, and the ducklake: prefix SQLMesh users may write', () => {
    const config = parse({ type: 'ducklake', path: 'ducklake:postgres:postgresql://u:pw@h:5433/db', data_path: '/data/lake/' });
    expect(config.catalog).toEqual({ kind: 'postgres', connection: { host: 'h', port: 5433, user: 'u', password: 'pw', database: 'db' } });
    expect(config.data).toEqual({ kind: 'local', folder: '/data/lake/' });
  });

  it('accepts a file:// data path as a local folder', () => {
    expect(parse({ type: 'ducklake', path: 'm.ducklake', data_path: 'file:///srv/lake' }).data).toEqual({
      kind: 'local',
      folder: `${path.resolve('/srv/lake')}/`.replace(/\\/g, '/'),
    });
  });

  it('passes the other DuckLake attach options through', () => {
    const config = parse({ type: 'ducklake', path: 'm.ducklake', read_only: true, encrypted: true, data_inlining_row_limit: 10 });
    expect(config).toMatchObject({ readOnly: true, encrypted: true, dataInliningRowLimit: 10 });
  });

  it('names the field of a bad catalog store', () => {
    expect(issues({ type: 'ducklake', path: 'postgres:host=h port=x' })).toMatchObject({
      message: 'Invalid lake configuration: catalogs.lake.path: PostgreSQL connection string: "port" must be a number from 1 to 65535',
    });
    expect(paths({ type: 'ducklake', path: 'sqlite:meta.sqlite', data_path: 'd' })).toEqual(['catalogs.lake.path']);
    expect(paths({ type: 'ducklake', path: ':memory:' })).toEqual(['catalogs.lake.path']);
    expect(paths({ type: 'ducklake', path: 'postgres:dbname=lake' })).toEqual(['catalogs.lake.data_path']);
  });
});

describe('lake configuration: S3 data', () => {
  it('parses an s3:// data path for MinIO with explicit credentials (path-style by default with an endpoint)', () => {
    const config = parse({
      type: 'ducklake',
      path: 'meta.ducklake',
      data_path: 's3://my-bucket/lakes/shop/',
      s3: { endpoint: 'http://127.0.0.1:9000', key_id: 'minio', secret: 'minio-secret', cache_folder: '.cache/lake', cache_max_size: '2GiB' },
    });
    expect(config.data).toEqual({
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'lakes/shop/',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'minio', secretAccessKey: 'minio-secret' },
      cacheFolder: path.join(projectDir, '.cache/lake'),
      cacheMaxBytes: 2 * 2 ** 30,
    });
  });

  it('parses Cloudflare R2: a host-only endpoint becomes https and the region defaults to auto', () => {
    const config = parse({
      type: 'ducklake',
      path: 'meta.ducklake',
      data_path: 's3://r2-bucket',
      s3: { endpoint: 'abc123.r2.cloudflarestorage.com', key_id: 'k', secret: 's', session_token: 't' },
    });
    expect(config.data).toEqual({
      kind: 's3',
      bucket: 'r2-bucket',
      prefix: '',
      endpoint: 'https://abc123.r2.cloudflarestorage.com',
      region: 'auto',
      forcePathStyle: true,
      credentials: { accessKeyId: 'k', secretAccessKey: 's', sessionToken: 't' },
    });
  });

  it('parses AWS S3 from the standard environment variables (virtual-hosted style without an endpoint)', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-token', AWS_REGION: 'eu-west-1' };
    expect(parse({ type: 'ducklake', path: 'm.ducklake', data_path: 's3://aws-bucket/p' }, env).data).toEqual({
      kind: 's3',
      bucket: 'aws-bucket',
      prefix: 'p/',
      region: 'eu-west-1',
      forcePathStyle: false,
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'env-secret', sessionToken: 'env-token' },
    });
    const fromEndpointEnv = parse(
      { type: 'ducklake', path: 'm.ducklake', data_path: 's3://b-1/', s3: { url_style: 'vhost', use_ssl: false } },
      { AWS_ENDPOINT_URL: 'minio.local:9000' },
    );
    expect(fromEndpointEnv.data).toMatchObject({ endpoint: 'http://minio.local:9000', forcePathStyle: false });
    expect(fromEndpointEnv.data).not.toHaveProperty('credentials');
  });

  it('names the field of bad S3 settings', () => {
    const base = { type: 'ducklake', path: 'm.ducklake' };
    expect(paths({ ...base, data_path: 's3://Bad_Bucket/x' })).toEqual(['catalogs.lake.data_path']);
    expect(paths({ ...base, data_path: 's3://ok-bucket/a//b' })).toEqual(['catalogs.lake.data_path']);
    expect(paths({ ...base, data_path: 'gs://bucket/x' })).toEqual(['catalogs.lake.data_path']);
    expect(paths({ ...base, data_path: 's3://ok-bucket', s3: { key_id: 'k' } })).toEqual(['catalogs.lake.s3.secret']);
    expect(paths({ ...base, data_path: 's3://ok-bucket', s3: { endpoint: 'ftp://x' } })).toEqual(['catalogs.lake.s3.endpoint']);
    expect(paths({ ...base, data_path: 's3://ok-bucket', s3: { url_style: 'sideways' } })).toEqual(['catalogs.lake.s3.url_style']);
    expect(paths({ ...base, data_path: 's3://ok-bucket', s3: { cache_max_size: 'lots' } })).toEqual(['catalogs.lake.s3.cache_max_size']);
    expect(paths({ ...base, data_path: 's3://ok-bucket', s3: { secrett: 'x' } })).toEqual(['catalogs.lake.s3.secrett']);
    expect(paths({ ...base, data_path: 'local/', s3: { region: 'x' } })).toEqual(['catalogs.lake.s3']);
  });
});

describe('lake configuration: S3 settings from DuckDB secrets', () => {
  const entry = { type: 'ducklake', path: 'm.ducklake', data_path: 's3://shop-lake/prod/' };
  const withSecrets = (secrets: unknown, own: object = {}) =>
    parseLakeCatalog('lake', { ...entry, ...own }, { projectDir, env: {}, secrets }).data;

  it('takes the best-scoped s3 secret of the connection, as DuckDB does', () => {
    const data = withSecrets([
      { type: 's3', key_id: 'general', secret: 'g-secret', region: 'us-east-2' },
      { type: 's3', key_id: 'scoped', secret: 's-secret', region: 'eu-central-1', scope: 's3://shop-lake/prod', endpoint: 'minio:9000', use_ssl: false, url_style: 'path' },
      { type: 's3', key_id: 'other', secret: 'o-secret', scope: 's3://other-bucket' },
      { type: 'gcs', key_id: 'ignored', secret: 'x' },
    ]);
    expect(data).toMatchObject({
      endpoint: 'http://minio:9000',
      region: 'eu-central-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'scoped', secretAccessKey: 's-secret' },
    });
  });

  it('reads a named r2 secret: the endpoint comes from the account id', () => {
    const data = withSecrets({ lake_r2: { type: 'r2', account_id: 'acc123', key_id: 'k', secret: 's' } });
    expect(data).toMatchObject({ endpoint: 'https://acc123.r2.cloudflarestorage.com', region: 'auto', forcePathStyle: true });
  });

  it('lets the entry s3 block win, with credentials taken as a group', () => {
    const data = withSecrets([{ type: 's3', key_id: 'from-secret', secret: 'x', region: 'us-west-1', endpoint: 's3.amazonaws.com' }], {
      s3: { key_id: 'own', secret: 'own-secret' },
    });
    expect(data).toEqual({
      kind: 's3',
      bucket: 'shop-lake',
      prefix: 'prod/',
      region: 'us-west-1',
      forcePathStyle: false,
      credentials: { accessKeyId: 'own', secretAccessKey: 'own-secret' },
    });
  });

  it('uses the credential chain for provider: credential_chain', () => {
    expect(withSecrets([{ type: 's3', provider: 'credential_chain', key_id: 'k', secret: 's' }])).not.toHaveProperty('credentials');
  });

  it('names the secret field at fault', () => {
    const at = (secrets: unknown) => {
      try {
        parseLakeCatalog('lake', entry, { projectDir, env: {}, secrets, field: 'gateways.g.connection.catalogs.lake' });
      } catch (error) {
        return (error as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
      }
      return [];
    };
    expect(at([{ type: 's3', url_style: 'diagonal' }])).toEqual(['gateways.g.connection.secrets[0].url_style']);
    expect(at({ mine: { type: 'r2', key_id: 'k', secret: 's' } })).toEqual(['gateways.g.connection.secrets.mine.account_id']);
    expect(at([{ type: 's3', key_id: 'k' }])).toEqual(['gateways.g.connection.secrets[0].secret']);
    expect(at('nope')).toEqual(['gateways.g.connection.secrets']);
  });
});

describe('lake configuration: shape errors', () => {
  it('names missing, mistyped and unknown fields', () => {
    expect(paths({ type: 'ducklake' })).toEqual(['catalogs.lake.path']);
    expect(paths({ type: 'sqlite', path: 'x' })).toEqual(['catalogs.lake.type']);
    expect(paths({ type: 'ducklake', path: 'x', read_only: 'yes' })).toEqual(['catalogs.lake.read_only']);
    expect(paths({ type: 'ducklake', path: 'x', datapath: 'd' })).toEqual(['catalogs.lake.datapath']);
    expect(issues({ type: 'ducklake', path: 'x', datapath: 'd' }).message).toBe(
      'Invalid lake configuration: catalogs.lake.datapath: is not a known setting',
    );
    expect(paths('meta.ducklake')).toEqual(['catalogs.lake']);
  });

  it('uses the caller field prefix in errors', () => {
    expect(() =>
      parseLakeCatalog('lake', { type: 'ducklake', path: 'x', data_path: 'gs://b' }, { projectDir, env: {}, field: 'gateways.local.connection.catalogs.lake' }),
    ).toThrow('gateways.local.connection.catalogs.lake.data_path');
  });

  it('picks the ducklake entries of a catalogs map', () => {
    const lakes = parseLakeCatalogs(
      { memory: ':memory:', warehouse: 'w.duckdb', lake: { type: 'ducklake', path: 'l.ducklake' }, pg: { type: 'postgres', path: 'x' } },
      { projectDir, env: {} },
    );
    expect(lakes.map((l) => l.name)).toEqual(['lake']);
    expect(() => parseLakeCatalogs(['x'], { projectDir })).toThrow('catalogs: must be a map');
  });

  it('reads sizes with decimal and binary units', () => {
    expect(parseByteSize('500MB')).toBe(500_000_000);
    expect(parseByteSize('1.5 GiB')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize(42)).toBe(42);
  });
});

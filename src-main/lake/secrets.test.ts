import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLakeCatalog } from './config';
import { describeLakeConfig, lakeSecrets, redact, Redactor, redactorFor, safeLakeConfig, secretsInRawConfig } from './secrets';

const projectDir = path.resolve('/projects/shop');
const PG_PASSWORD = "pa ss'w@rd/1";
const S3_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCY';
const S3_TOKEN = 'FwoGZXIvYXdzEJr//////////wEaDM';

const postgresS3 = parseLakeCatalog(
  'lake',
  {
    type: 'ducklake',
    path: `postgres:host=db.example.com port=5432 dbname=lake user=analyst password='pa ss\\'w@rd/1'`,
    data_path: 's3://bucket/prefix/',
    s3: { endpoint: 'http://127.0.0.1:9000', key_id: 'AKIAEXAMPLE', secret: S3_SECRET, session_token: S3_TOKEN },
  },
  { projectDir, env: {} },
);

describe('secret redaction', () => {
  it('collects every secret of a configuration', () => {
    expect(lakeSecrets(postgresS3).sort()).toEqual([PG_PASSWORD, S3_SECRET, S3_TOKEN].sort());
  });

  it('removes every secret from error texts, also URL- and JSON-encoded', () => {
    const text = [
      `connect failed for password ${PG_PASSWORD}`,
      `url postgresql://analyst:${encodeURIComponent(PG_PASSWORD)}@db/lake`,
      `json {"secret":${JSON.stringify(S3_SECRET)}}`,
      `header x-amz-security-token: ${S3_TOKEN}`,
    ].join('\n');
    const clean = redactorFor(postgresS3).redact(text);
    for (const secret of lakeSecrets(postgresS3)) {
      expect(clean).not.toContain(secret);
      expect(clean).not.toContain(encodeURIComponent(secret));
    }
    expect(clean).toContain('x-amz-security-token: ***');
  });

  it('masks credential-shaped text even when the value is not a known secret', () => {
    expect(redact('postgres://bob:hunter2@db:5432/x')).toBe('postgres://bob:***@db:5432/x');
    expect(redact("host=h password='a b c' user=u")).toBe('host=h password=*** user=u');
    expect(redact('host=h password=plain user=u')).toBe('host=h password=*** user=u');
    expect(redact('AWS_SECRET_ACCESS_KEY=abc123 AWS_SESSION_TOKEN: tok')).toBe('AWS_SECRET_ACCESS_KEY=*** AWS_SESSION_TOKEN: ***');
    expect(redact('https://b.s3.amazonaws.com/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=abcd')).toBe(
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***',
    );
  });

  it('masks a secret that contains another one whole, and ignores blank secrets', () => {
    expect(new Redactor(['abc', 'abcdef', '', '  ', undefined]).redact('x abcdef y abc')).toBe('x *** y ***');
  });

  it('gives errors a redacted message and stack without the raw cause', () => {
    const raw = new Error(`AccessDenied for secret ${S3_SECRET}`, { cause: { token: S3_TOKEN } });
    const clean = redactorFor(postgresS3).redactError(raw);
    expect(clean.message).toBe('AccessDenied for secret ***');
    expect(clean.stack).not.toContain(S3_SECRET);
    expect(clean.cause).toBeUndefined();
  });
});

describe('secretsInRawConfig', () => {
  it('finds secrets by key name and inside connection strings anywhere in a raw config', () => {
    const raw = {
      gateways: {
        lake: {
          connection: {
            type: 'duckdb',
            catalogs: { lake: { type: 'ducklake', path: "postgres:host=h password='p\\'1' user=u", data_path: 's3://b/' } },
            secrets: [{ type: 's3', key_id: 'AKIA', secret: 'sss' }, { type: 'gcs', token: 'ttt' }],
          },
          state_connection: { type: 'postgres', password: 'state-pw', url: 'postgresql://u:url%2Fpw@h/db' },
        },
      },
      notification_targets: [{ type: 'slack_webhook', api_key: 'slack-key' }],
      model_defaults: { dialect: 'duckdb' },
    };
    expect(secretsInRawConfig(raw).sort()).toEqual(["p'1", 'slack-key', 'sss', 'state-pw', 'ttt', 'url%2Fpw', 'url/pw'].sort());
  });
});

describe('safeLakeConfig', () => {
  it('masks every secret and keeps the rest of the configuration', () => {
    const safe = safeLakeConfig(postgresS3);
    const text = JSON.stringify(safe);
    for (const secret of lakeSecrets(postgresS3)) expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(safe.catalog).toMatchObject({ kind: 'postgres', connection: { user: 'analyst', password: '***' } });
    expect(safe.data).toMatchObject({ kind: 's3', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: '***', sessionToken: '***' } });
    expect(lakeSecrets(postgresS3)).toHaveLength(3); // the original is untouched
  });
});

describe('describeLakeConfig', () => {
  it('summarises a postgres + S3 lake without any secret', () => {
    const text = describeLakeConfig(postgresS3);
    expect(text).toBe(
      'lake: catalog postgres://analyst:***@db.example.com:5432/lake, data s3://bucket/prefix/ (endpoint http://127.0.0.1:9000, region us-east-1, path-style, key AKIAEXAMPLE)',
    );
    for (const secret of lakeSecrets(postgresS3)) expect(text).not.toContain(secret);
  });

  it('summarises a file catalog with local data, and S3 credentials taken from the environment', () => {
    const local = parseLakeCatalog('lake', { type: 'ducklake', path: 'meta.ducklake' }, { projectDir, env: {} });
    expect(describeLakeConfig(local)).toBe(
      `lake: catalog ${path.join(projectDir, 'meta.ducklake')}, data ${path.join(projectDir, 'meta.ducklake.files')}/`,
    );
    const env = parseLakeCatalog(
      'lake',
      { type: 'ducklake', path: 'postgres:postgresql://u@h/db?sslmode=require', data_path: 's3://b-1/x/' },
      { projectDir, env: { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'env-secret-value' } },
    );
    const text = describeLakeConfig(env);
    expect(text).toBe('lake: catalog postgres://u@h/db?sslmode=require, data s3://b-1/x/ (region us-east-1, key AKIAENV)');
    expect(lakeSecrets(env)).toEqual(['env-secret-value']);
  });
});

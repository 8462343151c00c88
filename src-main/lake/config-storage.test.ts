import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type TestS3 } from '../testing/s3';
import { parseLakeCatalog } from './config';
import { createStorage } from './config-storage';
import { LocalStorage } from './storage/local';
import { S3Storage } from './storage/s3';

let s3: TestS3;
let project: string;

beforeAll(async () => {
  s3 = await startS3();
  project = mkdtempSync(path.join(tmpdir(), 'pas-lake-config-'));
});

afterAll(async () => {
  await s3?.stop();
  rmSync(project, { recursive: true, force: true });
});

describe('createStorage', () => {
  it('opens a local folder for a local data_path', async () => {
    const config = parseLakeCatalog('lake', { type: 'ducklake', path: 'meta.ducklake', data_path: 'data/lake' }, { projectDir: project, env: {} });
    const storage = await createStorage(config.data);
    expect(storage).toBeInstanceOf(LocalStorage);
    expect(storage.displayRoot).toBe(`${path.join(project, 'data', 'lake')}${path.sep}`);
  });

  it('opens an S3 bucket configured from the AWS environment variables and stores objects in it', async () => {
    const env = {
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_REGION: s3.region,
      AWS_ENDPOINT_URL: s3.endpoint,
    };
    const config = parseLakeCatalog(
      'lake',
      { type: 'ducklake', path: 'meta.ducklake', data_path: `s3://${s3.bucket}/shop/`, s3: { cache_folder: '.cache/lake' } },
      { projectDir: project, env },
    );
    const storage = await createStorage(config.data, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    expect(storage).toBeInstanceOf(S3Storage);
    expect(storage.displayRoot).toBe(`s3://${s3.bucket}/shop/`);

    const file = path.join(project, 'f.parquet');
    writeFileSync(file, 'parquet bytes');
    await storage.putFile(file, 'main/t/f.parquet');
    expect(await storage.list('main/')).toEqual([{ key: 'main/t/f.parquet', size: 13 }]);
    const local = await storage.localPath('main/t/f.parquet');
    expect(local.startsWith(path.join(project, '.cache', 'lake'))).toBe(true);
    expect(readFileSync(local, 'utf8')).toBe('parquet bytes');
    (storage as S3Storage).close();
  });
});

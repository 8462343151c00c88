/** The lake with its data on S3 (a local S3 protocol server) through the S3 storage. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type TestS3 } from '../testing/s3';
import { Lake } from './lake';
import { predictFieldIds, preparedCopyOptions } from './prepared-file';
import { ReadCache } from './storage/cache';
import { S3Storage } from './storage/s3';
import { scalar } from './testing/harness';

let s3: TestS3 | undefined;
beforeAll(async () => {
  s3 = await startS3();
}, 60_000);
afterAll(async () => {
  await s3?.stop();
});

/** A lake on a DuckDB-file catalog with its data under `prefix` in the test S3 bucket. */
async function openS3Lake(prefix: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pas-lake-s3-'));
  const storage = new S3Storage({
    bucket: s3!.bucket,
    prefix,
    endpoint: s3!.endpoint,
    region: s3!.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey },
    cache: new ReadCache({ folder: path.join(dir, 'cache') }),
  });
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const lake = await Lake.open({ instance, catalog: { type: 'duckdb', path: path.join(dir, 'metadata.ducklake') }, storage, stagingDir: path.join(dir, 'staging') });
  const connection = await instance.connect();
  const close = async (): Promise<void> => {
    await lake.close();
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, storage, lake, connection, close };
}

describe('a lake with its data on S3', () => {
  it('writes, reads, deletes, expires and cleans up through the S3 storage', async () => {
    const { storage, lake, connection, close } = await openS3Lake('lakes/one/');
    try {
      expect(await lake.store.query("SELECT value FROM {MD}.ducklake_metadata WHERE key = 'data_path'")).toEqual([{ value: `s3://${s3!.bucket}/lakes/one/` }]);
      await lake.attach(connection, 'lake');
      await lake.transaction((tx) => tx.createTableAs('main', 'nums', 'SELECT range AS n, range % 3 AS k FROM range(1000)'));
      await lake.transaction((tx) => tx.delete('main', 'nums', 'k = 0'));
      expect(await scalar(connection, 'SELECT count(*) FROM lake.main.nums')).toBe(666);
      const keys = (await storage.list('')).map((o) => o.key);
      expect(keys).toHaveLength(2);
      expect(keys.every((k) => k.startsWith('main/nums/ducklake-'))).toBe(true);
      await lake.transaction((tx) => tx.delete('main', 'nums', 'n < 10'));
      const expired = await lake.expire({ keepLast: 1 });
      expect(expired.scheduledFiles).toHaveLength(1);
      await lake.cleanup();
      expect(await storage.exists(expired.scheduledFiles[0]!)).toBe(false);
      expect(await scalar(connection, 'SELECT count(*) FROM lake.main.nums')).toBe(660);
    } finally {
      await close();
    }
  });

  it('stores a file prepared outside the transaction on S3 when a transaction adopts it', async () => {
    const { dir, storage, lake, connection, close } = await openS3Lake('lakes/adopt/');
    try {
      await lake.attach(connection, 'lake');
      const { tables, parquetOptions } = await lake.preparedLayouts('main');
      const file = path.join(dir, 'prepared.parquet');
      const reader = await connection.runAndReadAll(
        `COPY (SELECT range AS n, 'x' || range AS s FROM range(500)) TO '${file}' (${preparedCopyOptions(predictFieldIds(tables.get('nums'), ['n', 's']), parquetOptions)})`,
      );
      const stats = reader.getRowObjectsJS()[0] as Record<string, unknown>;
      await lake.transaction(async (tx) => {
        await tx.createTable('main', 'nums', [
          { name: 'n', type: 'BIGINT' },
          { name: 's', type: 'VARCHAR' },
        ]);
        expect(await tx.adoptDataFile('main', 'nums', { path: file, stats })).toBe(500);
      });
      const keys = (await storage.list('')).map((o) => o.key);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^main\/nums\/ducklake-.*\.parquet$/);
      expect(await scalar(connection, "SELECT count(*) FROM lake.main.nums WHERE s = 'x' || n")).toBe(500);
    } finally {
      await close();
    }
  });
});

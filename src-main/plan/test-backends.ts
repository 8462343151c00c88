/** Test support (vitest only): the remote-lake backend for the plan suites. */
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type TestPostgres } from '../testing/postgres';
import { startS3, type TestS3 } from '../testing/s3';
import type { TestBackend } from './test-project';

/**
 * Starts a real PostgreSQL and S3 server for a test file (vitest hooks) and hands out a fresh
 * remote-lake backend per test: its own database and its own S3 prefix.
 */
export function useRemoteLake(): () => Promise<TestBackend> {
  let postgres: TestPostgres | undefined;
  let s3: TestS3 | undefined;
  let counter = 0;
  beforeAll(async () => {
    [postgres, s3] = await Promise.all([startPostgres(), startS3()]);
  });
  afterAll(async () => {
    await Promise.all([postgres?.stop(), s3?.stop()]);
  });
  return async () => {
    if (!postgres || !s3) throw new Error('The test servers are not started.');
    counter++;
    const id = `${process.pid}_${counter}_${Date.now()}`;
    return { kind: 'lake-remote', postgresUrl: await postgres.createDatabase(`lake_${id}`), s3, prefix: `lake-${id}` };
  };
}

import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DuckEngine } from '../../duck/engine';
import { startS3, type TestS3 } from '../../testing/s3';
import { ReadCache } from './cache';
import { S3Storage, type S3StorageOptions } from './s3';
import { S3StorageError } from './s3-errors';
import { startFaultyProxy, type FaultyProxy } from './s3-test-proxy';

let s3: TestS3;
let proxy: FaultyProxy;
let work: string;
let counter = 0;

beforeAll(async () => {
  s3 = await startS3();
  proxy = await startFaultyProxy(s3.endpoint);
});

afterAll(async () => {
  await proxy?.stop();
  await s3?.stop();
});

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'pas-s3-test-'));
  proxy.requests.length = 0;
  proxy.onRequest = undefined;
  proxy.clearFaults();
  return () => rmSync(work, { recursive: true, force: true });
});

/** A storage behind the proxy, under a fresh prefix, with a fresh cache and fast retries. */
function storage(options: Partial<S3StorageOptions> = {}): S3Storage {
  return new S3Storage({
    bucket: s3.bucket,
    prefix: `t${++counter}/data/`,
    endpoint: proxy.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    cache: new ReadCache({ folder: path.join(work, `cache-${counter}`) }),
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
}

/** Another storage on the same prefix with an empty cache: its reads really download. */
function freshReader(store: S3Storage): S3Storage {
  return storage({ prefix: store.prefix });
}

function localFile(name: string, bytes: Buffer | string): string {
  const file = path.join(work, name);
  writeFileSync(file, bytes);
  return file;
}

const gets = () => proxy.requests.filter((r) => r.method === 'GET' && !r.url.includes('list-type'));

describe('S3Storage round trips', () => {
  it('stores, lists, reads, checks and deletes objects under its prefix', async () => {
    const store = storage();
    await store.putFile(localFile('a.parquet', 'alpha'), 'main/t/a.parquet');
    await store.putFile(localFile('b.parquet', 'beta!'), 'main/t/b.parquet');
    await store.putFile(localFile('c.parquet', 'c'), 'other/c.parquet');

    expect(store.displayRoot).toBe(`s3://lake/t${counter}/data/`);
    expect((await store.list('')).sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: 'main/t/a.parquet', size: 5 },
      { key: 'main/t/b.parquet', size: 5 },
      { key: 'other/c.parquet', size: 1 },
    ]);
    expect((await store.list('main/')).map((o) => o.key).sort()).toEqual(['main/t/a.parquet', 'main/t/b.parquet']);
    expect(readFileSync(await store.localPath('main/t/a.parquet'), 'utf8')).toBe('alpha');
    expect(await store.exists('main/t/a.parquet')).toBe(true);
    expect(await store.exists('main/t/zzz.parquet')).toBe(false);

    await store.delete(['main/t/a.parquet', 'other/c.parquet', 'never/existed.parquet']);
    expect((await store.list('')).map((o) => o.key)).toEqual(['main/t/b.parquet']);
    expect(await store.exists('main/t/a.parquet')).toBe(false);
    store.close();
  });

  it('deletes more than 1000 keys in batches of 1000', async () => {
    const store = storage();
    await store.putFile(localFile('x', 'x'), 'k/last');
    const keys = Array.from({ length: 1000 }, (_, i) => `k/missing-${i}`);
    proxy.requests.length = 0;
    await store.delete([...keys, 'k/last']);
    expect(proxy.requests.filter((r) => r.method === 'POST' && r.url.includes('delete'))).toHaveLength(2);
    expect(await store.list('')).toEqual([]);
    store.close();
  });

  it('rejects keys that would escape the data root', async () => {
    const store = storage();
    await expect(store.putFile(localFile('x', 'x'), '../x')).rejects.toMatchObject({ error: { code: 'validation' } });
    await expect(store.exists('/abs')).rejects.toBeInstanceOf(S3StorageError);
    store.close();
  });
});

describe('S3Storage uploads and the cache', () => {
  it('moves the uploaded file into the read cache, so reading it back needs no download', async () => {
    const store = storage();
    const staged = localFile('staged.parquet', 'fresh bytes');
    await store.putFile(staged, 'main/t/new.parquet');
    expect(existsSync(staged)).toBe(false);
    proxy.requests.length = 0;
    expect(readFileSync(await store.localPath('main/t/new.parquet'), 'utf8')).toBe('fresh bytes');
    expect(proxy.requests).toEqual([]);
    store.close();
  });

  it('leaves the uploaded file in place with cacheUploads: false', async () => {
    const store = storage({ cacheUploads: false });
    const staged = localFile('kept.parquet', 'kept');
    await store.putFile(staged, 'kept.parquet');
    expect(readFileSync(staged, 'utf8')).toBe('kept');
    expect(await store.cache.has(`${proxy.endpoint}|lake`, `${store.prefix}kept.parquet`)).toBe(false);
    store.close();
  });
});

describe('S3Storage multipart uploads', () => {
  it('uploads a file above the threshold in parts and the object has identical bytes', async () => {
    const store = storage({ multipartThreshold: 64 * 1024, partSize: 64 * 1024, uploadConcurrency: 2 });
    const bytes = randomBytes(5 * 64 * 1024 + 123);
    await store.putFile(localFile('big.bin', bytes), 'big/file.bin');

    expect(proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('partNumber='))).toHaveLength(6);
    const fresh = freshReader(store);
    proxy.requests.length = 0;
    expect(readFileSync(await fresh.localPath('big/file.bin')).equals(bytes)).toBe(true);
    expect(gets()).toHaveLength(1);
    store.close();
    fresh.close();
  });

  it('retries a failed part on its own and still produces identical bytes', async () => {
    const store = storage({ multipartThreshold: 64 * 1024, partSize: 64 * 1024, uploadConcurrency: 1 });
    const bytes = randomBytes(3 * 64 * 1024);
    let seen = 0;
    proxy.onRequest = (request) => {
      if (request.url.includes('partNumber=2') && seen++ === 0) proxy.failNext(1, 503);
    };
    await store.putFile(localFile('big.bin', bytes), 'big/retried.bin');
    expect(proxy.requests.filter((r) => r.url.includes('partNumber=2'))).toHaveLength(2);
    const fresh = freshReader(store);
    expect(readFileSync(await fresh.localPath('big/retried.bin')).equals(bytes)).toBe(true);
    store.close();
    fresh.close();
  });

  it('is stored by one PutObject below the threshold', async () => {
    const store = storage({ multipartThreshold: 64 * 1024 });
    await store.putFile(localFile('small.bin', randomBytes(1000)), 'small.bin');
    expect(proxy.requests.map((r) => r.method)).toEqual(['PUT']);
    store.close();
  });
});

describe('S3Storage reads through the cache', () => {
  it('downloads once for concurrent reads of the same key and serves later reads from disk', async () => {
    const writer = storage();
    await writer.putFile(localFile('f', 'shared bytes'), 'shared.parquet');
    writer.close();
    const store = freshReader(writer);
    proxy.requests.length = 0;

    const paths = await Promise.all(Array.from({ length: 5 }, () => store.localPath('shared.parquet')));
    expect(new Set(paths).size).toBe(1);
    expect(gets()).toHaveLength(1);
    expect(readFileSync(paths[0] ?? '', 'utf8')).toBe('shared bytes');

    expect(await store.localPath('shared.parquet')).toBe(paths[0]);
    expect(gets()).toHaveLength(1);

    // Another storage object with the same cache folder finds the file on disk too.
    const again = storage({ prefix: store.prefix, cache: new ReadCache({ folder: store.cache.folder }) });
    expect(await again.localPath('shared.parquet')).toBe(paths[0]);
    expect(gets()).toHaveLength(1);
    store.close();
    again.close();
  });

  it('prunes the cache to its size limit, least recently used first', async () => {
    const store = storage();
    for (const name of ['a', 'b', 'c']) await store.putFile(localFile(name, randomBytes(1000)), `${name}.parquet`);
    const a = await store.localPath('a.parquet');
    const b = await store.localPath('b.parquet');
    const c = await store.localPath('c.parquet');
    await store.localPath('a.parquet'); // a is now more recent than b

    const result = await store.cache.prune(2500);
    expect(result).toMatchObject({ removedFiles: 1, removedBytes: 1000, keptBytes: 2000 });
    expect([existsSync(a), existsSync(b), existsSync(c)]).toEqual([true, false, true]);
    expect(await store.cache.size()).toBeLessThanOrEqual(2500);

    // A pruned object is downloaded again on the next read.
    proxy.requests.length = 0;
    expect(await store.localPath('b.parquet')).toBe(b);
    expect(gets()).toHaveLength(1);
    store.close();
  });

  it('lets DuckDB read a Parquet file stored in S3 through localPath()', async () => {
    const store = storage();
    const engine = await DuckEngine.open();
    try {
      const connection = await engine.connect();
      const parquet = path.join(work, 'numbers.parquet').replace(/\\/g, '/');
      await connection.run(
        `COPY (SELECT i AS id, 'row ' || i AS label FROM range(1, 101) t(i)) TO '${parquet}' (FORMAT parquet)`,
      );
      await store.putFile(parquet, 'main/numbers/ducklake-1.parquet');

      const fresh = freshReader(store);
      const local = (await fresh.localPath('main/numbers/ducklake-1.parquet')).replace(/\\/g, '/');
      fresh.close();
      const reader = await connection.runAndReadAll(
        `SELECT count(*)::INTEGER, sum(id)::INTEGER, max(label) FROM read_parquet('${local.replace(/'/g, "''")}')`,
      );
      expect(reader.getRows()).toEqual([[100, 5050, 'row 99']]);
      connection.closeSync();
    } finally {
      await engine.close();
      store.close();
    }
  });
});

describe('S3Storage retries and errors', () => {
  it('retries transient 503 answers with backoff and then succeeds', async () => {
    const store = storage();
    proxy.failNext(2, 503);
    await store.putFile(localFile('f', 'after retries'), 'retry/put.txt');
    expect(proxy.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT']);

    const fresh = freshReader(store);
    proxy.failNext(3, 503);
    expect(readFileSync(await fresh.localPath('retry/put.txt'), 'utf8')).toBe('after retries');
    expect(gets()).toHaveLength(4);
    store.close();
    fresh.close();
  });

  it('retries a dropped connection', async () => {
    const store = storage();
    await store.putFile(localFile('f', 'reset'), 'retry/reset.txt');
    proxy.requests.length = 0;
    proxy.resetNext(1);
    const fresh = freshReader(store);
    expect(readFileSync(await fresh.localPath('retry/reset.txt'), 'utf8')).toBe('reset');
    expect(gets()).toHaveLength(2);
    store.close();
    fresh.close();
  });

  it('retries a request that timed out', async () => {
    const store = storage({ socketTimeoutMs: 500 });
    await store.putFile(localFile('f', 'slow'), 'retry/slow.txt');
    proxy.requests.length = 0;
    proxy.stallNext(1);
    expect(await store.exists('retry/slow.txt')).toBe(true);
    // The stalled request never answers; a later attempt does.
    expect(proxy.requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(proxy.requests.map((r) => r.method))).toEqual(new Set(['HEAD']));
    store.close();
  });

  it('aborts the multipart upload when a part fails for good', async () => {
    const store = storage({ multipartThreshold: 64 * 1024, partSize: 64 * 1024, uploadConcurrency: 1 });
    proxy.onRequest = (request) => {
      if (request.url.includes('partNumber=2')) proxy.failNext(1, 403);
    };
    const error = await store.putFile(localFile('big.bin', randomBytes(3 * 64 * 1024)), 'big/denied.bin').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, operation: 'upload' });
    const methods = proxy.requests.map((r) => `${r.method} ${r.url.includes('uploadId=') ? 'upload' : ''}`.trim());
    expect(methods).toEqual(['POST', 'PUT upload', 'PUT upload', 'DELETE upload']);
    proxy.onRequest = undefined;
    expect(await store.exists('big/denied.bin')).toBe(false);
    store.close();
  });

  it('gives up after the configured attempts, naming the operation, object and attempts', async () => {
    const store = storage({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    proxy.failNext(3, 503);
    const error = await store.putFile(localFile('f', 'x'), 'retry/never.txt').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3StorageError);
    expect((error as S3StorageError).message).toBe(
      `Uploading to s3://lake/${store.prefix}retry/never.txt failed: HTTP 503 ServiceUnavailable: Injected 503 by the test proxy. (after 3 attempts)`,
    );
    expect(proxy.requests).toHaveLength(3);
    store.close();
  });

  it('fails at once on 403 with a clear message that contains no secret', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET';
    const store = storage({ credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: secret, sessionToken: 'TOKEN-123456' } });
    const error = await store.localPath('x/y.parquet').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3StorageError);
    const failure = error as S3StorageError;
    expect(failure.status).toBe(403);
    expect(failure.s3Code).toBe('InvalidAccessKeyId');
    expect(failure.operation).toBe('download');
    expect(failure.message).toContain(`Downloading s3://lake/${store.prefix}x/y.parquet failed: HTTP 403 InvalidAccessKeyId`);
    expect(failure.message).toContain('check the S3 credentials');
    expect(JSON.stringify({ message: failure.message, stack: failure.stack, error: failure.error })).not.toMatch(
      /wJalrXUtnFEMI|TOKEN-123456/,
    );
    expect(proxy.requests).toHaveLength(1);
    store.close();
  });

  it('fails at once on an injected 403 and on a missing object (404)', async () => {
    const store = storage();
    proxy.failNext(1, 403);
    await expect(store.putFile(localFile('f', 'x'), 'denied.txt')).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('HTTP 403 AccessDenied'),
    });
    expect(proxy.requests).toHaveLength(1);

    proxy.requests.length = 0;
    const missing = await store.localPath('no/such.parquet').catch((e: unknown) => e);
    expect(missing).toMatchObject({
      status: 404,
      error: { code: 'not_found', what: `s3://lake/${store.prefix}no/such.parquet` },
    });
    expect((missing as Error).message).toMatch(/^Downloading s3:\/\/lake\/.*no\/such\.parquet failed: HTTP 404 NoSuchKey/);
    expect(proxy.requests).toHaveLength(1);
    store.close();
  });

  it('stops retrying when the caller cancels', async () => {
    const store = storage({ retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 20 } });
    const controller = new AbortController();
    proxy.failNext(50, 503);
    proxy.onRequest = () => controller.abort();
    const error = await store.putFile(localFile('f', 'x'), 'cancel.txt', controller.signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ error: { code: 'cancelled' }, operation: 'upload' });
    expect(proxy.requests).toHaveLength(1);
    proxy.clearFaults();
    store.close();
  });
});

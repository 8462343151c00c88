import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/free-port';
import { ReadCache } from './cache';
import { S3Storage } from './s3';
import { startFaultyProxy, type FaultyProxy } from './s3-test-proxy';

/*
 * s3rver builds ListObjectsV2 continuation tokens with DES, which Node 20's OpenSSL only
 * offers through its legacy provider; the in-process `startS3()` therefore cannot answer a
 * truncated listing. This file runs the same real s3rver in a child process started with
 * `--openssl-legacy-provider` to prove paging.
 */
let child: ChildProcess;
let proxy: FaultyProxy;
let folder: string;
let endpoint: string;

beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'pas-s3-paging-'));
  const port = await freePort();
  const script = `
    const S3rver = require('s3rver');
    new S3rver({ port: ${port}, address: '127.0.0.1', directory: ${JSON.stringify(path.join(folder, 's3'))}, silent: true,
      configureBuckets: [{ name: 'lake', configs: [] }] }).run().then(() => console.log('ready'));`;
  child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
  });
  endpoint = `http://127.0.0.1:${port}`;
  proxy = await startFaultyProxy(endpoint);
});

afterAll(async () => {
  await proxy?.stop();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  }
  rmSync(folder, { recursive: true, force: true });
});

describe('S3Storage listing', () => {
  it('pages through ListObjectsV2 until the listing is complete', async () => {
    const store = new S3Storage({
      bucket: 'lake',
      prefix: 'root/',
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      cache: new ReadCache({ folder: path.join(folder, 'cache') }),
      listPageSize: 2,
      cacheUploads: false,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const file = path.join(folder, 'one.bin');
    writeFileSync(file, 'abc');
    const keys = ['a/1.parquet', 'a/2.parquet', 'a/3.parquet', 'a/b/4.parquet', 'z/5.parquet'];
    for (const key of keys) await store.putFile(file, key);

    proxy.requests.length = 0;
    const listed = await store.list('');
    expect(listed.map((o) => o.key).sort()).toEqual(keys);
    expect(listed.every((o) => o.size === 3)).toBe(true);
    expect(proxy.requests.filter((r) => r.url.includes('list-type=2'))).toHaveLength(3);

    expect((await store.list('a/')).map((o) => o.key).sort()).toEqual(keys.slice(0, 4));
    store.close();
  });
});

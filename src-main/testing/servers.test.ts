import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './postgres';
import { startS3 } from './s3';

describe('test servers', () => {
  it('starts a real PostgreSQL that answers queries', async () => {
    const server = await startPostgres();
    try {
      const url = await server.createDatabase('probe');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ v: string }>('select version() as v');
      expect(rows[0]?.v).toMatch(/^PostgreSQL 1[0-9]/);
      await client.end();
    } finally {
      await server.stop();
    }
  });

  it('starts a real S3 protocol server that stores and returns objects', async () => {
    const s3 = await startS3();
    try {
      const client = new S3Client({
        endpoint: s3.endpoint,
        region: s3.region,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      await client.send(new CreateBucketCommand({ Bucket: 'other' }));
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'a/b.txt', Body: 'hello' }));
      const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'a/b.txt' }));
      expect(await got.Body?.transformToString()).toBe('hello');
    } finally {
      await s3.stop();
    }
  });
});

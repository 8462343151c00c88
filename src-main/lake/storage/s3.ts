/**
 * Lake storage in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, ...): uploads
 * (with Content-MD5; multipart above a threshold, parts retried on their own; the uploaded
 * file then moves into the read cache), reads through the local read cache, paged
 * listing, batched deletes. Every request is retried with backoff on transient
 * failures, cancellable through an AbortSignal, and fails with a redacted `S3StorageError`
 * naming the operation and the object.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import type { S3Credentials, S3DataConfig } from '../config';
import { Redactor } from '../secrets';
import { ReadCache } from './cache';
import { s3Error, S3StorageError, type S3Operation } from './s3-errors';
import { DEFAULT_RETRY, httpStatus, RetryExhausted, withRetry, type RetryPolicy } from './s3-retry';
import type { LakeStorage } from './storage';

const MiB = 1024 * 1024;

export interface S3StorageOptions {
  bucket: string;
  /** Key prefix of the data root: '' or ending in '/'. */
  prefix?: string;
  /** Full URL; undefined means AWS S3. */
  endpoint?: string;
  region: string;
  forcePathStyle?: boolean;
  /** Undefined: the AWS SDK's default chain (AWS_ACCESS_KEY_ID, ... then profiles). */
  credentials?: S3Credentials;
  /** The read cache; default one in `cacheFolder` (or the OS cache folder). */
  cache?: ReadCache;
  cacheFolder?: string;
  cacheMaxBytes?: number;
  /** Files of at least this many bytes are uploaded in parts; default 16 MiB. */
  multipartThreshold?: number;
  /** Part size; default 16 MiB. Real services need at least 5 MiB (except the last part). */
  partSize?: number;
  /** Move uploaded files into the read cache (default true); false leaves them where they are. */
  cacheUploads?: boolean;
  /** Parts uploaded at once; default 4. */
  uploadConcurrency?: number;
  /** Keys per ListObjectsV2 page; default (and S3's maximum) 1000. */
  listPageSize?: number;
  retry?: Partial<RetryPolicy>;
  /** More values to keep out of error messages (the credentials are always included). */
  secrets?: Iterable<string>;
  /** Milliseconds to open a connection; default 10 s. */
  connectionTimeoutMs?: number;
  /** Milliseconds a socket may stay idle mid-request; default 60 s. */
  socketTimeoutMs?: number;
}

export type S3StorageTuning = Omit<S3StorageOptions, keyof S3DataConfig>;

export class S3Storage implements LakeStorage {
  readonly displayRoot: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly cache: ReadCache;
  private readonly client: S3Client;
  private readonly namespace: string;
  private readonly redactor: Redactor;
  private readonly retry: RetryPolicy;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly uploadConcurrency: number;
  private readonly listPageSize: number;
  private readonly cacheUploads: boolean;

  static fromConfig(data: S3DataConfig, tuning: S3StorageTuning = {}): S3Storage {
    const { kind: _kind, ...location } = data;
    return new S3Storage({ ...location, ...tuning });
  }

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix ?? '');
    this.displayRoot = `s3://${this.bucket}/${this.prefix}`;
    this.namespace = `${options.endpoint ?? 'aws'}|${this.bucket}`;
    this.cache = options.cache ?? new ReadCache({ folder: options.cacheFolder, maxBytes: options.cacheMaxBytes });
    // Without explicit credentials the SDK may take them from the environment: hide those too.
    const credentials = options.credentials ?? {
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      sessionToken: process.env.AWS_SESSION_TOKEN,
    };
    this.redactor = new Redactor([credentials.secretAccessKey, credentials.sessionToken, ...(options.secrets ?? [])]);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.multipartThreshold = options.multipartThreshold ?? 16 * MiB;
    this.partSize = options.partSize ?? 16 * MiB;
    this.uploadConcurrency = Math.max(1, options.uploadConcurrency ?? 4);
    this.listPageSize = Math.min(1000, Math.max(1, options.listPageSize ?? 1000));
    this.cacheUploads = options.cacheUploads ?? true;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? false,
      credentials: options.credentials,
      // Retries are ours (one policy for every request, including each upload part).
      maxAttempts: 1,
      // Checksums only where S3 requires them: many S3-compatible stores reject the rest.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 10_000,
        // Idle time mid-request (headers or body) before the request fails with TimeoutError.
        socketTimeout: options.socketTimeoutMs ?? 60_000,
      },
    });
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }

  async putFile(localPath: string, key: string, signal?: AbortSignal): Promise<void> {
    const objectKey = this.objectKey(key, 'upload');
    await this.guard('upload', this.location(objectKey), signal, async () => {
      const { size } = await stat(localPath);
      if (size < this.multipartThreshold) {
        const body = await readFile(localPath);
        await this.send(signal, (abortSignal) =>
          this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: body, ContentMD5: md5(body) }), { abortSignal }),
        );
      } else {
        await this.multipartUpload(localPath, size, objectKey, signal);
      }
    });
    // Like LocalStorage, the stored file is consumed: it moves into the read cache, so
    // reading back what was just written needs no download. Best effort.
    if (this.cacheUploads) await this.cache.adopt(this.namespace, objectKey, localPath).catch(() => undefined);
  }

  async localPath(key: string, signal?: AbortSignal): Promise<string> {
    const objectKey = this.objectKey(key, 'download');
    return this.cache.get(this.namespace, objectKey, (temp, jobSignal) => this.download(objectKey, temp, jobSignal), signal);
  }

  async list(prefix: string): Promise<{ key: string; size: number }[]> {
    const fullPrefix = this.prefix + prefix.replace(/^\/+/, '');
    return this.guard('list', this.location(fullPrefix), undefined, async () => {
      const objects: { key: string; size: number }[] = [];
      let token: string | undefined;
      do {
        const page = await this.send(undefined, (abortSignal) =>
          this.client.send(
            new ListObjectsV2Command({
              Bucket: this.bucket,
              Prefix: fullPrefix || undefined,
              MaxKeys: this.listPageSize,
              ContinuationToken: token,
            }),
            { abortSignal },
          ),
        );
        for (const object of page.Contents ?? []) {
          if (!object.Key || object.Key.endsWith('/')) continue; // folder markers are not data
          objects.push({ key: object.Key.slice(this.prefix.length), size: object.Size ?? 0 });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return objects;
    });
  }

  async delete(keys: string[]): Promise<void> {
    const objectKeys = [...new Set(keys.map((key) => this.objectKey(key, 'delete')))];
    for (let start = 0; start < objectKeys.length; start += 1000) {
      const batch = objectKeys.slice(start, start + 1000);
      const where = batch.length === 1 ? this.location(batch[0] ?? '') : `${this.displayRoot} (${batch.length} objects)`;
      await this.guard('delete', where, undefined, async () => {
        const result = await this.send(undefined, (abortSignal) =>
          this.client.send(
            new DeleteObjectsCommand({
              Bucket: this.bucket,
              Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
            }),
            { abortSignal },
          ),
        );
        const failed = (result.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
        const first = failed[0];
        if (first) {
          const more = failed.length > 1 ? ` and ${failed.length - 1} more` : '';
          throw new S3StorageError(
            {
              code: 'internal',
              message: this.redactor.redact(
                `Deleting ${this.location(first.Key ?? '')}${more} failed: ${first.Code ?? 'error'}${first.Message ? `: ${first.Message}` : ''}`,
              ),
            },
            'delete',
            this.location(first.Key ?? ''),
            undefined,
            first.Code,
          );
        }
      });
    }
  }

  async exists(key: string): Promise<boolean> {
    const objectKey = this.objectKey(key, 'exists');
    return this.guard('exists', this.location(objectKey), undefined, async () => {
      try {
        await this.send(undefined, (abortSignal) =>
          this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }), { abortSignal }),
        );
        return true;
      } catch (error) {
        if (error instanceof RetryExhausted && httpStatus(error.last) === 404) return false;
        throw error;
      }
    });
  }

  private async download(objectKey: string, temp: string, signal: AbortSignal): Promise<void> {
    await this.guard('download', this.location(objectKey), signal, () =>
      this.send(signal, async (abortSignal) => {
        const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }), {
          abortSignal,
        });
        const body = response.Body as Readable | undefined;
        if (!body) throw new Error('the response has no body');
        // A retry starts the file over: the write stream truncates it.
        await pipeline(body, createWriteStream(temp), { signal: abortSignal });
        const received = (await stat(temp)).size;
        if (response.ContentLength !== undefined && received !== response.ContentLength) {
          const short = new Error(`the connection closed after ${received} of ${response.ContentLength} bytes`);
          (short as NodeJS.ErrnoException).code = 'ECONNRESET';
          throw short;
        }
      }),
    );
  }

  private async multipartUpload(localPath: string, size: number, objectKey: string, signal?: AbortSignal): Promise<void> {
    // S3 allows at most 10,000 parts.
    const partSize = Math.max(this.partSize, Math.ceil(size / 10_000));
    const created = await this.send(signal, (abortSignal) =>
      this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: objectKey }), { abortSignal }),
    );
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error('the server returned no upload id');
    const file = await open(localPath, 'r');
    try {
      const count = Math.max(1, Math.ceil(size / partSize));
      const parts: CompletedPart[] = new Array<CompletedPart>(count);
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const index = next++;
          signal?.throwIfAborted();
          const offset = index * partSize;
          const length = Math.min(partSize, size - offset);
          const body = Buffer.alloc(length);
          const { bytesRead } = await file.read(body, 0, length, offset);
          if (bytesRead !== length) throw new Error(`${localPath} changed while it was being uploaded`);
          const answer = await this.send(signal, (abortSignal) =>
            this.client.send(
              new UploadPartCommand({
                Bucket: this.bucket,
                Key: objectKey,
                UploadId: uploadId,
                PartNumber: index + 1,
                Body: body,
                ContentMD5: md5(body),
              }),
              { abortSignal },
            ),
          );
          parts[index] = { PartNumber: index + 1, ETag: answer.ETag };
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.uploadConcurrency, count) }, worker));
      await this.send(signal, (abortSignal) =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: objectKey,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
          { abortSignal },
        ),
      );
    } catch (error) {
      // Best effort: free the stored parts; a lifecycle rule cleans up what this misses.
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: objectKey, UploadId: uploadId }))
        .catch(() => undefined);
      throw error;
    } finally {
      await file.close();
    }
  }

  /** One request with the retry policy; `signal` cancels the request and the backoff. */
  private send<T>(signal: AbortSignal | undefined, request: (abortSignal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    return withRetry(() => request(signal), this.retry, signal);
  }

  /** Runs an operation and turns any failure into a redacted S3StorageError. */
  private async guard<T>(operation: S3Operation, location: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw s3Error(operation, location, error, this.redactor, signal);
    }
  }

  private objectKey(key: string, operation: S3Operation): string {
    if (key === '' || key.startsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new S3StorageError(
        { code: 'validation', message: `Invalid lake storage key "${key}"`, issues: [{ path: 'key', message: 'must be a relative /-separated path without empty, "." or ".." segments' }] },
        operation,
        this.displayRoot,
        undefined,
        undefined,
      );
    }
    return this.prefix + key;
  }

  private location(objectKey: string): string {
    return `s3://${this.bucket}/${objectKey}`;
  }
}

/** Content-MD5: the server refuses bytes that changed on the way (BadDigest). */
function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('base64');
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed ? `${trimmed}/` : '';
}

/**
 * Errors of S3 storage operations: each names the operation and the `s3://bucket/key` it
 * touched, carries the HTTP status and S3 code when the server answered, and is already
 * redacted (the raw SDK error is dropped: its request may carry a session token).
 */
import { PasException, type PasError } from '../../../src-shared/errors';
import type { Redactor } from '../secrets';
import { errorCode, httpStatus, RetryExhausted } from './s3-retry';

export type S3Operation = 'upload' | 'download' | 'list' | 'delete' | 'exists';

export class S3StorageError extends PasException {
  override name = 'S3StorageError';
  constructor(
    error: PasError,
    /** What was being done. */
    readonly operation: S3Operation,
    /** `s3://bucket/key` (or a prefix) that the operation touched. */
    readonly location: string,
    /** HTTP status, when the server answered. */
    readonly status: number | undefined,
    /** S3 or system error code, e.g. `AccessDenied`, `NoSuchKey`, `ECONNRESET`. */
    readonly s3Code: string | undefined,
  ) {
    super(error);
  }
}

const VERBS: Record<S3Operation, string> = {
  upload: 'Uploading to',
  download: 'Downloading',
  list: 'Listing',
  delete: 'Deleting from',
  exists: 'Checking',
};

/** Turns whatever an S3 call threw into a redacted `S3StorageError`. */
export function s3Error(
  operation: S3Operation,
  location: string,
  raw: unknown,
  redactor: Redactor,
  signal?: AbortSignal,
): S3StorageError {
  if (raw instanceof S3StorageError) return raw;
  const attempts = raw instanceof RetryExhausted ? raw.attempts : 1;
  const error = raw instanceof RetryExhausted ? raw.last : raw;
  const where = `${VERBS[operation]} ${location}`;
  if (signal?.aborted || isAbort(error)) {
    return new S3StorageError({ code: 'cancelled', message: `${where} was cancelled.` }, operation, location, undefined, undefined);
  }
  const status = httpStatus(error);
  const code = errorCode(error);
  const detail = describe(error, status, code);
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  const message = redactor.redact(`${where} failed: ${detail}${tries}`);
  const pas: PasError =
    status === 404 ? { code: 'not_found', message, what: location } : { code: 'internal', message };
  return new S3StorageError(pas, operation, location, status, code);
}

function describe(error: unknown, status: number | undefined, code: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  const hint = status === 403 || status === 401 ? ' — check the S3 credentials and their permissions on this bucket' : '';
  const parts = [status !== undefined ? `HTTP ${status}` : undefined, code].filter((p) => p !== undefined);
  const text = message && message !== 'UnknownError' && message !== code ? message : '';
  const head = parts.join(' ');
  if (!head) return `${text || 'unknown error'}${hint}`;
  return `${head}${text ? `: ${text}` : ''}${hint}`;
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

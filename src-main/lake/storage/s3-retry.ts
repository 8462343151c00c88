/**
 * Retrying S3 requests: which failures are transient (5xx, 408, 429, throttling codes,
 * network resets, timeouts) and the exponential backoff with full jitter between attempts.
 * Other 4xx answers are never retried. Waiting is cancelled by the caller's AbortSignal.
 */

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** Backoff before attempt n+1 is a random delay in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

const RETRY_STATUS = new Set([408, 429]);
const THROTTLING_CODES = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled',
  'RequestThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded',
  'ProvisionedThroughputExceededException', 'BandwidthLimitExceeded', 'RequestTimeout',
  'RequestTimeoutException', 'InternalError', 'ServiceUnavailable',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENETUNREACH', 'ENETDOWN',
  'EHOSTUNREACH', 'EAI_AGAIN', 'ENOTCONN', 'EPROTO', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The HTTP status of an AWS SDK error, when the server answered. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  const status = metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The S3 error code (`NoSuchKey`, `AccessDenied`, ...) or system error code (`ECONNRESET`). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { Code, code, name } = error as { Code?: unknown; code?: unknown; name?: unknown };
  if (typeof Code === 'string') return Code;
  if (typeof code === 'string') return code;
  return typeof name === 'string' && name !== 'Error' ? name : undefined;
}

export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  if (name === 'AbortError') return false;
  const status = httpStatus(error);
  if (status !== undefined) {
    if (status >= 500 || RETRY_STATUS.has(status)) return true;
    if (status >= 400) return false;
  }
  if (name === 'TimeoutError') return true;
  const code = errorCode(error);
  if (code !== undefined && (THROTTLING_CODES.has(code) || NETWORK_CODES.has(code))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /socket hang up|network|timed? ?out/i.test(message);
}

/** Full-jitter backoff before the attempt after `attempt` (1-based). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/** The last error of a retried operation, with how many attempts were made. */
export class RetryExhausted extends Error {
  override name = 'RetryExhausted';
  constructor(
    readonly last: unknown,
    readonly attempts: number,
  ) {
    super(last instanceof Error ? last.message : String(last));
  }
}

/**
 * Runs `operation` until it succeeds, fails with a non-transient error, or runs out of
 * attempts; then throws `RetryExhausted`. An aborted signal stops at once (throws its reason).
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (attempt >= policy.attempts || !isTransient(error)) throw new RetryExhausted(error, attempt);
    }
    await sleep(backoffDelay(attempt, policy), signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

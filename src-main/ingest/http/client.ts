/**
 * HTTP requests (one exchange each: ./transport.ts): a per-request timeout, retries with exponential
 * backoff and jitter on 429, 5xx, network errors and timeouts (honouring `Retry-After`), a
 * clear error on other statuses (masked URL, status, body excerpt), cancellation by AbortSignal.
 */
import { IngestError, cancelled } from '../errors';
import { maskText, maskUrl } from './mask';
import { exchange } from './transport';

export interface HttpSettings {
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  maxRetryDelayMs: number;
  /** Secret values to mask in errors. */
  secrets: readonly string[];
}

export const DEFAULT_HTTP: HttpSettings = { timeoutMs: 60_000, maxAttempts: 5, backoffMs: 1000, maxRetryDelayMs: 300_000, secrets: [] };

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Headers;
  /** The body as received. */
  bytes: Buffer;
  /** The body decoded as UTF-8 (decoded on first use). */
  readonly text: string;
  attempts: number;
}

export interface RetryNotice {
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

const BODY_EXCERPT = 500;

export async function httpRequest(
  request: HttpRequest,
  settings: HttpSettings,
  signal?: AbortSignal,
  onRetry?: (notice: RetryNotice) => void,
): Promise<HttpResponse> {
  const shownUrl = maskUrl(request.url, settings.secrets);
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw cancelled();
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let retryReason: string;
    let retryAfterMs: number | undefined;
    try {
      const response = await exchange(request, combined);
      const bytes = response.body;
      // Decoded only when asked for: the raw route hands the bytes on without ever decoding them.
      if (response.status >= 200 && response.status < 300) return okResponse(request.url, response.status, response.headers, bytes, attempt);
      const text = bytes.toString('utf8');
      const excerpt = maskText(text.slice(0, BODY_EXCERPT), settings.secrets);
      if (response.status !== 429 && response.status < 500) {
        throw new IngestError(`HTTP ${response.status} from ${request.method} ${shownUrl}: ${excerpt}`, {
          url: shownUrl,
          status: response.status,
          bodyExcerpt: excerpt,
          attempts: attempt,
        });
      }
      retryReason = `HTTP ${response.status}`;
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      if (attempt >= settings.maxAttempts) {
        throw new IngestError(`HTTP ${response.status} from ${request.method} ${shownUrl} after ${attempt} attempts: ${excerpt}`, {
          url: shownUrl,
          status: response.status,
          bodyExcerpt: excerpt,
          attempts: attempt,
        });
      }
    } catch (error) {
      if (error instanceof IngestError) throw error;
      if (signal?.aborted) throw cancelled();
      retryReason = timeout.aborted ? `timed out after ${settings.timeoutMs} ms` : `network error: ${describe(error)}`;
      if (attempt >= settings.maxAttempts) {
        throw new IngestError(`${request.method} ${shownUrl} failed after ${attempt} attempts: ${maskText(retryReason, settings.secrets)}`, {
          url: shownUrl,
          attempts: attempt,
        });
      }
    }
    const backoff = Math.min(settings.maxRetryDelayMs, settings.backoffMs * 2 ** (attempt - 1));
    const jittered = backoff * (0.5 + Math.random() * 0.5);
    const delayMs = Math.min(settings.maxRetryDelayMs, retryAfterMs ?? jittered);
    onRetry?.({ url: shownUrl, attempt, delayMs, reason: retryReason });
    await sleep(delayMs, signal);
  }
}

function okResponse(url: string, status: number, headers: Headers, bytes: Buffer, attempts: number): HttpResponse {
  let text: string | undefined;
  return {
    url,
    status,
    headers,
    bytes,
    get text(): string {
      text ??= bytes.toString('utf8');
      return text;
    },
    attempts,
  };
}

/** `Retry-After` as milliseconds: delta seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

import { describe, expect, it } from 'vitest';
import { backoffDelay, isTransient, RetryExhausted, withRetry, type RetryPolicy } from './s3-retry';

/** Errors shaped as the AWS SDK and Node produce them. */
const answered = (status: number, name = 'Error') => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const system = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('transient failures', () => {
  it('retries 5xx, 408, 429, throttling, network resets and timeouts', () => {
    for (const status of [500, 502, 503, 504, 408, 429]) expect(isTransient(answered(status))).toBe(true);
    expect(isTransient(Object.assign(new Error('slow'), { name: 'SlowDown' }))).toBe(true);
    expect(isTransient(system('ECONNRESET'))).toBe(true);
    expect(isTransient(system('ETIMEDOUT'))).toBe(true);
    expect(isTransient(Object.assign(new Error('socket timeout'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransient(new Error('socket hang up'))).toBe(true);
  });

  it('never retries other 4xx answers or cancellation', () => {
    for (const status of [400, 401, 403, 404, 409, 412]) expect(isTransient(answered(status, 'SlowDown'))).toBe(false);
    expect(isTransient(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(false);
    expect(isTransient(new Error('bad XML'))).toBe(false);
    expect(isTransient('text')).toBe(false);
  });
});

describe('backoff', () => {
  const policy: RetryPolicy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  it('grows exponentially with full jitter up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
  });
});

describe('withRetry', () => {
  const fast: RetryPolicy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 1 };

  it('retries transient failures until success', async () => {
    let calls = 0;
    const value = await withRetry(async () => {
      if (++calls < 3) throw answered(503);
      return 'ok';
    }, fast);
    expect([value, calls]).toEqual(['ok', 3]);
  });

  it('stops at once on a non-transient failure and reports the attempts', async () => {
    let calls = 0;
    const error = await withRetry(async () => {
      calls++;
      throw answered(403);
    }, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryExhausted);
    expect([(error as RetryExhausted).attempts, calls]).toEqual([1, 1]);
  });

  it('gives up after the last attempt', async () => {
    const error = await withRetry(async () => {
      throw answered(500);
    }, fast).catch((e: unknown) => e);
    expect((error as RetryExhausted).attempts).toBe(4);
  });

  it('stops waiting when the signal aborts during the backoff', async () => {
    const controller = new AbortController();
    let calls = 0;
    const running = withRetry(async () => {
      calls++;
      queueMicrotask(() => controller.abort(new Error('stop')));
      throw answered(503);
    }, { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 }, controller.signal);
    await expect(running).rejects.toThrow('stop');
    expect(calls).toBe(1);
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPasException } from '../../../src-shared/errors';
import { IngestError } from '../errors';
import { DEFAULT_HTTP, httpRequest, parseRetryAfter, type RetryNotice } from './client';
import { maskUrl, secretHeaderValues } from './mask';
import { createPaginator, parseLinkHeader, type FetchedPage } from './paginators';

let server: http.Server;
let base: string;
let hits = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    if (req.url?.startsWith('/flaky') && hits % 3 !== 0) {
      res.writeHead(503, { 'retry-after': '0' });
      res.end('busy');
      return;
    }
    if (req.url?.startsWith('/slow')) {
      setTimeout(() => res.end('[]'), 2_000);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[1,2]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const fast = { ...DEFAULT_HTTP, backoffMs: 1, maxRetryDelayMs: 10 };

describe('httpRequest', () => {
  it('retries 5xx honouring Retry-After and reports each retry', async () => {
    hits = 0;
    const notices: RetryNotice[] = [];
    const response = await httpRequest({ url: `${base}/flaky`, method: 'GET', headers: {} }, fast, undefined, (n) => notices.push(n));
    expect(response.text).toBe('[1,2]');
    expect(response.attempts).toBe(3);
    expect(notices.map((n) => [n.reason, n.delayMs])).toEqual([
      ['HTTP 503', 0],
      ['HTTP 503', 0],
    ]);
  });

  it('gives up after max attempts with the masked URL in the error', async () => {
    hits = 1;
    const error = await httpRequest({ url: `${base}/flaky?api_key=supersecret`, method: 'GET', headers: {} }, { ...fast, maxAttempts: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).message).toBe(`HTTP 503 from GET ${base}/flaky?api_key=*** after 1 attempts: busy`);
    expect((error as IngestError).http).toMatchObject({ status: 503, attempts: 1 });
  });

  it('cancels a request in flight when the signal fires', async () => {
    const controller = new AbortController();
    const pending = httpRequest({ url: `${base}/slow`, method: 'GET', headers: {} }, fast, controller.signal);
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(isPasException(error) && error.error.code).toBe('cancelled');
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    const date = new Date(Date.now() + 60_000).toUTCString();
    expect(parseRetryAfter(date)).toBeGreaterThan(50_000);
  });
});

describe('masking', () => {
  it('masks secret query parameters, passwords and configured secrets', () => {
    expect(maskUrl('https://u:pw@x.test/a?token=abc&limit=5&%24%24app_token=zzz')).toBe('https://u:***@x.test/a?token=***&limit=5&%24%24app_token=***');
    expect(maskUrl('https://x.test/a/s3cr3t-value', ['s3cr3t-value'])).toBe('https://x.test/a/***');
    expect(secretHeaderValues({ Authorization: 'Bearer t0k3n', 'X-App-Token': 'app-tok', Accept: 'json' })).toEqual(['t0k3n', 'app-tok']);
  });
});

describe('paginators', () => {
  const base = new URL('https://x.test/r');
  const page = (records: unknown[], body: unknown = records): FetchedPage => ({ url: 'https://x.test/r', body, headers: new Headers(), records });

  it('offset: stops at the total from the body', () => {
    const p = createPaginator({ type: 'offset', limit: 2, offset: 0, offset_param: 'offset', limit_param: 'limit', total_path: 'total', stop_after_empty_page: true, stop_after_short_page: false });
    expect(p.first(base).url.search).toBe('?offset=0&limit=2');
    expect(p.next(page([1, 2], { total: 4, items: [1, 2] }), 0, base)?.url.search).toBe('?offset=2&limit=2');
    expect(p.next(page([3, 4], { total: 4, items: [3, 4] }), 1, base)).toBeUndefined();
  });

  it('offset: stops at maximum_offset, at maximum_pages and when has_more is false', () => {
    const common = { type: 'offset' as const, limit: 2, offset: 0, offset_param: 'o', limit_param: 'l', total_path: null, stop_after_empty_page: true, stop_after_short_page: true };
    expect(createPaginator({ ...common, maximum_offset: 2 }).next(page([1, 2]), 0, base)).toBeUndefined();
    expect(createPaginator({ ...common, maximum_pages: 1 }).next(page([1, 2]), 0, base)).toBeUndefined();
    expect(createPaginator({ ...common, has_more_path: 'more' }).next(page([1, 2], { more: false }), 0, base)).toBeUndefined();
    expect(createPaginator({ ...common, has_more_path: 'more' }).next(page([1], { more: 'true' }), 0, base)?.url.search).toBe('?o=2&l=2');
  });

  it('offset and page_number are indexable for pages in flight', () => {
    const p = createPaginator({ type: 'page_number', base_page: 1, page_param: 'p', total_path: null, stop_after_empty_page: true, stop_after_short_page: true, maximum_page: 3 });
    expect([0, 1, 2, 3].map((k) => p.at?.(k, base)?.url.search)).toEqual(['?p=1', '?p=2', '?p=3', undefined]);
  });

  it('reads Link headers', () => {
    expect(parseLinkHeader('<https://x.test/?page=2>; rel="next", <https://x.test/?page=9>; rel="last"')).toEqual({
      next: 'https://x.test/?page=2',
      last: 'https://x.test/?page=9',
    });
  });
});

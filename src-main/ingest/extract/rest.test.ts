import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineText } from '../config/load';
import { startRestServer, type RestTestServer } from '../testing/rest-server';
import { restPages } from './rest';

let server: RestTestServer;

beforeAll(async () => {
  server = await startRestServer();
});

afterAll(async () => {
  await server.close();
});

async function requestsWhileHandling(bodyBudget?: number): Promise<number[]> {
  const pipeline = loadPipelineText(
    `client:\n  base_url: ${server.baseUrl}\n  pages_in_flight: 2\nresources:\n  - name: items\n    endpoint:\n      path: offset\n      paginator: { type: offset, limit: 2 }\n`,
    { file: 'pipelines/items.yaml', env: {}, projectDir: '.' },
  );
  const resource = pipeline.resources[0]!;
  if (resource.source.kind !== 'rest' || !pipeline.client) throw new Error('expected a REST resource');
  server.requests.length = 0;
  const counts: number[] = [];
  const ids: unknown[] = [];
  for await (const page of restPages({ client: pipeline.client, endpoint: resource.source.endpoint, placeholders: {}, ...(bodyBudget !== undefined ? { bodyBudget } : {}) })) {
    // Give a request sent early every chance to reach the server before counting.
    await new Promise((resolve) => setTimeout(resolve, 30));
    counts.push(server.requests.length);
    ids.push(...page.records.map((r) => (r as { id: number }).id));
  }
  expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7]);
  return counts;
}

describe('REST pages in flight', () => {
  it('keeps pages_in_flight requests outstanding while a small page is handled', async () => {
    // While page k is handled, pages up to k + 2 have been asked for (the last one past the end).
    expect(await requestsWhileHandling()).toEqual([3, 4, 5, 5]);
  });

  it('holds at most pages_in_flight large pages: the next request goes out once the consumer is done with a page', async () => {
    // With no room for bodies beyond the one handled: while page k is handled, k + 2 requests.
    expect(await requestsWhileHandling(0)).toEqual([2, 3, 4, 5]);
  });

  it('asks for the first page alone and fills the window once it has arrived', async () => {
    // A server that answers the first request late: meanwhile no other request may come in
    // (the first page, which nothing can overlap, has the connection to itself).
    const seen: { offset: string; before: number }[] = [];
    let answered = 0;
    const slow = http.createServer((req, res) => {
      const offset = new URL(req.url ?? '/', 'http://x').searchParams.get('offset') ?? '0';
      seen.push({ offset, before: answered });
      const rows = Number(offset) < 6 ? [{ id: Number(offset) + 1 }, { id: Number(offset) + 2 }] : [];
      setTimeout(() => {
        answered++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(rows));
      }, offset === '0' ? 80 : 0);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      const pipeline = loadPipelineText(
        `client:\n  base_url: ${base}\n  pages_in_flight: 3\nresources:\n  - name: items\n    endpoint:\n      path: offset\n      paginator: { type: offset, limit: 2 }\n`,
        { file: 'pipelines/items.yaml', env: {}, projectDir: '.' },
      );
      const resource = pipeline.resources[0]!;
      if (resource.source.kind !== 'rest' || !pipeline.client) throw new Error('expected a REST resource');
      const ids: unknown[] = [];
      for await (const page of restPages({ client: pipeline.client, endpoint: resource.source.endpoint, placeholders: {} })) ids.push(...page.records.map((r) => (r as { id: number }).id));
      expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
      expect(seen[0]).toEqual({ offset: '0', before: 0 });
      // Every later request went out after the first answer, and the window was filled at once.
      expect(seen.slice(1).every((r) => r.before >= 1)).toBe(true);
      expect(seen.slice(1, 3).map((r) => r.offset)).toEqual(['2', '4']);
    } finally {
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});

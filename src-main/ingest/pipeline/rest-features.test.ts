import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineText } from '../config/load';
import { DuckDbSink } from '../load/duckdb-sink';
import { runPipeline } from './run';

/** A small JSON API: posts with comments, four pagination styles, bearer auth. */
const POSTS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, title: `Post ${i + 1}`, author: { name: `u${i % 3}` } }));
let server: http.Server;
let base: string;
let dir: string;
let sink: DuckDbSink;
const seen: { url: string; auth?: string }[] = [];

function send(res: http.ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-ingest-rest-'));
  sink = await DuckDbSink.open(path.join(dir, 'lake.duckdb'));
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ url: `${url.pathname}${url.search}`, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
    if (req.headers.authorization !== 'Bearer tok-123') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"message":"bad token"}');
      return;
    }
    const p = url.pathname;
    if (p === '/page-number') {
      const page = Number(url.searchParams.get('page') ?? 1);
      return send(res, { data: POSTS.slice((page - 1) * 3, page * 3), meta: { total_pages: 3 } });
    }
    if (p === '/cursor') {
      const at = Number(url.searchParams.get('cursor') ?? 0);
      const next = at + 3 < POSTS.length ? String(at + 3) : null;
      return send(res, { results: POSTS.slice(at, at + 3), next_cursor: next });
    }
    if (p === '/json-link') {
      const at = Number(url.searchParams.get('from') ?? 0);
      return send(res, { items: POSTS.slice(at, at + 3), links: { next: at + 3 < POSTS.length ? `/json-link?from=${at + 3}` : null } });
    }
    if (p === '/header-link') {
      const at = Number(url.searchParams.get('from') ?? 0);
      const headers: Record<string, string> = at + 3 < POSTS.length ? { link: `<${base}/header-link?from=${at + 3}>; rel="next"` } : {};
      return send(res, POSTS.slice(at, at + 3), headers);
    }
    const comments = /^\/posts\/(\d+)\/comments$/.exec(p);
    if (comments) {
      const id = Number(comments[1]);
      return send(res, id % 2 === 0 ? [] : [{ cid: id * 10, body: 'hi' }, { cid: id * 10 + 1, body: 'yo' }]);
    }
    if (p === '/posts') return send(res, POSTS);
    res.writeHead(404);
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await sink.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

function pipeline(resources: string) {
  return loadPipelineText(
    `destination: { dataset: api }
client:
  base_url: ${base}
  auth: { type: bearer, token: "{{ env_var('API_TOKEN') }}" }
resources:
${resources}`,
    { file: 'pipelines/api.yaml', env: { API_TOKEN: 'tok-123' }, projectDir: dir },
  );
}

describe('REST features', () => {
  it.each([
    ['page_number with a total page count', 'page-number', '{ type: page_number, base_page: 1, total_path: meta.total_pages }', 'data', 3],
    ['cursor from the body', 'cursor', '{ type: cursor, cursor_path: next_cursor, cursor_param: cursor }', 'results', 3],
    ['json_link next URL', 'json-link', '{ type: json_link, next_url_path: links.next }', 'items', 3],
    ['header_link Link header', 'header-link', '{ type: header_link }', '$', 3],
  ])('pages with %s', async (_label, route, paginator, selector, requests) => {
    seen.length = 0;
    const name = route.replace('-', '_');
    const result = await runPipeline(
      pipeline(`  - name: ${name}
    endpoint:
      path: ${route}
      data_selector: "${selector}"
      paginator: ${paginator}
    write_disposition: replace
`),
      { sink, workDir: dir },
    );
    expect(result).toMatchObject({ status: 'loaded', tables: [{ name, rows: 7 }] });
    expect(seen).toHaveLength(requests);
    expect(seen.every((s) => s.auth === 'Bearer tok-123')).toBe(true);
    const rows = await sink.query(`SELECT id, author__name AS a FROM api.${name} ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(rows[3]?.a).toBe('u0');
  });

  it('resolves a dependent resource from its parent fields and includes parent fields', async () => {
    seen.length = 0;
    const result = await runPipeline(
      pipeline(`  - name: comments
    endpoint:
      path: "posts/{resources.posts.id}/comments"
    include_from_parent: [title]
  - name: posts
    endpoint: { path: posts, paginator: { type: single_page } }
    selected: false
`),
      { sink, workDir: dir },
    );
    expect(result).toMatchObject({ status: 'loaded', tables: [{ name: 'comments', rows: 8 }] });
    expect(seen.map((s) => s.url)).toEqual(['/posts', ...POSTS.map((p) => `/posts/${p.id}/comments`)]);
    const rows = await sink.query(`SELECT cid, _posts_title AS t FROM api.comments ORDER BY cid`);
    expect(rows[0]).toEqual({ cid: '10', t: 'Post 1' });
    expect(await sink.currentSchema('api', 'posts')).toBeUndefined();
  });

  it('fails with the status and body excerpt on 401, without showing the token', async () => {
    const p = pipeline(`  - posts\n`);
    p.client = { ...p.client!, auth: { type: 'bearer', token: 'wrong-token-xyz' } };
    const result = await runPipeline(p, { sink, workDir: dir });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toBe(`HTTP 401 from GET ${base}/posts: {"message":"bad token"}`);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../src-shared/protocol';
import { Session } from '../duck/session';
import { PasService } from '../service/service';
import { startWebServer, type WebServer } from './web-server';

let service: PasService;
let server: WebServer;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pas-renderer-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>pas</title>');
  // A folder that is not a project: the repository's example is open in other test files at the same time.
  service = await PasService.create({ projectDir: mkdtempSync(path.join(tmpdir(), 'pas-no-project-')) });
  server = await startWebServer({ service, rendererDir: dir });
});
afterAll(async () => {
  await server.close();
  await service.close();
});

function wsUrl(token: string | undefined) {
  return `ws://127.0.0.1:${server.port}/ws${token === undefined ? '' : `?token=${token}`}`;
}

/** Resolves with the HTTP status of a refused upgrade, or 101 when it opened. */
function upgradeStatus(token: string | undefined, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(token), { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

async function client() {
  const ws = new WebSocket(wsUrl(server.token), { headers: { Origin: `http://127.0.0.1:${server.port}` } });
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  const messages: ServerMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as ServerMessage);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (predicate: (m: ServerMessage) => boolean): Promise<ServerMessage> => {
    for (;;) {
      const found = messages.find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const result = (id: string) => next((m) => m.type === 'result' && m.id === id);
  return { ws, next, result, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

describe('web mode', () => {
  it('prints a URL on 127.0.0.1 with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses a WebSocket without the token or with a wrong one', async () => {
    expect(await upgradeStatus(undefined)).toBe(401);
    expect(await upgradeStatus('wrong-token')).toBe(401);
    expect(await upgradeStatus(`${server.token}x`)).toBe(401);
  });

  it('refuses a WebSocket from another origin even with the token', async () => {
    expect(await upgradeStatus(server.token, { Origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(server.token, { Origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await upgradeStatus(server.token, { Origin: `http://127.0.0.1:${server.port}` })).toBe(101);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: server.port, path: '/', headers: { Host: 'evil.example' } }, (r) => resolve(r.statusCode ?? 0));
        req.end();
      });
    });
    expect(status).toBe(403);
  });

  it('serves the renderer with a strict Content-Security-Policy and no path traversal', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const traversal = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(traversal.status);
  });

  it('answers a malformed request with a validation error naming the field, without reaching DuckDB', async () => {
    const run = vi.spyOn(Session.prototype, 'run');
    const c = await client();
    c.send({ type: 'invoke', id: 'bad-1', method: 'query.page', params: { resultId: 'x', offset: 0, limit: 'ten' } });
    expect(await c.result('bad-1')).toMatchObject({
      outcome: { ok: false, error: { code: 'validation', issues: [{ path: 'params.limit' }] } },
    });
    c.send({ type: 'invoke', id: 'bad-2', method: 'query.run', params: {} });
    expect(await c.result('bad-2')).toMatchObject({ outcome: { ok: false, error: { code: 'validation', issues: [{ path: 'params.sql' }] } } });
    c.send({ type: 'invoke', method: 'query.run', params: { sql: 'select 1' } });
    expect(await c.result('')).toMatchObject({ outcome: { ok: false, error: { code: 'validation', issues: [{ path: 'id' }] } } });
    expect(run).not.toHaveBeenCalled();
    run.mockRestore();
    c.ws.close();
  });

  it('runs, pages, streams progress and cancels over the socket', async () => {
    const c = await client();
    c.send({ type: 'subscribe', topic: 'progress' });
    c.send({ type: 'invoke', id: 'q1', method: 'query.run', params: { sql: 'select * from range(5000) t(i)' } });
    const run = await c.result('q1');
    if (run.type !== 'result' || !run.outcome.ok) throw new Error('query failed');
    const handle = run.outcome.value as { resultId: string; rowCount: number };
    expect(handle.rowCount).toBe(5000);
    c.send({ type: 'invoke', id: 'p1', method: 'query.page', params: { resultId: handle.resultId, offset: 4998, limit: 10 } });
    expect(await c.result('p1')).toMatchObject({ outcome: { ok: true, value: { offset: 4998, rowCount: 2, columns: [[4998, 4999]] } } });

    c.send({ type: 'invoke', id: 'long', method: 'query.run', params: { sql: 'select count(*) from range(1000000000000) a' } });
    await c.next((m) => m.type === 'event' && m.topic === 'progress' && m.payload.requestId === 'long' && m.payload.stage === 'started');
    c.send({ type: 'cancel', id: 'long' });
    expect(await c.result('long')).toMatchObject({ outcome: { ok: false, error: { code: 'cancelled' } } });
    c.ws.close();
  });
});

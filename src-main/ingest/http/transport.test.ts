import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange } from './transport';

/** Two servers (two origins): `a` redirects and compresses, `b` echoes what it received. */
let a: http.Server;
let b: http.Server;
let baseA: string;
let baseB: string;

const listen = async (server: http.Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const echo = (req: http.IncomingMessage, res: http.ServerResponse): void => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-many': ['1', '2'] });
    res.end(JSON.stringify({ method: req.method, url: req.url, authorization: req.headers.authorization ?? null, body }));
  });
};

beforeAll(async () => {
  b = http.createServer(echo);
  baseB = await listen(b);
  a = http.createServer((req, res) => {
    const url = req.url ?? '';
    const payload = JSON.stringify({ records: Array.from({ length: 2000 }, (_, i) => ({ i })) });
    if (url === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(payload));
    } else if (url === '/br') {
      res.writeHead(200, { 'content-encoding': 'br' });
      res.end(zlib.brotliCompressSync(payload));
    } else if (url === '/deflate') {
      res.writeHead(200, { 'content-encoding': 'deflate' });
      res.end(zlib.deflateSync(payload));
    } else if (url === '/same-origin') {
      res.writeHead(307, { location: '/echo' });
      res.end();
    } else if (url === '/other-origin') {
      res.writeHead(302, { location: `${baseB}/echoed` });
      res.end();
    } else if (url === '/see-other') {
      res.writeHead(303, { location: '/echo' });
      res.end();
    } else if (url === '/cut') {
      res.writeHead(200, { 'content-length': '100000' });
      res.write('[{"a":1}');
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (url === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else echo(req, res);
  });
  baseA = await listen(a);
});

afterAll(async () => {
  for (const server of [a, b]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const signal = (): AbortSignal => AbortSignal.timeout(10_000);
const json = (body: Buffer): Record<string, unknown> => JSON.parse(body.toString('utf8')) as Record<string, unknown>;

describe('HTTP exchange', () => {
  it('asks for compression and decodes gzip, brotli and deflate bodies', async () => {
    for (const path of ['/gzip', '/br', '/deflate']) {
      const response = await exchange({ url: `${baseA}${path}`, method: 'GET', headers: {} }, signal());
      expect((json(response.body).records as unknown[]).length, path).toBe(2000);
    }
  });

  it('follows redirects keeping credentials on the same origin and dropping them on another, with the final URL', async () => {
    const headers = { Authorization: 'Bearer secret' };
    const same = await exchange({ url: `${baseA}/same-origin`, method: 'POST', headers, body: 'x=1' }, signal());
    expect(json(same.body)).toMatchObject({ method: 'POST', url: '/echo', authorization: 'Bearer secret', body: 'x=1' });
    expect(same.url).toBe(`${baseA}/echo`);
    const other = await exchange({ url: `${baseA}/other-origin`, method: 'GET', headers }, signal());
    expect(json(other.body)).toMatchObject({ url: '/echoed', authorization: null });
    expect(other.headers.get('x-many')).toBe('1, 2');
  });

  it('turns a POST into a GET on 303 See Other and stops after 20 redirects', async () => {
    const seeOther = await exchange({ url: `${baseA}/see-other`, method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x=1' }, signal());
    expect(json(seeOther.body)).toMatchObject({ method: 'GET', body: '' });
    await expect(exchange({ url: `${baseA}/loop`, method: 'GET', headers: {} }, signal())).rejects.toThrow('too many redirects');
  });

  it('rejects a response cut off before its announced length', async () => {
    await expect(exchange({ url: `${baseA}/cut`, method: 'GET', headers: {} }, signal())).rejects.toThrow();
  });
});

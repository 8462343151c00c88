/**
 * Web mode (`pas serve`): serves the built renderer and the contract over a WebSocket at
 * `/ws`, on 127.0.0.1 only. A random per-run token in the printed URL is required on the
 * WebSocket; a foreign Origin or Host is refused.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PasService } from '../service/service';
import { ClientConnection } from './connection';
import { allowedOrigins, contentSecurityPolicy, hostAllowed, newToken, tokenMatches } from './security';

export interface WebServerOptions {
  service: PasService;
  /** Folder of the built renderer (index.html and assets); without it only `/ws` answers. */
  rendererDir?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export const HOST = '127.0.0.1';

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? newToken();
  const rendererDir = options.rendererDir === undefined ? undefined : path.resolve(options.rendererDir);
  let port = 0;

  const server = http.createServer((req, res) => {
    if (rendererDir === undefined) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    else void serveStatic(req, res, rendererDir, port);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  server.on('upgrade', (req, socket, head) => {
    const refusal = checkUpgrade(req, port, token);
    if (refusal) {
      refuse(socket, refusal.status, refusal.reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, options.service));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function checkUpgrade(
  req: http.IncomingMessage,
  port: number,
  token: string,
): { status: number; reason: string } | undefined {
  const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
  if (url.pathname !== '/ws') return { status: 404, reason: 'Not Found' };
  if (!hostAllowed(req.headers.host, port)) return { status: 403, reason: 'Forbidden host' };
  const origin = req.headers.origin;
  // Browsers always send Origin on a WebSocket; tools (tests, scripts) may not, and still need the token.
  if (origin !== undefined && !allowedOrigins(port).has(origin)) return { status: 403, reason: 'Forbidden origin' };
  if (!tokenMatches(token, url.searchParams.get('token'))) return { status: 401, reason: 'Unauthorized' };
  return undefined;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function attach(ws: WebSocket, service: PasService): void {
  const connection = new ClientConnection(service, (message) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  });
  ws.on('message', (data) => void connection.receive(data.toString()));
  ws.on('close', () => connection.close());
  ws.on('error', () => connection.close());
}

async function serveStatic(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rendererDir: string,
  port: number,
): Promise<void> {
  if (!hostAllowed(req.headers.host, port)) {
    res.writeHead(403).end('Forbidden host');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
  const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  const file = path.resolve(rendererDir, `.${relative}`);
  if (!file.startsWith(rendererDir + path.sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Content-Security-Policy': contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
  }
}

/**
 * Test support: a small HTTP proxy in front of a real S3 server that records requests and
 * can fail the next N of them (an HTTP error answer, or a dropped connection), to prove
 * retry and error behaviour against a real server rather than a mocked SDK.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  url: string;
}

export interface FaultyProxy {
  endpoint: string;
  /** Every request received, in order (failed ones included). */
  readonly requests: ProxiedRequest[];
  /** Answers the next `count` requests with `status` and an S3 error body. */
  failNext(count: number, status?: number, code?: string): void;
  /** Drops the connection of the next `count` requests without answering. */
  resetNext(count: number): void;
  /** Holds the next `count` requests without ever answering (until `stop`). */
  stallNext(count: number): void;
  /** Forgets faults not yet used. */
  clearFaults(): void;
  /** Called as each request arrives (before it is failed or forwarded). */
  onRequest?: (request: ProxiedRequest) => void;
  stop(): Promise<void>;
}

export async function startFaultyProxy(upstream: string): Promise<FaultyProxy> {
  const target = new URL(upstream);
  const faults: ({ kind: 'status'; status: number; code: string } | { kind: 'reset' } | { kind: 'stall' })[] = [];
  const requests: ProxiedRequest[] = [];
  const server = http.createServer((req, res) => {
    const request = { method: req.method ?? 'GET', url: req.url ?? '/' };
    requests.push(request);
    proxy.onRequest?.(request);
    const fault = faults.shift();
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'stall') {
      req.resume();
      return;
    }
    if (fault?.kind === 'status') {
      req.resume();
      req.on('end', () => {
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>Injected ${fault.status} by the test proxy.</Message><RequestId>proxy</RequestId></Error>`;
        res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
      return;
    }
    const forward = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxy: FaultyProxy = {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, status = 503, code = status === 503 ? 'ServiceUnavailable' : status === 403 ? 'AccessDenied' : 'InternalError') {
      for (let i = 0; i < count; i++) faults.push({ kind: 'status', status, code });
    },
    stallNext(count) {
      for (let i = 0; i < count; i++) faults.push({ kind: 'stall' });
    },
    clearFaults() {
      faults.length = 0;
    },
    resetNext(count) {
      for (let i = 0; i < count; i++) faults.push({ kind: 'reset' });
    },
    stop() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

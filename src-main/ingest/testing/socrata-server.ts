/**
 * Test support: a local HTTP server that behaves like Socrata's SODA 2 JSON endpoint for one
 * dataset — `$limit`/`$offset` paging, `$order` (`:id` or fields), a small `$where` subset
 * (`field >= 'value' AND ...`), bare-array bodies in Socrata's line layout, optional
 * `X-App-Token` check — with fault injection (status codes with `Retry-After`, slow responses,
 * malformed JSON) and an optional cache of rendered pages for benchmarks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CollisionRecord } from './collisions';

export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'malformed' };

export interface FaultRule {
  fault: Fault;
  /** How many matching requests get the fault. */
  times: number;
  /** Only requests for this `$offset`. */
  offset?: number;
}

export interface SocrataServer {
  /** Base URL for pipelines: `http://127.0.0.1:PORT/resource/`. */
  baseUrl: string;
  /** Full dataset URL. */
  datasetUrl: string;
  /** The data set; mutate it (push, replace) between runs. Index = `:id`. */
  rows: CollisionRecord[];
  /** Request log: path + query of each request, in arrival order. */
  requests: string[];
  /** Request headers of each request. */
  requestHeaders: http.IncomingHttpHeaders[];
  fault(rule: FaultRule): void;
  clearFaults(): void;
  /** Renders and caches the pages a plain `$order=:id` offset walk will ask for. */
  prerender(limit: number, order?: string): number;
  stop(): Promise<void>;
}

export interface SocrataServerOptions {
  dataset?: string;
  rows?: CollisionRecord[];
  /** Pre-rendered bodies by query string (see `pageQuery`), served before any query runs. */
  pages?: Map<string, Buffer>;
  /** When set, requests must carry this `X-App-Token` (else 403). */
  appToken?: string;
}

interface Condition {
  field: string;
  op: string;
  value: string | number;
}

function parseWhere(where: string): Condition[] {
  return where.split(/\s+AND\s+/i).map((part) => {
    const m = /^\s*([:A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|=|>|<)\s*(?:'((?:[^']|'')*)'|(-?[0-9.]+))\s*$/.exec(part);
    if (!m) throw new Error(`could not parse $where condition: ${part}`);
    return { field: m[1] as string, op: m[2] as string, value: m[3] !== undefined ? m[3].replaceAll("''", "'") : Number(m[4]) };
  });
}

function test(value: unknown, c: Condition): boolean {
  if (value === undefined) return false;
  const a: string | number = typeof c.value === 'number' ? Number(value) : String(value);
  const b = c.value;
  switch (c.op) {
    case '>=': return a >= b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '<': return a < b;
    case '=': return a === b;
    default: return a !== b;
  }
}

/** The query string of an offset page, as a pipeline with `$order` + offset paging sends it. */
export function pageQuery(offset: number, limit: number, order = ':id', where?: string): string {
  const params = new URLSearchParams({ $order: order });
  if (where !== undefined) params.set('$where', where);
  params.set('$offset', String(offset));
  params.set('$limit', String(limit));
  return `?${params.toString()}`;
}

/** Socrata's layout: `[{...}\n,{...}]\n`. */
export function render(rows: readonly CollisionRecord[]): string {
  return rows.length === 0 ? '[]\n' : `[${rows.map((r) => JSON.stringify(r)).join('\n,')}]\n`;
}

export async function startSocrataServer(options: SocrataServerOptions = {}): Promise<SocrataServer> {
  const dataset = options.dataset ?? 'h9gi-nx95';
  const faults: FaultRule[] = [];
  const cache = new Map<string, Buffer>(options.pages ?? []);
  const state = { rows: options.rows ?? [] };

  const query = (params: URLSearchParams): CollisionRecord[] => {
    let indexed = state.rows.map((row, id) => ({ row, id }));
    const where = params.get('$where');
    if (where) {
      const conditions = parseWhere(where);
      indexed = indexed.filter(({ row, id }) => conditions.every((c) => test(c.field === ':id' ? id : row[c.field], c)));
    }
    const order = params.get('$order');
    if (order && order.trim() !== ':id') {
      const keys = order.split(',').map((k) => {
        const [field, dir] = k.trim().split(/\s+/);
        return { field: field as string, desc: dir?.toUpperCase() === 'DESC' };
      });
      indexed.sort((x, y) => {
        for (const k of keys) {
          const a = k.field === ':id' ? x.id : String(x.row[k.field] ?? '');
          const b = k.field === ':id' ? y.id : String(y.row[k.field] ?? '');
          if (a !== b) return (a < b ? -1 : 1) * (k.desc ? -1 : 1);
        }
        return x.id - y.id;
      });
    }
    const offset = Number(params.get('$offset') ?? 0);
    const limit = Number(params.get('$limit') ?? 1000);
    return indexed.slice(offset, offset + limit).map((i) => i.row);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    server.emit('logged', `${url.pathname}${url.search}`, req.headers);
    if (url.pathname !== `/resource/${dataset}.json`) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'not_found', error: true, message: `Dataset not found: ${url.pathname}` }));
      return;
    }
    if (options.appToken !== undefined && req.headers['x-app-token'] !== options.appToken) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'permission_denied', error: true, message: 'Invalid app_token specified' }));
      return;
    }
    const offset = Number(url.searchParams.get('$offset') ?? 0);
    const rule = faults.find((f) => f.times > 0 && (f.offset === undefined || f.offset === offset));
    if (rule) rule.times--;
    const fault = rule?.fault;
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      res.writeHead(fault.status, headers);
      res.end(fault.body ?? JSON.stringify({ message: `Injected ${fault.status}`, errorCode: 'injected' }));
      return;
    }
    const send = (): void => {
      if (res.destroyed || req.destroyed) return;
      let body: Buffer | undefined = cache.get(url.search);
      if (!body) {
        let rows: CollisionRecord[];
        try {
          rows = query(url.searchParams);
        } catch (error) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: (error as Error).message, errorCode: 'query.soql.malformed' }));
          return;
        }
        body = Buffer.from(render(rows));
      }
      if (fault?.kind === 'malformed') body = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length), 'x-soda2-fields': '[]' });
      res.end(body);
    };
    if (fault?.kind === 'delay') setTimeout(send, fault.ms);
    else send();
  });
  const requests: string[] = [];
  const requestHeaders: http.IncomingHttpHeaders[] = [];
  server.on('logged', (line: string, headers: http.IncomingHttpHeaders) => {
    requests.push(line);
    requestHeaders.push(headers);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}/resource/`;
  return {
    baseUrl,
    datasetUrl: `${baseUrl}${dataset}.json`,
    get rows() {
      return state.rows;
    },
    set rows(rows: CollisionRecord[]) {
      state.rows = rows;
      cache.clear();
    },
    requests,
    requestHeaders,
    fault: (rule) => faults.push({ ...rule }),
    clearFaults: () => void faults.splice(0),
    prerender(limit, order = ':id') {
      let bytes = 0;
      for (let offset = 0; offset <= state.rows.length; offset += limit) {
        const key = pageQuery(offset, limit, order);
        const body = Buffer.from(render(query(new URLSearchParams(key))));
        cache.set(key, body);
        bytes += body.length;
      }
      return bytes;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

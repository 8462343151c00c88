/**
 * One HTTP exchange over `node:http`/`node:https`: what `fetch` does for an API client — follows
 * redirects (at most 20; 303, and 301/302 after a POST, become a GET; credentials are not sent
 * to another origin), asks for and decodes gzip, deflate and brotli, stops on an AbortSignal —
 * at about half its CPU per byte received: the body is copied from the socket's chunks straight
 * into one buffer (a pooled one when its length is announced), with no web-stream layer between.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { takeBody } from './body-pool';

export interface Exchange {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface ExchangeRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

const MAX_REDIRECTS = 20;
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** Sends `request` and reads the whole response; rejects with the network error, or the signal's reason. */
export async function exchange(request: ExchangeRequest, signal: AbortSignal): Promise<Exchange> {
  let current = { ...request, headers: { ...request.headers } };
  for (let redirects = 0; ; redirects++) {
    const response = await send(current, signal);
    const location = response.headers.location;
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && status !== 304 && location !== undefined) {
      response.resume();
      if (redirects >= MAX_REDIRECTS) throw new Error(`too many redirects (over ${MAX_REDIRECTS})`);
      const next = new URL(location, current.url);
      const headers = { ...current.headers };
      if (next.origin !== new URL(current.url).origin) for (const name of Object.keys(headers)) if (CREDENTIAL_HEADERS.includes(name.toLowerCase())) delete headers[name];
      const toGet = status === 303 || ((status === 301 || status === 302) && current.method === 'POST');
      if (toGet) for (const name of Object.keys(headers)) if (name.toLowerCase().startsWith('content-')) delete headers[name];
      current = { url: next.href, method: toGet ? 'GET' : current.method, headers, ...(toGet || current.body === undefined ? {} : { body: current.body }) };
      continue;
    }
    return { url: current.url, status, headers: toHeaders(response.headers), body: await readAll(response, signal) };
  }
}

function send(request: ExchangeRequest, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const url = new URL(request.url);
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!client) return reject(new Error(`unsupported protocol ${url.protocol}`));
    const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    const outgoing = client.request(url, { method: request.method, headers, signal }, resolve);
    outgoing.once('error', reject);
    outgoing.end(request.body);
  });
}

/** The body, decoded; with a length announced and no encoding, read into one pooled buffer. */
function readAll(response: http.IncomingMessage, signal: AbortSignal): Promise<Buffer> {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const length = Number(response.headers['content-length'] ?? NaN);
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  const source: Readable = decoder ? response.pipe(decoder) : response;
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      response.destroy();
      decoder?.destroy();
      reject(signal.aborted ? signal.reason : error);
    };
    response.once('error', fail);
    response.once('close', () => {
      if (!response.complete) fail(new Error('the connection closed before the whole response arrived'));
    });
    decoder?.once('error', fail);
    const known = !decoder && Number.isSafeInteger(length) && length > 0;
    const target = known ? takeBody(length) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    source.on('data', (chunk: Buffer) => {
      if (target && chunks.length === 0 && size + chunk.length <= length) target.set(chunk, size);
      else chunks.push(chunk);
      size += chunk.length;
    });
    source.once('end', () => {
      if (!target) return resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      // A body longer than announced keeps every byte.
      if (chunks.length === 0) return resolve(size === length ? target : target.subarray(0, size));
      const inTarget = size - chunks.reduce((n, c) => n + c.length, 0);
      resolve(Buffer.concat([target.subarray(0, inTarget), ...chunks]));
    });
  });
}

function toHeaders(incoming: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

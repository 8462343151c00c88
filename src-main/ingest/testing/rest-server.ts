/**
 * A small generic REST API for tests, on 127.0.0.1 and a free port: the same seven records
 * served through every dlt paginator shape (offset, page_number, cursor, json_link,
 * header_link, header_cursor, single_page, and shapes for auto-detection) and behind every
 * dlt auth form (bearer, api_key in a header, the query or a cookie, HTTP basic, OAuth2 client
 * credentials with its token endpoint). Requests are recorded for assertions.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const RECORDS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` }));
const PAGE = 3;

export const CREDENTIALS = {
  token: 'tok-bearer',
  apiKey: 'key-123',
  username: 'ada',
  password: 'pw-secret',
  clientId: 'client-1',
  clientSecret: 'client-secret-1',
};

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RestTestServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Access tokens the OAuth2 token endpoint has issued. */
  issuedTokens: string[];
  close(): Promise<void>;
}

function send(res: http.ServerResponse, body: unknown, headers: Record<string, string> = {}, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const slice = (from: number) => RECORDS.slice(from, from + PAGE);

export async function startRestServer(): Promise<RestTestServer> {
  const requests: RecordedRequest[] = [];
  const issuedTokens: string[] = [];
  let baseUrl = '';
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, headers: req.headers, body });
      const q = url.searchParams;
      const n = (name: string, fallback: number) => Number(q.get(name) ?? fallback);
      switch (url.pathname) {
        // Paginators, configured.
        case '/offset':
          return send(res, RECORDS.slice(n('offset', 0), n('offset', 0) + n('limit', PAGE)));
        case '/page-number':
          return send(res, { data: slice((n('page', 1) - 1) * PAGE), meta: { total_pages: Math.ceil(RECORDS.length / PAGE) } });
        case '/cursor': {
          const at = n('cursor', 0);
          return send(res, { results: slice(at), next_cursor: at + PAGE < RECORDS.length ? String(at + PAGE) : null });
        }
        case '/json-link': {
          const at = n('from', 0);
          return send(res, { items: slice(at), links: { next: at + PAGE < RECORDS.length ? `${baseUrl}/json-link?from=${at + PAGE}` : null } });
        }
        case '/header-link': {
          const at = n('from', 0);
          return send(res, slice(at), at + PAGE < RECORDS.length ? { link: `<${baseUrl}/header-link?from=${at + PAGE}>; rel="next"` } : {});
        }
        case '/header-cursor': {
          const at = n('cursor', 0);
          return send(res, slice(at), at + PAGE < RECORDS.length ? { 'x-next-cursor': String(at + PAGE) } : {});
        }
        case '/single':
          return send(res, RECORDS);
        // Shapes dlt's auto-detection recognises (no paginator configured).
        case '/auto/header-link': {
          const at = n('from', 0);
          return send(res, slice(at), at + PAGE < RECORDS.length ? { link: `<${baseUrl}/auto/header-link?from=${at + PAGE}>; rel="next"` } : {});
        }
        case '/auto/json-link': {
          const at = n('from', 0);
          return send(res, { data: slice(at), next: at + PAGE < RECORDS.length ? `${baseUrl}/auto/json-link?from=${at + PAGE}` : null });
        }
        case '/auto/page-number':
          return send(res, { items: slice(n('page', 0) * PAGE), total_pages: Math.ceil(RECORDS.length / PAGE) });
        case '/auto/cursor': {
          const at = n('cursor', 0);
          return send(res, { results: slice(at), next: at + PAGE < RECORDS.length ? String(at + PAGE) : null });
        }
        case '/auto/single':
          return send(res, RECORDS);
        // Auth forms.
        case '/oauth/token': {
          const form = new URLSearchParams(body);
          if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== CREDENTIALS.clientId || form.get('client_secret') !== CREDENTIALS.clientSecret) {
            return send(res, { error: 'invalid_client' }, {}, 401);
          }
          const token = `oauth-${issuedTokens.length + 1}`;
          issuedTokens.push(token);
          return send(res, { access_token: token, token_type: 'bearer', expires_in: 3600 });
        }
        case '/auth/bearer':
          return authorized(res, req.headers.authorization === `Bearer ${CREDENTIALS.token}`);
        case '/auth/api-key-header':
          return authorized(res, req.headers['x-api-key'] === CREDENTIALS.apiKey);
        case '/auth/api-key-query':
          return authorized(res, q.get('api_key') === CREDENTIALS.apiKey);
        case '/auth/api-key-cookie':
          return authorized(res, (req.headers.cookie ?? '').split(/;\s*/).includes(`session=${CREDENTIALS.apiKey}`));
        case '/auth/basic':
          return authorized(res, req.headers.authorization === `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`);
        case '/auth/oauth': {
          const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
          return authorized(res, token !== undefined && issuedTokens.includes(token));
        }
        default:
          return send(res, { error: 'not found' }, {}, 404);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    requests,
    issuedTokens,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function authorized(res: http.ServerResponse, ok: boolean): void {
  if (ok) send(res, RECORDS);
  else send(res, { message: 'unauthorized' }, {}, 401);
}

/**
 * Extraction from a REST endpoint: builds the request (base_url + path, params, headers, auth,
 * `{incremental.*}` and `{resources.<parent>.<field>}` placeholders), pages through it with the
 * configured paginator — several pages in flight for offset/page-number paging, consumed in
 * order — and yields the records of each page with its byte size.
 */
import type { ClientConfig, EndpointConfig, AuthConfig } from '../config/schema';
import { IngestError, throwIfCancelled } from '../errors';
import type { HttpResponse, HttpSettings, RetryNotice } from '../http/client';
import { httpRequest } from '../http/client';
import { maskUrl, secretHeaderValues } from '../http/mask';
import type { FetchedPage, PageRequest } from '../http/paginators';
import { giveBack } from '../http/body-pool';
import { createPaginator, needsBody } from '../http/paginators';
import { OAuth2ClientCredentials } from '../http/oauth2';
import { selectRecords } from './json-path';

export interface RecordPage {
  records: unknown[];
  bytes: number;
  url: string;
  /** The body bytes when the body itself is the array of records (eligible for the raw route). */
  raw?: Uint8Array;
  /**
   * Set when `rawCheck` accepted the body: its record count. The body was not parsed, `records`
   * is empty and `raw` holds the records.
   */
  checked?: number;
  /**
   * Hands `raw` back for reuse by later responses; call it only when nothing reads `raw` any
   * more (for example once it is written to disk). Not calling it is fine.
   */
  release?: () => void;
}

export interface RestRequestContext {
  client: ClientConfig;
  endpoint: EndpointConfig;
  /** Placeholder values by name, e.g. `incremental.start_value`, `resources.users.id`. */
  placeholders: Record<string, string>;
  signal?: AbortSignal;
  onRetry?: (notice: RetryNotice) => void;
  /**
   * The raw route's byte check: given a body that should be the array of records, its record
   * count when the records can be loaded without parsing, else undefined (the body is parsed).
   * Used only when the paginator needs no body and no `data_selector` picks the records.
   */
  rawCheck?: (body: Uint8Array) => number | undefined;
  /**
   * Bytes of response bodies that may be held at once (default `BODY_BUDGET`): with pages in
   * flight, the next request goes out before the consumer handles a page only while the page
   * being handled plus `pages_in_flight` more of its size fit in it.
   */
  bodyBudget?: number;
}

/**
 * Default `bodyBudget`: small pages keep `pages_in_flight` requests outstanding while one is
 * handled (latency hidden); pages of tens of megabytes wait for the consumer, so at most
 * `pages_in_flight` such bodies are in memory at once.
 */
export const BODY_BUDGET = 64 << 20;

/** Fills `{name}` placeholders; `{{`/`}}` are literal braces. Unknown placeholders are an error. */
export function fillPlaceholders(template: string, values: Record<string, string>, where: string): string {
  return template.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*(?:\.[^{}.]+)+)\}/g, (all, name: string | undefined) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    const value = name === undefined ? undefined : values[name];
    if (value === undefined) throw new IngestError(`${where}: unknown placeholder {${name}} (known: ${Object.keys(values).join(', ') || 'none'})`);
    return value;
  });
}

export function httpSettings(client: ClientConfig, auth: AuthConfig | undefined, headers: Record<string, string>): HttpSettings {
  const secrets = [...secretHeaderValues(headers)];
  if (auth?.type === 'bearer') secrets.push(auth.token);
  if (auth?.type === 'api_key') secrets.push(auth.api_key);
  if (auth?.type === 'oauth2_client_credentials') secrets.push(auth.client_secret, ...(auth.access_token ? [auth.access_token] : []));
  if (auth?.type === 'http_basic') secrets.push(auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  return {
    timeoutMs: client.timeout_seconds * 1000,
    maxAttempts: client.max_attempts,
    backoffMs: client.backoff_seconds * 1000,
    maxRetryDelayMs: client.max_retry_delay_seconds * 1000,
    secrets: secrets.filter((s) => s.length > 0),
  };
}

interface Prepared {
  base: URL;
  headers: Record<string, string>;
  body?: string;
  settings: HttpSettings;
  /** Bearer tokens fetched from an OAuth2 token endpoint, when the auth is oauth2_client_credentials. */
  oauth?: OAuth2ClientCredentials;
}

function prepare(ctx: RestRequestContext): Prepared {
  const { client, endpoint, placeholders } = ctx;
  const path = fillPlaceholders(endpoint.path, placeholders, 'endpoint.path');
  const base = /^https?:\/\//.test(path) ? new URL(path) : new URL(`${client.base_url.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
  for (const [k, v] of Object.entries(endpoint.params ?? {})) {
    base.searchParams.set(k, typeof v === 'string' ? fillPlaceholders(v, placeholders, `endpoint.params.${k}`) : String(v));
  }
  const headers: Record<string, string> = { ...client.headers };
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'accept')) headers.accept = 'application/json';
  for (const [k, v] of Object.entries(endpoint.headers ?? {})) headers[k] = fillPlaceholders(v, placeholders, `endpoint.headers.${k}`);
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
  const auth = endpoint.auth ?? client.auth;
  if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;
  if (auth?.type === 'http_basic') headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  if (auth?.type === 'api_key' && auth.api_key !== '') {
    if (auth.location === 'header') headers[auth.name] = auth.api_key;
    else if (auth.location === 'cookie') headers.cookie = [headers.cookie, `${auth.name}=${encodeURIComponent(auth.api_key)}`].filter(Boolean).join('; ');
    else base.searchParams.set(auth.name, auth.api_key);
  }
  let body: string | undefined;
  if (endpoint.json !== undefined) {
    body = fillPlaceholders(JSON.stringify(endpoint.json), placeholders, 'endpoint.json');
    headers['content-type'] = 'application/json';
  }
  const settings = httpSettings(client, auth, headers);
  const oauth = auth?.type === 'oauth2_client_credentials' ? new OAuth2ClientCredentials(auth, settings) : undefined;
  return { base, headers, ...(body !== undefined ? { body } : {}), settings, ...(oauth ? { oauth } : {}) };
}

function pageOf(page: FetchedPage & { bytes: number; raw?: Uint8Array; release?: () => void }): RecordPage {
  return {
    records: page.records,
    bytes: page.bytes,
    url: page.url,
    ...(page.raw ? { raw: page.raw } : {}),
    ...(page.release ? { release: page.release } : {}),
    ...(page.recordCount !== undefined ? { checked: page.recordCount } : {}),
  };
}

/** Pages of records of one request sequence. */
export async function* restPages(ctx: RestRequestContext): AsyncGenerator<RecordPage> {
  const prepared = prepare(ctx);
  const paginator = createPaginator(ctx.endpoint.paginator ?? ctx.client.paginator);
  const local = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, local.signal]) : local.signal;
  type Fetched = FetchedPage & { bytes: number; raw?: Uint8Array; release?: () => void };
  const selector = ctx.endpoint.data_selector;
  const rootSelected = selector === undefined || selector === '$';
  const rawCheck = ctx.rawCheck && rootSelected && !needsBody(ctx.endpoint.paginator ?? ctx.client.paginator) ? ctx.rawCheck : undefined;
  // Fetching runs ahead (pages in flight); checking and parsing run in page order, when the
  // consumer takes the page, so each page is checked against the schema the earlier pages made.
  const fetchResponse = async (request: PageRequest): Promise<{ url: string; response: HttpResponse }> => {
    const url = request.url.toString();
    const headers = prepared.oauth ? { ...prepared.headers, authorization: await prepared.oauth.authorization(signal) } : prepared.headers;
    const token = prepared.oauth?.current();
    const response = await httpRequest(
      { url, method: ctx.endpoint.method, headers, ...(prepared.body !== undefined ? { body: prepared.body } : {}) },
      token ? { ...prepared.settings, secrets: [...prepared.settings.secrets, token] } : prepared.settings,
      signal,
      ctx.onRetry,
    );
    return { url, response };
  };
  const toPage = ({ url, response }: { url: string; response: HttpResponse }): Fetched => {
    const checked = rawCheck?.(response.bytes);
    if (checked !== undefined) {
      const raw = response.bytes;
      return { url, body: undefined, headers: response.headers, records: [], recordCount: checked, bytes: raw.length, raw, release: () => giveBack(raw) };
    }
    let body: unknown;
    try {
      body = response.text === '' ? null : JSON.parse(response.text);
    } catch (error) {
      throw new IngestError(
        `Malformed JSON from ${maskUrl(url, prepared.settings.secrets)}: ${(error as Error).message}; body starts: ${response.text.slice(0, 200)}`,
        { url: maskUrl(url, prepared.settings.secrets), status: response.status, bodyExcerpt: response.text.slice(0, 200), attempts: response.attempts },
      );
    }
    const isArray = Array.isArray(body) && rootSelected;
    return {
      url,
      body,
      headers: response.headers,
      records: selectRecords(body, selector),
      bytes: response.bytes.length,
      ...(isArray ? { raw: response.bytes, release: () => giveBack(response.bytes) } : {}),
    };
  };

  const inFlight = ctx.client.pages_in_flight;
  try {
    if (paginator.at && inFlight > 1) {
      const at = paginator.at.bind(paginator);
      const window: Promise<{ url: string; response: HttpResponse }>[] = [];
      let launched = 0;
      const launch = (): void => {
        const request = at(launched, prepared.base);
        if (!request) return;
        launched++;
        const promise = fetchResponse(request);
        promise.catch(() => undefined);
        window.push(promise);
      };
      // The first page alone, then the rest of the window: pages in flight share the connection's
      // bandwidth and the event loop, so the first page — which nothing else can overlap — comes
      // in about twice as soon.
      launch();
      for (let k = 0; window.length > 0; k++) {
        throwIfCancelled(ctx.signal);
        const fetched = await (window.shift() as Promise<{ url: string; response: HttpResponse }>);
        if (k === 0) for (let i = 1; i < inFlight; i++) launch();
        const page = toPage(fetched);
        const more = paginator.next(page, k, prepared.base) !== undefined;
        // Large pages: the next request goes out once the consumer is done with this one (the
        // page being handled counts as one in flight), so their bodies don't pile up.
        const early = more && page.bytes * (inFlight + 1) <= (ctx.bodyBudget ?? BODY_BUDGET);
        if (early) launch();
        yield pageOf(page);
        if (!more) break;
        if (!early) launch();
      }
      return;
    }
    let request: PageRequest | undefined = paginator.first(prepared.base);
    for (let k = 0; request; k++) {
      throwIfCancelled(ctx.signal);
      const page = toPage(await fetchResponse(request));
      request = paginator.next(page, k, prepared.base);
      yield pageOf(page);
    }
  } finally {
    local.abort();
  }
}

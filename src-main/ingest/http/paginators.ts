/**
 * Paginators as small state machines (dlt's shape): `first()` gives the first request,
 * `next(page)` the following one or `undefined` to stop. Stop rules are explicit: empty page,
 * short page, total count, maximum offset/page/pages, `has_more` flag, missing cursor or link.
 * Offset and page-number paginators are also *indexable* (`at(k)`), so several pages can be
 * in flight at once. With no paginator (or `auto`) the first response picks one by dlt's
 * detection rules (`detectPaginator`).
 */
import type { PaginatorConfig } from '../config/schema';
import { getPath } from '../extract/json-path';

export interface PageRequest {
  url: URL;
}

export interface FetchedPage {
  url: string;
  body: unknown;
  headers: Headers;
  records: unknown[];
  /** Records of a page that was counted but not parsed (the raw route); `records` is then empty. */
  recordCount?: number;
}

export interface Paginator {
  /** The request for page `k` (0-based) without seeing earlier pages, or undefined past a known end. */
  at?(k: number, base: URL): PageRequest | undefined;
  first(base: URL): PageRequest;
  /** After page `k` arrived: the next request, or undefined when paging is over. */
  next(page: FetchedPage, k: number, base: URL): PageRequest | undefined;
}

/**
 * Whether the paginator decides from record counts and headers alone, so a page's body need not
 * be parsed (offset and page-number paging without `total_path`/`has_more_path`, header links,
 * a single page).
 */
export function needsBody(config: PaginatorConfig | undefined): boolean {
  if (!config) return needsBody({ type: 'auto' });
  switch (config.type) {
    case 'single_page':
    case 'header_link':
    case 'header_cursor':
      return false;
    case 'auto':
      // A page the raw route takes is a bare array: detection then reads only its headers.
      return false;
    case 'offset':
    case 'page_number':
      return Boolean(config.total_path) || Boolean(config.has_more_path);
    default:
      return true;
  }
}

function withParams(base: URL, params: Record<string, string>): PageRequest {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url };
}

function hasMore(body: unknown, path: string | undefined): boolean | undefined {
  if (!path) return undefined;
  const v = getPath(body, path);
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  return undefined;
}

/** The total a response states at `totalPath` (records or pages); an error names the paginator. */
function totalOf(page: FetchedPage, totalPath: string, paginator: string): number {
  const t = Number(getPath(page.body, totalPath));
  if (!Number.isFinite(t)) throw new Error(`${paginator} paginator: total_path "${totalPath}" not found in the response of ${page.url}`);
  return t;
}

/**
 * The stop rules shared by offset and page-number paging, after a page of `n` records:
 * `has_more_path` says false, an empty page, or a short page (fewer than `pageSize`) unless
 * `has_more_path` says true.
 */
function stopsAfter(page: FetchedPage, n: number, pageSize: number | undefined, c: { has_more_path?: string | undefined; stop_after_empty_page: boolean; stop_after_short_page: boolean }): boolean {
  const more = hasMore(page.body, c.has_more_path);
  if (more === false) return true;
  if (n === 0 && c.stop_after_empty_page) return true;
  return pageSize !== undefined && n < pageSize && c.stop_after_short_page && more !== true;
}

export function createPaginator(config: PaginatorConfig | undefined): Paginator {
  const c = config ?? { type: 'auto' as const };
  switch (c.type) {
    case 'auto':
      return autoPaginator();
    case 'header_cursor':
      return {
        first: (base) => ({ url: new URL(base) }),
        next(page, k, base) {
          if (c.maximum_pages !== undefined && k + 1 >= c.maximum_pages) return undefined;
          const cursor = page.headers.get(c.cursor_key);
          return cursor ? withParams(base, { [c.cursor_param]: cursor }) : undefined;
        },
      };
    case 'single_page':
      return { first: (base) => ({ url: new URL(base) }), next: () => undefined };
    case 'offset': {
      let total: number | undefined;
      const offsetOf = (k: number): number => c.offset + k * c.limit;
      const at = (k: number, base: URL): PageRequest | undefined => {
        const offset = offsetOf(k);
        if (total !== undefined && offset >= total) return undefined;
        if (c.maximum_offset !== undefined && offset >= c.maximum_offset) return undefined;
        if (c.maximum_pages !== undefined && k >= c.maximum_pages) return undefined;
        return withParams(base, { [c.offset_param]: String(offset), [c.limit_param]: String(c.limit) });
      };
      return {
        at,
        first: (base) => at(0, base) ?? withParams(base, { [c.offset_param]: String(c.offset), [c.limit_param]: String(c.limit) }),
        next(page, k, base) {
          if (c.total_path) total = totalOf(page, c.total_path, 'offset');
          return stopsAfter(page, page.recordCount ?? page.records.length, c.limit, c) ? undefined : at(k + 1, base);
        },
      };
    }
    case 'page_number': {
      let totalPages: number | undefined;
      const start = c.page ?? c.base_page;
      const at = (k: number, base: URL): PageRequest | undefined => {
        const page = start + k;
        if (totalPages !== undefined && page >= totalPages + c.base_page) return undefined;
        if (c.maximum_page !== undefined && page > c.maximum_page) return undefined;
        if (c.maximum_pages !== undefined && k >= c.maximum_pages) return undefined;
        return withParams(base, { [c.page_param]: String(page) });
      };
      return {
        at,
        first: (base) => at(0, base) ?? withParams(base, { [c.page_param]: String(start) }),
        next(page, k, base) {
          if (c.total_path) totalPages = totalOf(page, c.total_path, 'page_number');
          return stopsAfter(page, page.recordCount ?? page.records.length, c.page_size, c) ? undefined : at(k + 1, base);
        },
      };
    }
    case 'cursor':
      return {
        first: (base) => ({ url: new URL(base) }),
        next(page, k, base) {
          if (c.maximum_pages !== undefined && k + 1 >= c.maximum_pages) return undefined;
          if ((page.recordCount ?? page.records.length) === 0 && c.stop_after_empty_page) return undefined;
          if (hasMore(page.body, c.has_more_path) === false) return undefined;
          const cursor = getPath(page.body, c.cursor_path);
          if (cursor === undefined || cursor === null || cursor === '') return undefined;
          return withParams(base, { [c.cursor_param]: String(cursor) });
        },
      };
    case 'json_link':
      return {
        first: (base) => ({ url: new URL(base) }),
        next(page, k) {
          if (c.maximum_pages !== undefined && k + 1 >= c.maximum_pages) return undefined;
          const link = getPath(page.body, c.next_url_path);
          if (typeof link !== 'string' || link === '') return undefined;
          return { url: new URL(link, page.url) };
        },
      };
    case 'header_link':
      return {
        first: (base) => ({ url: new URL(base) }),
        next(page, k) {
          if (c.maximum_pages !== undefined && k + 1 >= c.maximum_pages) return undefined;
          const link = parseLinkHeader(page.headers.get('link'))[c.links_next_key];
          return link ? { url: new URL(link, page.url) } : undefined;
        },
      };
  }
}

/** `<url>; rel="next", <url2>; rel="last"` → `{ next: url, last: url2 }`. */
export function parseLinkHeader(header: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>(.*)/.exec(part.trim());
    if (!m) continue;
    const rel = /rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? '');
    if (rel?.[1]) for (const r of rel[1].trim().split(/\s+/)) links[r] = m[1] as string;
  }
  return links;
}

const isUrl = (v: unknown): v is string => typeof v === 'string' && (/^https?:\/\//i.test(v) || v.startsWith('/'));

/**
 * dlt's detection on the first response, in its order: a `Link` header with rel=next →
 * header_link; a `next` key (or `next.href` / `next.url`, at the top or under `links`,
 * `_links`, `pagination`, `meta`, `paging`) holding a URL → json_link; an integer
 * `total_pages` / `pages` / `totalpages` → page_number (0-based, `page` parameter); a `next`
 * value that is not a URL → cursor (`cursor` parameter); otherwise a single page.
 */
export function detectPaginator(page: FetchedPage): PaginatorConfig {
  if (parseLinkHeader(page.headers.get('link'))['next']) return { type: 'header_link', links_next_key: 'next' };
  const body = page.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const containers = ['', 'links', '_links', 'pagination', 'meta', 'paging'];
    for (const container of containers) {
      for (const key of ['next', 'next.href', 'next.url', 'next_url', 'nextUrl']) {
        const path = container ? `${container}.${key}` : key;
        const value = getPath(body, path);
        if (isUrl(value)) return { type: 'json_link', next_url_path: path };
      }
    }
    for (const container of containers) {
      for (const key of ['total_pages', 'pages', 'totalpages', 'totalPages']) {
        const path = container ? `${container}.${key}` : key;
        const value = getPath(body, path);
        if (typeof value === 'number' && Number.isInteger(value)) {
          return { type: 'page_number', base_page: 0, page: 0, page_param: 'page', total_path: path, stop_after_empty_page: true, stop_after_short_page: false };
        }
      }
    }
    for (const container of containers) {
      for (const key of ['next', 'next_cursor', 'nextCursor', 'cursor.next', 'cursors.next']) {
        const path = container ? `${container}.${key}` : key;
        const value = getPath(body, path);
        if ((typeof value === 'string' && value !== '') || typeof value === 'number') {
          return { type: 'cursor', cursor_path: path, cursor_param: 'cursor', stop_after_empty_page: false };
        }
      }
    }
  }
  return { type: 'single_page' };
}

/** No paginator configured: the first page decides which one follows it. */
function autoPaginator(): Paginator {
  let detected: Paginator | undefined;
  return {
    first: (base) => ({ url: new URL(base) }),
    next(page, k, base) {
      if (!detected) {
        const config = detectPaginator(page);
        detected = createPaginator(config);
        // Page-number paging detected on page 0 continues at page 1 (the request after the first).
        if (config.type === 'page_number') return detected.next(page, 0, base);
      }
      return detected.next(page, k, base);
    },
  };
}

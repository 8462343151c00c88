/**
 * Paginators as small state machines (dlt's shape): `first()` gives the first request,
 * `next(page)` the following one or `undefined` to stop. Stop rules are explicit: empty page,
 * short page, total count, maximum offset/page/pages, `has_more` flag, missing cursor or link.
 * Offset and page-number paginators are also *indexable* (`at(k)`), so several pages can be
 * in flight at once.
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
  if (!config) return false;
  switch (config.type) {
    case 'single_page':
    case 'header_link':
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
  const c = config ?? { type: 'single_page' as const };
  switch (c.type) {
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

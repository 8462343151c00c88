/**
 * The pipeline file format (`pipelines/NAME.yaml`), in the shape of dlt's `rest_api` config:
 * `client` (base_url, headers, auth, paginator), `resource_defaults`, `resources` (REST
 * endpoints or local files), `destination`. Validated with zod; types are inferred from it.
 */
import { z } from 'zod';
import { DATA_TYPES } from '../schema/types';

const stopRules = {
  /** Stop when a page has no records (default on). */
  stop_after_empty_page: z.boolean().default(true),
  /** Stop when a page has fewer records than the page size (default on; saves the final empty request). */
  stop_after_short_page: z.boolean().default(true),
  /** JSONPath of a boolean (or `"true"`/`"false"`) that says whether more pages exist. */
  has_more_path: z.string().optional(),
  /** Hard cap on the number of pages fetched per request sequence. */
  maximum_pages: z.number().int().positive().optional(),
};

export const paginatorSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('offset'),
    limit: z.number().int().positive(),
    offset: z.number().int().nonnegative().default(0),
    offset_param: z.string().default('offset'),
    limit_param: z.string().default('limit'),
    /** JSONPath of the total record count; none by default (Socrata sends a bare array). */
    total_path: z.string().nullable().default(null),
    maximum_offset: z.number().int().positive().optional(),
    ...stopRules,
  }),
  z.strictObject({
    type: z.literal('page_number'),
    base_page: z.number().int().nonnegative().default(0),
    page: z.number().int().nonnegative().optional(),
    page_param: z.string().default('page'),
    /** Records per page, for the short-page rule; the API's own page size. */
    page_size: z.number().int().positive().optional(),
    /** JSONPath of the total number of pages. */
    total_path: z.string().nullable().default(null),
    maximum_page: z.number().int().positive().optional(),
    ...stopRules,
  }),
  z.strictObject({
    type: z.literal('cursor'),
    cursor_path: z.string().default('cursors.next'),
    cursor_param: z.string().default('cursor'),
    stop_after_empty_page: z.boolean().default(false),
    has_more_path: z.string().optional(),
    maximum_pages: z.number().int().positive().optional(),
  }),
  z.strictObject({
    type: z.literal('json_link'),
    next_url_path: z.string().default('next'),
    maximum_pages: z.number().int().positive().optional(),
  }),
  z.strictObject({
    type: z.literal('header_link'),
    links_next_key: z.string().default('next'),
    maximum_pages: z.number().int().positive().optional(),
  }),
  z.strictObject({ type: z.literal('single_page') }),
]);

export const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), token: z.string() }),
  z.strictObject({
    type: z.literal('api_key'),
    name: z.string().default('Authorization'),
    api_key: z.string(),
    location: z.enum(['header', 'query']).default('header'),
  }),
  z.strictObject({ type: z.literal('http_basic'), username: z.string(), password: z.string() }),
]);

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const incrementalSchema = z.strictObject({
  /** Dotted path (optionally `$.`-prefixed) of the cursor in each raw record. */
  cursor_path: z.string().min(1),
  initial_value: z.union([z.string(), z.number()]).optional(),
  /** Exclusive upper bound; with it the run is a stateless backfill that leaves the cursor alone. */
  end_value: z.union([z.string(), z.number()]).optional(),
  last_value_func: z.enum(['max', 'min']).default('max'),
  on_cursor_value_missing: z.enum(['raise', 'include', 'exclude']).default('raise'),
});

export const endpointSchema = z.strictObject({
  path: z.string(),
  method: z.enum(['GET', 'POST']).default('GET'),
  headers: z.record(z.string(), z.string()).optional(),
  params: z.record(z.string(), scalar).optional(),
  json: z.unknown().optional(),
  /** Dotted path of the record list in the body; `$` (or absent with an array body) = the body itself. */
  data_selector: z.string().optional(),
  paginator: paginatorSchema.optional(),
  incremental: incrementalSchema.optional(),
  auth: authSchema.optional(),
});

export const fileSourceSchema = z.strictObject({
  /** A path or glob relative to the pipeline file's project (e.g. `resources/sample/*.ndjson.gz`). */
  path: z.string().min(1),
  /** Defaults from the extension (`.json`, `.ndjson`/`.jsonl`, `.csv`, `.parquet`, with optional `.gz`). */
  format: z.enum(['json', 'ndjson', 'csv', 'parquet']).optional(),
  /** Records per page handed to the normalizer. */
  page_size: z.number().int().positive().default(10_000),
});

const columnHintSchema = z.strictObject({ data_type: z.enum(DATA_TYPES as [string, ...string[]]) });

const resourceFields = {
  table_name: z.string().optional(),
  endpoint: z.union([z.string(), endpointSchema]).optional(),
  file: fileSourceSchema.optional(),
  primary_key: z.union([z.string(), z.array(z.string())]).optional(),
  write_disposition: z.enum(['append', 'replace', 'merge']).optional(),
  columns: z.record(z.string(), columnHintSchema).optional(),
  /** False: fetch only to feed dependent resources. */
  selected: z.boolean().optional(),
  include_from_parent: z.array(z.string()).optional(),
};

export const resourceSchema = z.strictObject({ name: z.string().min(1), ...resourceFields });

export const resourceDefaultsSchema = z.strictObject({
  ...resourceFields,
  endpoint: z
    .strictObject({
      headers: z.record(z.string(), z.string()).optional(),
      params: z.record(z.string(), scalar).optional(),
      paginator: paginatorSchema.optional(),
      data_selector: z.string().optional(),
    })
    .optional(),
});

export const clientSchema = z.strictObject({
  base_url: z.url(),
  headers: z.record(z.string(), z.string()).optional(),
  auth: authSchema.optional(),
  paginator: paginatorSchema.optional(),
  /** Per-request timeout. */
  timeout_seconds: z.number().positive().default(60),
  /** Attempts per request including the first, for 429, 5xx and timeouts. */
  max_attempts: z.number().int().positive().default(5),
  /** First retry delay; doubles per attempt (with jitter), capped by `max_retry_delay_seconds`. */
  backoff_seconds: z.number().nonnegative().default(1),
  max_retry_delay_seconds: z.number().nonnegative().default(300),
  /** Pages requested ahead of the one being processed (offset and page-number paging only). */
  pages_in_flight: z.number().int().positive().max(16).default(2),
});

export const pipelineSchema = z.strictObject({
  /** Defaults to the file name without `.yaml`. */
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  destination: z.strictObject({ dataset: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }),
  client: clientSchema.optional(),
  resource_defaults: resourceDefaultsSchema.optional(),
  resources: z.array(z.union([z.string().min(1), resourceSchema])).min(1),
});

export type PaginatorConfig = z.infer<typeof paginatorSchema>;
export type AuthConfig = z.infer<typeof authSchema>;
export type IncrementalConfig = z.infer<typeof incrementalSchema>;
export type EndpointConfig = z.infer<typeof endpointSchema>;
export type FileSourceConfig = z.infer<typeof fileSourceSchema>;
export type ResourceConfig = z.infer<typeof resourceSchema>;
export type ResourceDefaults = z.infer<typeof resourceDefaultsSchema>;
export type ClientConfig = z.infer<typeof clientSchema>;
export type PipelineConfig = z.infer<typeof pipelineSchema>;

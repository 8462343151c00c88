/**
 * The pipeline file format (`pipelines/NAME.yaml`), in the shape of dlt's `rest_api` config:
 * `client` (base_url, headers, auth, paginator), `resource_defaults`, `resources` (REST
 * endpoints or local files), and optionally `dataset_name` / `destination` (as dlt, the
 * destination belongs to the pipeline: without one, the project's lake). Validated with zod;
 * types are inferred from it. dlt keys that are not supported are listed in `REFUSED_KEYS`.
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

/** dlt's string shorthand (`paginator: json_link`) and aliases, as objects. */
function paginatorShorthand(value: unknown): unknown {
  const v = typeof value === 'string' ? { type: value } : value;
  if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'json_response') return { ...v, type: 'json_link' };
  return v;
}

const paginatorTypes = z.discriminatedUnion('type', [
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
  z.strictObject({
    type: z.literal('header_cursor'),
    /** Response header holding the next cursor. */
    cursor_key: z.string().default('next'),
    cursor_param: z.string().default('cursor'),
    maximum_pages: z.number().int().positive().optional(),
  }),
  z.strictObject({ type: z.literal('single_page') }),
  /** dlt's auto-detection on the first response (also what no paginator means). */
  z.strictObject({ type: z.literal('auto') }),
]);

export const paginatorSchema = z.preprocess(paginatorShorthand, paginatorTypes);

/** dlt's shorthand: an auth object with only `token` is bearer auth. */
function authShorthand(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && (value as { type?: unknown }).type === undefined && 'token' in value) return { type: 'bearer', ...value };
  return value;
}

const authTypes = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), token: z.string() }),
  z.strictObject({
    type: z.literal('api_key'),
    name: z.string().default('Authorization'),
    api_key: z.string(),
    /** `param` is dlt's other name for `query`. */
    location: z.enum(['header', 'query', 'param', 'cookie']).default('header'),
  }),
  z.strictObject({ type: z.literal('http_basic'), username: z.string(), password: z.string() }),
  z.strictObject({
    type: z.literal('oauth2_client_credentials'),
    access_token_url: z.url(),
    client_id: z.string(),
    client_secret: z.string(),
    /** A token already obtained; used until it expires. */
    access_token: z.string().optional(),
    /** Extra form fields of the token request (e.g. `scope`, `audience`). */
    access_token_request_data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Lifetime of a token whose response gives no `expires_in`. */
    default_token_expiration: z.number().positive().default(3600),
  }),
]);

export const authSchema = z.preprocess(authShorthand, authTypes);

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

const datasetName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a name of letters, digits and underscores');

/** dlt destinations that mean "the project's warehouse" here. */
export const WAREHOUSE_DESTINATIONS = ['ducklake', 'duckdb'] as const;

export const pipelineSchema = z.strictObject({
  /** Defaults to the file name without `.yaml`. */
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  /** dlt's `pipeline_name`, another name for `name`. */
  pipeline_name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  /** dlt's `dataset_name`; default `<pipeline name>_dataset`, as dlt chooses. */
  dataset_name: datasetName.optional(),
  /** Optional: the project's lake (or database). `{dataset: x}` names the dataset too. */
  destination: z
    .union([z.strictObject({ dataset: datasetName }), z.enum(WAREHOUSE_DESTINATIONS)], {
      error: "pipelines load into the project's lake (the default gateway's DuckLake catalog, or its database): leave destination out, or write ducklake or {dataset: NAME}",
    })
    .optional(),
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

/**
 * dlt `rest_api` and pipeline keys this app refuses, with why; anything else unknown is an
 * unknown field. Reported at the key's line.
 */
export const REFUSED_KEYS: Record<string, string> = {
  session: 'a custom HTTP session is Python; set timeout_seconds / max_attempts on the client',
  response_actions: 'response actions are not supported; a non-2xx response fails the run (429/5xx are retried)',
  data: 'form and raw request bodies are not supported; use json',
  processing_steps: 'processing steps are Python functions; transform in a model instead',
  merge_key: 'merge_key is not supported; use primary_key with write_disposition merge',
  schema_contract: 'schema contracts are not supported; the schema evolves',
  table_format: 'table formats are not supported; tables are DuckLake tables',
  file_format: 'file formats are not supported; packages are Parquet',
  references: 'table references are not supported',
  nested_hints: 'nested hints are not supported',
  max_table_nesting: 'max_table_nesting is not supported; nested lists become child tables',
  parallelized: 'parallelized resources are not supported; pages are fetched ahead instead (pages_in_flight)',
  cursor_body_path: 'cursors in a POST body are not supported; use cursor_param',
  offset_body_path: 'offsets in a POST body are not supported; use offset_param',
  limit_body_path: 'limits in a POST body are not supported; use limit_param',
  page_body_path: 'pages in a POST body are not supported; use page_param',
  convert: 'incremental.convert is a Python function',
  row_order: 'incremental.row_order is not supported',
  range_start: 'incremental.range_start is not supported (open start, as dlt\'s default)',
  range_end: 'incremental.range_end is not supported (open end, as dlt\'s default)',
  lag: 'incremental.lag is not supported',
  dev_mode: 'dev_mode is not supported; use pas pipeline drop to start over',
  refresh: 'refresh is not supported; use pas pipeline drop to start over',
};

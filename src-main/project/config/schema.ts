/**
 * The shapes of `config.yaml` as zod schemas, following SQLMesh's config classes
 * (`sqlmesh/core/config/*.py`): the root, gateways, the duckdb and postgres connections,
 * catalog entries and `model_defaults`; and the key sets the unknown-key check uses.
 */
import { z } from 'zod';

export const recordOf = z.record(z.string(), z.unknown());

export const catalogSpec = z.union([
  z.string(),
  z.looseObject({ type: z.string().optional(), path: z.string(), data_path: z.string().optional(), read_only: z.boolean().optional() }),
]);

export const duckdbConnection = z.object({
  type: z.literal('duckdb', { error: "only 'duckdb' connections are supported" }),
  database: z.string().optional(),
  catalogs: z.record(z.string(), catalogSpec).optional(),
  extensions: z.array(z.union([z.string(), recordOf])).optional(),
  connector_config: recordOf.optional(),
  concurrent_tasks: z.number().int().positive().optional(),
  register_comments: z.boolean().optional(),
  pre_ping: z.boolean().optional(),
  pretty_sql: z.boolean().optional(),
  secrets: z.union([z.array(recordOf), z.record(z.string(), recordOf)]).optional(),
  filesystems: z.array(recordOf).optional(),
  token: z.string().optional(),
});

export const postgresConnection = z.object({
  type: z.literal('postgres'),
  host: z.string(),
  port: z.coerce.number().int().positive().default(5432),
  user: z.string(),
  password: z.union([z.string(), z.number()]).transform(String).optional(),
  database: z.string(),
  sslmode: z.string().optional(),
  keepalives_idle: z.number().optional(),
  connect_timeout: z.number().optional(),
  role: z.string().optional(),
  application_name: z.string().optional(),
  concurrent_tasks: z.number().optional(),
  pre_ping: z.boolean().optional(),
});

export const stateConnection = z.discriminatedUnion('type', [
  z.object({ type: z.literal('duckdb'), database: z.string().optional() }),
  postgresConnection,
]);

export const gateway = z.object({
  connection: duckdbConnection.optional(),
  state_connection: stateConnection.optional(),
  test_connection: duckdbConnection.optional(),
  state_schema: z.string().optional(),
  scheduler: z.looseObject({ type: z.string() }).optional(),
  variables: recordOf.optional(),
});

export const stringList = z.union([z.string().transform((s) => [s]), z.array(z.string())]);

export const modelDefaults = z.object({
  dialect: z.string(),
  kind: z.string().optional(),
  cron: z.string().optional(),
  cron_tz: z.string().optional(),
  owner: z.string().optional(),
  start: z.union([z.string(), z.number()]).optional(),
  enabled: z.boolean().optional(),
  interval_unit: z.string().optional(),
  allow_partials: z.boolean().optional(),
  on_destructive_change: z.string().optional(),
  on_additive_change: z.string().optional(),
  audits: stringList.optional(),
  physical_properties: recordOf.optional(),
  virtual_properties: recordOf.optional(),
  session_properties: recordOf.optional(),
  pre_statements: stringList.optional(),
  post_statements: stringList.optional(),
  on_virtual_update: stringList.optional(),
  table_format: z.string().optional(),
  storage_format: z.string().optional(),
  optimize_query: z.boolean().optional(),
});

export const rootShape = {
  gateways: z.record(z.string(), gateway).optional(),
  default_gateway: z.string().optional(),
  model_defaults: modelDefaults,
  variables: recordOf.optional(),
  project: z.string().optional(),
};
/** The root is checked loosely first, then each gateway and model_defaults on their own, so one bad part does not hide the rest. */
export const root = z.object({
  gateways: z.record(z.string(), z.unknown()).optional(),
  default_gateway: z.string().optional(),
  model_defaults: z.unknown().optional(),
  variables: recordOf.optional(),
  project: z.string().optional(),
});

export const MODEL_DEFAULT_KEYS = new Set(Object.keys(modelDefaults.shape));
export const GATEWAY_KEYS = new Set(Object.keys(gateway.shape));
export const DUCKDB_KEYS = new Set(Object.keys(duckdbConnection.shape));
export const POSTGRES_KEYS = new Set(Object.keys(postgresConnection.shape));
export const CATALOG_KEYS = new Set(['type', 'path', 'data_path', 'read_only', 'encrypted', 'data_inlining_row_limit', 'metadata_schema', 's3']);


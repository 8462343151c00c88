/**
 * Names of the physical and virtual layers, laid out as SQLMesh lays them out so that a lake
 * looks familiar: one physical table per model version in `sqlmesh__<schema>`, named
 * `<schema>__<table>__<version>`; one view per model per environment, `<schema>.<table>` in
 * prod and `<schema>__<env>.<table>` elsewhere.
 */

export const PROD = 'prod';

export interface QualifiedName {
  /** The catalog a model's name gives (`catalog.schema.table`); absent: the default catalog. */
  catalog?: string;
  schema: string;
  table: string;
}

/** Splits `schema.table` or `catalog.schema.table`. */
export function splitModelName(name: string): QualifiedName {
  const parts = name.split('.');
  const table = parts[parts.length - 1] ?? name;
  const schema = parts.length >= 2 ? (parts[parts.length - 2] ?? 'main') : 'main';
  const catalog = parts.length >= 3 ? parts[parts.length - 3] : undefined;
  return catalog ? { catalog, schema, table } : { schema, table };
}

function inCatalog(catalog: string | undefined, name: QualifiedName): QualifiedName {
  return catalog ? { catalog, ...name } : name;
}

/** Lower-case, letters/digits/underscore only, as environment names are normalized. */
export function normalizeEnvironment(name: string): string {
  const normalized = name.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!normalized) throw new Error(`"${name}" is not a usable environment name.`);
  return normalized;
}

function sanitize(part: string): string {
  return part.replace(/[^A-Za-z0-9_]/g, '');
}

export function physicalTable(modelName: string, version: string): QualifiedName {
  const { catalog, schema, table } = splitModelName(modelName);
  return inCatalog(catalog, { schema: `sqlmesh__${sanitize(schema)}`, table: `${sanitize(schema)}__${sanitize(table)}__${version}` });
}

export function environmentView(modelName: string, environment: string): QualifiedName {
  const { catalog, schema, table } = splitModelName(modelName);
  const env = normalizeEnvironment(environment);
  return inCatalog(catalog, env === PROD ? { schema, table } : { schema: `${schema}__${env}`, table });
}

/** Inverse of environmentView for a schema: `marts__dev` -> { schema: 'marts', environment: 'dev' }. */
export function parseEnvironmentSchema(schema: string): { schema: string; environment: string } {
  const at = schema.lastIndexOf('__');
  if (at <= 0 || schema.startsWith('sqlmesh__')) return { schema, environment: PROD };
  return { schema: schema.slice(0, at), environment: schema.slice(at + 2) };
}

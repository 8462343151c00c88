/**
 * Whether SQL can run before the project's warehouse is open: every statement a SELECT that
 * reads no table, view or table function and calls nothing that looks at catalogs or settings
 * (`select 1`, `select 2 * 21, [1, 2]`). A one-shot `pas fetchdf` of such a statement then
 * skips opening the lake (attaching its views), the state store and their closing. Decided on
 * DuckDB's own parse (`json_serialize_sql`), erring towards "needs the catalog": a CTE, a
 * `SHOW`, a `PRAGMA` or anything DuckDB cannot serialise all count as reading a catalog.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** Table references that read a catalog or files (everything but no FROM, VALUES, subqueries and joins of those). */
const READING_REFS = new Set(['BASE_TABLE', 'TABLE_FUNCTION', 'SHOW_REF', 'PIVOT', 'COLUMN_DATA', 'DELIM_GET', 'BOUND_TABLE_REF', 'CTE', 'INVALID']);

/** Functions whose answer depends on attached catalogs, the default catalog or settings (the search path). */
const CATALOG_FUNCTIONS = /current|nextval|currval|setting|catalog|schema|database|description|^pg_|^has_|^duckdb_|^ducklake|^getvariable$|^query/i;

/** True when DuckDB parses `sql` as SELECTs that read no catalog (see the header). */
export async function isCatalogFree(connection: DuckDBConnection, sql: string): Promise<boolean> {
  let tree: unknown;
  try {
    const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
    tree = JSON.parse(String(reader.getRows()[0]?.[0] ?? '{"error":true}'));
  } catch {
    return false;
  }
  if (!tree || typeof tree !== 'object' || (tree as { error?: unknown }).error !== false) return false;
  return catalogFreeNode(tree);
}

function catalogFreeNode(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(catalogFreeNode);
  if (!node || typeof node !== 'object') return true;
  const object = node as Record<string, unknown>;
  // A table reference (no `class`, unlike expressions) that reads something.
  if (object.class === undefined && typeof object.type === 'string' && READING_REFS.has(object.type)) return false;
  // A user type (cast to an enum) or a function named with its catalog or schema lives in a catalog.
  if (typeof object.catalog === 'string' && object.catalog !== '') return false;
  if (typeof object.user_type_name === 'string') return false;
  if (object.class === 'FUNCTION' && CATALOG_FUNCTIONS.test(String(object.function_name ?? ''))) return false;
  return Object.values(object).every(catalogFreeNode);
}

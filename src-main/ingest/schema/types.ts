/**
 * The ingestion schema model: logical column types (dlt's names), columns, table schemas, and
 * their mapping to DuckDB types. Shared by the normalizer, the load package and every sink.
 */

/** Logical data types, named as dlt names them. */
export type DataType = 'text' | 'bigint' | 'double' | 'bool' | 'timestamp' | 'date' | 'json';

export const DATA_TYPES: readonly DataType[] = ['text', 'bigint', 'double', 'bool', 'timestamp', 'date', 'json'];

export type WriteDisposition = 'append' | 'replace' | 'merge';

export interface ColumnSchema {
  name: string;
  dataType: DataType;
  /** True when the column holds values of another column whose type they did not fit (`x__v_text`). */
  variantOf?: string;
}

export interface TableSchema {
  name: string;
  /** Parent table for child tables made from lists (`orders__items` → `orders`). */
  parent?: string;
  writeDisposition: WriteDisposition;
  primaryKey: string[];
  columns: ColumnSchema[];
}

const DUCK_TYPES: Record<DataType, string> = {
  text: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  json: 'JSON',
};

export function duckType(type: DataType): string {
  return DUCK_TYPES[type];
}

/** Reverse mapping for schemas read back from DuckDB's catalog; unknown types read as text. */
export function dataTypeFromDuck(duck: string): DataType {
  const upper = duck.toUpperCase();
  if (upper === 'BIGINT' || upper === 'INTEGER' || upper === 'HUGEINT' || upper === 'SMALLINT') return 'bigint';
  if (upper === 'DOUBLE' || upper === 'FLOAT' || upper.startsWith('DECIMAL')) return 'double';
  if (upper === 'BOOLEAN') return 'bool';
  if (upper.startsWith('TIMESTAMP')) return 'timestamp';
  if (upper === 'DATE') return 'date';
  if (upper === 'JSON') return 'json';
  return 'text';
}

/** Columns every root table carries. */
export const ROOT_SYSTEM_COLUMNS: readonly ColumnSchema[] = [
  { name: '_dlt_load_id', dataType: 'text' },
  { name: '_dlt_id', dataType: 'text' },
];

/** Columns every child (list) table carries. */
export const CHILD_SYSTEM_COLUMNS: readonly ColumnSchema[] = [
  { name: '_dlt_parent_id', dataType: 'text' },
  { name: '_dlt_list_idx', dataType: 'bigint' },
  { name: '_dlt_root_id', dataType: 'text' },
  { name: '_dlt_load_id', dataType: 'text' },
  { name: '_dlt_id', dataType: 'text' },
];

/** A DuckDB identifier, always quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB string literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

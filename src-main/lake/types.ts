/**
 * Column trees and type names: DuckLake's type strings (`int64`, `decimal(9,2)`, `struct`...)
 * against DuckDB's, Parquet field ids, and the leaf paths `RETURN_STATS` reports.
 */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { ident, lit } from './sql';

/** One column of a table as of a snapshot; `id` is also the Parquet field id. */
export interface LakeColumn {
  id: number;
  name: string;
  /** DuckLake type string: `int64`, `varchar`, `decimal(9,2)`, `struct`, `list`, `map`... */
  type: string;
  nullable: boolean;
  /** Value for rows written before the column existed (ADD COLUMN ... DEFAULT), as text. */
  initialDefault: string | null;
  /** Default for new rows, as text; null when none. */
  defaultValue: string | null;
  children: LakeColumn[];
  /** Snapshot of this version of the column (rename, type change... start a new version); unset while uncommitted. */
  beginSnapshot?: number;
}

/** A column before ids are assigned. */
export interface ColumnSpec {
  name: string;
  type: string;
  nullable?: boolean;
  initialDefault?: string | null;
  defaultValue?: string | null;
  children?: ColumnSpec[];
}

const SCALARS: Record<string, string> = {
  boolean: 'BOOLEAN',
  int8: 'TINYINT',
  int16: 'SMALLINT',
  int32: 'INTEGER',
  int64: 'BIGINT',
  int128: 'HUGEINT',
  uint8: 'UTINYINT',
  uint16: 'USMALLINT',
  uint32: 'UINTEGER',
  uint64: 'UBIGINT',
  uint128: 'UHUGEINT',
  float32: 'FLOAT',
  float64: 'DOUBLE',
  time: 'TIME',
  time_ns: 'TIME_NS',
  timetz: 'TIMETZ',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  timestamp_us: 'TIMESTAMP',
  timestamp_s: 'TIMESTAMP_S',
  timestamp_ms: 'TIMESTAMP_MS',
  timestamp_ns: 'TIMESTAMP_NS',
  timestamptz: 'TIMESTAMPTZ',
  interval: 'INTERVAL',
  varchar: 'VARCHAR',
  blob: 'BLOB',
  uuid: 'UUID',
  json: 'JSON',
  variant: 'VARIANT',
  geometry: 'GEOMETRY',
};

const BY_TYPE_ID: Partial<Record<DuckDBTypeId, string>> = {
  [DuckDBTypeId.BOOLEAN]: 'boolean',
  [DuckDBTypeId.TINYINT]: 'int8',
  [DuckDBTypeId.SMALLINT]: 'int16',
  [DuckDBTypeId.INTEGER]: 'int32',
  [DuckDBTypeId.BIGINT]: 'int64',
  [DuckDBTypeId.HUGEINT]: 'int128',
  [DuckDBTypeId.UTINYINT]: 'uint8',
  [DuckDBTypeId.USMALLINT]: 'uint16',
  [DuckDBTypeId.UINTEGER]: 'uint32',
  [DuckDBTypeId.UBIGINT]: 'uint64',
  [DuckDBTypeId.UHUGEINT]: 'uint128',
  [DuckDBTypeId.FLOAT]: 'float32',
  [DuckDBTypeId.DOUBLE]: 'float64',
  [DuckDBTypeId.TIME]: 'time',
  [DuckDBTypeId.TIME_NS]: 'time_ns',
  [DuckDBTypeId.TIME_TZ]: 'timetz',
  [DuckDBTypeId.DATE]: 'date',
  [DuckDBTypeId.TIMESTAMP]: 'timestamp',
  [DuckDBTypeId.TIMESTAMP_S]: 'timestamp_s',
  [DuckDBTypeId.TIMESTAMP_MS]: 'timestamp_ms',
  [DuckDBTypeId.TIMESTAMP_NS]: 'timestamp_ns',
  [DuckDBTypeId.TIMESTAMP_TZ]: 'timestamptz',
  [DuckDBTypeId.INTERVAL]: 'interval',
  [DuckDBTypeId.VARCHAR]: 'varchar',
  [DuckDBTypeId.ENUM]: 'varchar',
  [DuckDBTypeId.BLOB]: 'blob',
  [DuckDBTypeId.UUID]: 'uuid',
  [DuckDBTypeId.VARIANT]: 'variant',
  [DuckDBTypeId.GEOMETRY]: 'geometry',
};

/** The column spec for a DuckDB result column of type `t`. */
export function specFromDuckDBType(name: string, t: DuckDBType): ColumnSpec {
  switch (t.typeId) {
    case DuckDBTypeId.STRUCT:
      return { name, type: 'struct', children: t.entryNames.map((n, i) => specFromDuckDBType(n, t.entryTypes[i]!)) };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return { name, type: 'list', children: [specFromDuckDBType('element', t.valueType)] };
    case DuckDBTypeId.MAP:
      return {
        name,
        type: 'map',
        children: [specFromDuckDBType('key', t.keyType), specFromDuckDBType('value', t.valueType)],
      };
    case DuckDBTypeId.DECIMAL:
      return { name, type: `decimal(${t.width},${t.scale})` };
    case DuckDBTypeId.VARCHAR:
      return { name, type: t.alias?.toUpperCase() === 'JSON' ? 'json' : 'varchar' };
    default: {
      const type = BY_TYPE_ID[t.typeId];
      if (!type) throw new Error(`Column "${name}" has type ${t.toString()}, which a DuckLake table cannot store.`);
      return { name, type };
    }
  }
}

/** Gives ids depth-first in pre-order (parent, then its children), starting at `next.value`. */
export function assignIds(specs: ColumnSpec[], next: { value: number }): LakeColumn[] {
  return specs.map((spec) => {
    const id = next.value++;
    return {
      id,
      name: spec.name,
      type: spec.type,
      nullable: spec.nullable ?? true,
      initialDefault: spec.initialDefault ?? null,
      defaultValue: spec.defaultValue ?? null,
      children: assignIds(spec.children ?? [], next),
    };
  });
}

/** DuckDB SQL type of a column tree. */
export function duckdbType(column: { type: string; children: { name: string; type: string; children: unknown[] }[] }): string {
  const children = column.children as LakeColumn[];
  switch (column.type) {
    case 'struct':
      return `STRUCT(${children.map((c) => `${ident(c.name)} ${duckdbType(c)}`).join(', ')})`;
    case 'list':
      return `${duckdbType(children[0]!)}[]`;
    case 'map':
      return `MAP(${duckdbType(children[0]!)}, ${duckdbType(children[1]!)})`;
    default: {
      const decimal = /^decimal\((\d+),\s*(\d+)\)$/i.exec(column.type);
      if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
      const scalar = SCALARS[column.type.toLowerCase()];
      if (!scalar) throw new Error(`Unknown DuckLake column type: ${column.type}`);
      return scalar;
    }
  }
}

export function isFloatType(type: string): boolean {
  return type === 'float32' || type === 'float64';
}

/** The `FIELD_IDS {...}` value for COPY ... TO (FORMAT parquet). */
export function fieldIdsSql(columns: LakeColumn[]): string {
  const entry = (c: LakeColumn): string =>
    c.children.length === 0
      ? `${lit(c.name)}: ${c.id}`
      : `${lit(c.name)}: {__duckdb_field_id: ${c.id}, ${c.children.map(entry).join(', ')}}`;
  return `{${columns.map(entry).join(', ')}}`;
}

/** Leaf columns keyed by the quoted path RETURN_STATS uses: `"s"."x"`, `"l"."element"`. */
export function leafPaths(columns: LakeColumn[]): Map<string, LakeColumn> {
  const out = new Map<string, LakeColumn>();
  const walk = (c: LakeColumn, prefix: string): void => {
    const path = prefix ? `${prefix}.${ident(c.name)}` : ident(c.name);
    if (c.children.length === 0) out.set(path, c);
    else for (const child of c.children) walk(child, path);
  };
  for (const c of columns) walk(c, '');
  return out;
}

/** Every column of the tree, parents before children. */
export function flatten(columns: LakeColumn[]): LakeColumn[] {
  const out: LakeColumn[] = [];
  const walk = (c: LakeColumn): void => {
    out.push(c);
    c.children.forEach(walk);
  };
  columns.forEach(walk);
  return out;
}

/** Builds column trees from `ducklake_column` rows (ordered by parent NULLS FIRST, column_order). */
export function buildColumnTree(rows: Record<string, unknown>[]): LakeColumn[] {
  const byId = new Map<number, LakeColumn>();
  const roots: LakeColumn[] = [];
  const sorted = [...rows].sort((a, b) => Number(a.column_order) - Number(b.column_order));
  for (const row of sorted) {
    const defaultValue = row.default_value === null || row.default_value === undefined ? null : String(row.default_value);
    byId.set(Number(row.column_id), {
      id: Number(row.column_id),
      name: String(row.column_name),
      type: String(row.column_type),
      nullable: row.nulls_allowed !== false,
      initialDefault: row.initial_default === null || row.initial_default === undefined ? null : String(row.initial_default),
      defaultValue: defaultValue === 'NULL' ? null : defaultValue,
      children: [],
      beginSnapshot: Number(row.begin_snapshot),
    });
  }
  for (const row of sorted) {
    const column = byId.get(Number(row.column_id))!;
    const parent = row.parent_column === null || row.parent_column === undefined ? undefined : byId.get(Number(row.parent_column));
    if (parent) parent.children.push(column);
    else if (row.parent_column === null || row.parent_column === undefined) roots.push(column);
  }
  return roots;
}

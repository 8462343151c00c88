/**
 * The intermediate result of binding a query part: a relation (CTE, derived table, source
 * table, join input) with its columns, each carrying its dependencies, and the filter
 * dependencies that decide which of its rows exist.
 */
import type { TextRange } from '../sql/ranges';
import { nameKey, uniqueNames } from '../sql/names';
import type { Dep } from './deps';

export interface BoundColumn {
  name: string;
  deps: Dep[];
  /** Why (part of) this column's lineage cannot be known. */
  unknown?: string;
  range?: TextRange;
  /** Stands in a star's column list for the unknown columns of one relation (`name` is `x.*`). */
  placeholder?: true;
}

export interface Relation {
  /** The columns in order, or null when the list is unknown (no schema, table function). */
  columns: BoundColumn[] | null;
  /** Why the column list is unknown or partial. */
  unknownReason?: string;
  /** Filter dependencies that apply to every row of the relation. */
  rowDeps: Dep[];
  /** For a column list not known in advance: how a column found by name is bound. */
  byName?: (name: string) => BoundColumn;
  /** Quick lookup of `columns` by lower-cased name; built on first use. */
  index?: Map<string, BoundColumn>;
}

export function findColumn(relation: Relation, name: string): BoundColumn | undefined {
  if (relation.columns) {
    if (!relation.index) {
      relation.index = new Map();
      for (const column of relation.columns) {
        const key = nameKey(column.name);
        if (!relation.index.has(key)) relation.index.set(key, column);
      }
    }
    const found = relation.index.get(nameKey(name));
    if (found) return found;
  }
  return relation.byName?.(name);
}

/** True when `name` can be asked of the relation even though its column list is unknown. */
export function acceptsAnyName(relation: Relation): boolean {
  return relation.columns === null && relation.byName !== undefined;
}

/** The same relation with renamed columns (`AS x(a, b)`) and DuckDB's de-duplicated names. */
export function renameColumns(relation: Relation, aliases: readonly string[] | undefined): Relation {
  if (!relation.columns) return relation;
  const raw = relation.columns.map((c, i) => aliases?.[i] ?? c.name);
  const names = uniqueNames(raw);
  if (names.every((n, i) => n === relation.columns?.[i]?.name)) return relation;
  return { ...relation, index: undefined, columns: relation.columns.map((c, i) => ({ ...c, name: names[i] ?? c.name })) };
}

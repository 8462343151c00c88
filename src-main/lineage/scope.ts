/**
 * Name resolution inside a SELECT: the relations bound in its FROM clause (by alias or
 * table name), columns merged by USING/NATURAL joins, select-list aliases, and outer scopes
 * for correlated subqueries. A reference resolves to a bound column or to a reason why not.
 */
import { nameKey, sameName } from '../sql/names';
import { acceptsAnyName, findColumn, type BoundColumn, type Relation } from './relation';

export interface Binding {
  /** The name the relation is known by: its alias, else its table name. */
  name: string;
  schema?: string;
  catalog?: string;
  relation: Relation;
}

export interface Scope {
  bindings: Binding[];
  /** USING/NATURAL join columns, referable without qualification as one merged column. */
  merged: Map<string, BoundColumn>;
  /** Select-list aliases visible here (lateral aliases, or all items in HAVING/QUALIFY/...). */
  aliases?: Map<string, BoundColumn>;
  /** What an unqualified `*` expands to here: the FROM columns in order, or why unknown. */
  star?: StarColumns;
  parent?: Scope;
}

export type StarColumns = { entries: { binding: string; column: BoundColumn }[] } | { unknown: string };

/** `problem` marks a reference that cannot resolve whatever the data: DuckDB's binder refuses it too. */
export type Resolution = { column: BoundColumn; fields: string[] } | { unknown: string; problem?: 'not_found' | 'ambiguous' };

function bindingNamed(scope: Scope, parts: readonly string[]): Binding | undefined {
  // parts is [table], [schema, table] or [catalog, schema, table].
  const [a, b, c] = parts;
  return scope.bindings.find((binding) => {
    if (parts.length === 1) return sameName(binding.name, a as string);
    if (parts.length === 2) return !!binding.schema && sameName(binding.schema, a as string) && sameName(binding.name, b as string);
    return (
      !!binding.catalog &&
      sameName(binding.catalog, a as string) &&
      sameName(binding.schema ?? '', b as string) &&
      sameName(binding.name, c as string)
    );
  });
}

/** Resolves a (possibly qualified, possibly struct-field) column reference. */
export function resolveColumn(scope: Scope, parts: readonly string[]): Resolution {
  // A qualifier naming a relation in any enclosing scope wins over reading it as a struct
  // column of a relation whose columns are unknown.
  if (parts.length > 1) {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const found = resolveQualified(s, parts);
      if (found) return found;
    }
  }
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const found = resolveUnqualified(s, parts);
    if (found) return found;
  }
  const name = parts.join('.');
  return { unknown: `column "${name}" is not found in the relations the query reads`, problem: 'not_found' };
}

/** table.column(.field...), schema.table.column, catalog.schema.table.column. */
function resolveQualified(scope: Scope, parts: readonly string[]): Resolution | undefined {
  for (let qualifier = Math.min(3, parts.length - 1); qualifier >= 1; qualifier--) {
    const binding = bindingNamed(scope, parts.slice(0, qualifier));
    if (!binding) continue;
    const name = parts[qualifier] as string;
    const column = findColumn(binding.relation, name);
    if (column) return { column, fields: parts.slice(qualifier + 1) };
    if (binding.relation.columns && !binding.relation.byName) {
      return { unknown: `relation "${binding.name}" has no column "${name}"`, problem: 'not_found' };
    }
  }
  return undefined;
}

/** A column by its name alone, maybe followed by struct fields. */
function resolveUnqualified(scope: Scope, parts: readonly string[]): Resolution | undefined {
  const [first, ...fields] = parts;
  if (first === undefined) return undefined;
  const key = nameKey(first);
  const merged = scope.merged.get(key);
  if (merged) return { column: merged, fields };
  const known: BoundColumn[] = [];
  const open: Binding[] = [];
  for (const binding of scope.bindings) {
    const column = binding.relation.columns ? findColumn(binding.relation, first) : undefined;
    if (column) known.push(column);
    else if (acceptsAnyName(binding.relation)) open.push(binding);
  }
  if (known.length === 1) return { column: known[0] as BoundColumn, fields };
  if (known.length > 1) return { unknown: `column "${first}" is ambiguous`, problem: 'ambiguous' };
  // DuckDB prefers a column of the FROM clause over a select alias of the same name; over a
  // relation whose columns are unknown, an alias the query itself defines is the likelier one.
  const alias = scope.aliases?.get(key);
  if (alias) return { column: alias, fields };
  if (open.length === 1) {
    const column = findColumn((open[0] as Binding).relation, first);
    if (column) return { column, fields };
  }
  if (open.length > 1) {
    return {
      unknown: `column "${first}" could come from ${open.map((b) => `"${b.name}"`).join(' or ')}, whose columns are unknown`,
    };
  }
  return undefined;
}

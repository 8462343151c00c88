/**
 * Combining relations: the row filters of a query part added to each of its columns, and
 * the output of a set operation from its branches.
 */
import { nameKey } from '../sql/names';
import { DepSet, type Dep } from './deps';
import type { BoundColumn, Relation } from './relation';

/** A column with the relation's row filters (and their unknowns) added. */
export function withFilters(column: BoundColumn, filters: readonly Dep[], unknown: readonly string[]): BoundColumn {
  if (filters.length === 0 && unknown.length === 0) return column;
  const deps = new DepSet();
  deps.addAll(column.deps);
  deps.addAll(filters, true);
  const reasons = [column.unknown, ...unknown].filter((r): r is string => !!r);
  return { ...column, deps: deps.toArray(), ...(reasons.length ? { unknown: [...new Set(reasons)].join('; ') } : {}) };
}

/**
 * Output columns of a set operation: UNION takes each column from every branch (by
 * position, or by name for UNION BY NAME); for EXCEPT / INTERSECT the right side only
 * decides which rows remain, so it is a filter of every column.
 */
export function combineBranches(left: Relation, right: Relation, setopType: string, all = true): Relation {
  const rowDeps = new DepSet();
  rowDeps.addAll(left.rowDeps, true);
  rowDeps.addAll(right.rowDeps, true);
  if (!left.columns || !right.columns) {
    return { columns: null, unknownReason: left.unknownReason ?? right.unknownReason ?? 'a branch has unknown columns', rowDeps: rowDeps.toArray() };
  }
  const rightColumns = right.columns;
  // Without ALL, duplicate rows go: whether a row is one depends on every column.
  if (!all) for (const column of [...left.columns, ...rightColumns]) rowDeps.addAll(column.deps, true);
  if (setopType === 'EXCEPT' || setopType === 'INTERSECT') {
    // Rows are matched whole: every column of both sides decides which rows remain.
    for (const column of [...left.columns, ...rightColumns]) rowDeps.addAll(column.deps, true);
    const filters = rowDeps.toArray();
    return { columns: left.columns.map((c) => withFilters(c, filters, [])), rowDeps: filters };
  }
  const combine = (a: BoundColumn | undefined, b: BoundColumn | undefined, name: string): BoundColumn => {
    const deps = new DepSet();
    if (a) deps.addAll(a.deps);
    if (b) deps.addAll(b.deps);
    const reasons = [...new Set([a?.unknown, b?.unknown].filter((r): r is string => !!r))];
    return { name, deps: deps.toArray(), ...(reasons.length ? { unknown: reasons.join('; ') } : {}), ...(a?.range ? { range: a.range } : {}) };
  };
  if (setopType === 'UNION_BY_NAME') {
    const names = left.columns.map((c) => c.name);
    const seen = new Set(names.map(nameKey));
    for (const c of rightColumns) if (!seen.has(nameKey(c.name))) names.push(c.name);
    const find = (columns: BoundColumn[], name: string) => columns.find((c) => nameKey(c.name) === nameKey(name));
    const leftColumns = left.columns;
    const filters = rowDeps.toArray();
    return { columns: names.map((n) => withFilters(combine(find(leftColumns, n), find(rightColumns, n), n), filters, [])), rowDeps: filters };
  }
  const filters = rowDeps.toArray();
  return { columns: left.columns.map((c, i) => withFilters(combine(c, rightColumns[i], c.name), filters, [])), rowDeps: filters };
}

/** A cheap fingerprint of a relation's dependencies, to detect a recursion's fixed point. */
export function relationSignature(relation: Relation): string {
  return (relation.columns ?? []).map((c) => `${c.deps.length}:${c.deps.map((d) => d.kind[0]).join('')}:${c.unknown ?? ''}`).join('|') + `#${relation.rowDeps.length}`;
}


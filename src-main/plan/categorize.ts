/**
 * Automatic change categories, as SQLMesh decides them: comparing the previous and the new
 * rendered query trees (DuckDB's own parse trees, locations removed), a change whose every
 * edit is a projection inserted into a SELECT list is non-breaking; anything else is breaking.
 * A few inserted projections do change existing rows, and count as breaking here: under
 * SELECT DISTINCT, under GROUP BY ALL, or before a column referred to by position.
 */

export type DirectCategory = 'breaking' | 'non_breaking';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Removes `query_location` everywhere, so formatting and comments never matter. */
export function stripLocations(tree: unknown): Json {
  if (Array.isArray(tree)) return tree.map(stripLocations);
  if (tree !== null && typeof tree === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(tree)) if (key !== 'query_location') out[key] = stripLocations(value);
    return out;
  }
  return tree as Json;
}

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i] ?? null));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && equal(a[k] ?? null, b[k] ?? null));
  }
  return false;
}

/** Indexes in `after` of the inserted items, when `after` is `before` with insertions only. */
function insertions(before: Json[], after: Json[]): number[] | undefined {
  const inserted: number[] = [];
  let i = 0;
  for (let j = 0; j < after.length; j++) {
    if (i < before.length && equal(before[i] ?? null, after[j] ?? null)) i++;
    else inserted.push(j);
  }
  return i === before.length ? inserted : undefined;
}

function positionalReferences(node: Record<string, Json>): number[] {
  const positions: number[] = [];
  const visit = (expr: Json) => {
    if (expr && typeof expr === 'object' && !Array.isArray(expr) && expr.class === 'CONSTANT') {
      const value = (expr.value as Record<string, Json> | undefined)?.value;
      if (typeof value === 'number') positions.push(value);
    }
  };
  for (const expr of (node.group_expressions as Json[] | undefined) ?? []) visit(expr);
  for (const modifier of (node.modifiers as Json[] | undefined) ?? []) {
    const orders = (modifier as Record<string, Json>)?.orders as Json[] | undefined;
    for (const order of orders ?? []) visit((order as Record<string, Json>)?.expression ?? null);
  }
  return positions;
}

function isDistinct(node: Record<string, Json>): boolean {
  return ((node.modifiers as Json[] | undefined) ?? []).some((m) => (m as Record<string, Json>)?.type === 'DISTINCT_MODIFIER');
}

/** True when `after` differs from `before` only by projections inserted safely. */
function onlySafeInsertions(before: Json, after: Json): boolean {
  if (Array.isArray(before) || Array.isArray(after)) {
    if (!Array.isArray(before) || !Array.isArray(after) || before.length !== after.length) return false;
    return before.every((x, i) => onlySafeInsertions(x, after[i] ?? null));
  }
  if (!before || !after || typeof before !== 'object' || typeof after !== 'object') return equal(before, after);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const b = before[key] ?? null;
    const a = after[key] ?? null;
    if (key === 'select_list' && before.type === 'SELECT_NODE' && Array.isArray(b) && Array.isArray(a) && !equal(a, b)) {
      const inserted = insertions(b, a);
      if (!inserted) return false;
      if (isDistinct(after) || after.aggregate_handling === 'FORCE_AGGREGATES') return false;
      const firstInserted = Math.min(...inserted) + 1;
      if (positionalReferences(after).some((p) => p >= firstInserted)) return false;
      continue;
    }
    if (!onlySafeInsertions(b, a)) return false;
  }
  return true;
}

/** Category of a direct change between two `json_serialize_sql` trees of a model's query. */
export function categorizeQueryChange(before: unknown, after: unknown): DirectCategory {
  const b = stripLocations(before);
  const a = stripLocations(after);
  if (equal(a, b)) return 'non_breaking';
  return onlySafeInsertions(b, a) ? 'non_breaking' : 'breaking';
}

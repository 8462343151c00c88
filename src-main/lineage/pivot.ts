/**
 * PIVOT and UNPIVOT in FROM, as DuckDB's parser gives them (a `PIVOT` table ref).
 *
 * PIVOT: one row per group (the GROUP BY columns, or every source column not named in ON or
 * USING); one column per IN value (times each aggregate, named `value_aggregate`), read
 * from the aggregates' columns, its rows decided by the ON columns. Without IN the value
 * columns depend on the data: they are unknown, the group columns stay known.
 *
 * UNPIVOT: the source columns not unpivoted, then the NAME column (the unpivoted columns'
 * names: no upstream) and the VALUE column(s), read from the unpivoted columns. Rows whose
 * value is NULL are dropped, so the unpivoted columns filter every row.
 */
import type { ParsedExpression, StarExpression, TableRef } from '../sql/ast';
import { expressionName, nameKey, uniqueNames } from '../sql/names';
import { selectStarColumns } from '../sql/stars';
import { DepSet } from './deps';
import { collectDeps, newDeps } from './expressions';
import { renameColumns, type BoundColumn, type Relation } from './relation';
import { resolveColumn, type Scope } from './scope';
import type { FromResult } from './from';
import type { ExpressionContext } from './expressions';

interface PivotEntry {
  values: unknown[];
  star_expr: ParsedExpression | null;
  alias: string;
}

export interface PivotRef {
  type: 'PIVOT';
  alias: string;
  source: TableRef;
  aggregates: ParsedExpression[];
  unpivot_names: string[];
  pivots: { pivot_expressions: ParsedExpression[]; unpivot_names: string[]; entries: PivotEntry[]; pivot_enum: string }[];
  groups: string[];
  column_name_alias?: string[];
  include_nulls?: boolean;
}

/** A source's columns for `*`, or null when unknown. */
function sourceColumns(source: FromResult): { binding: string; column: BoundColumn }[] | null {
  if ('unknown' in source.star || source.star.entries.some((e) => e.column.placeholder)) return null;
  return source.star.entries;
}

function valueText(value: unknown): string {
  const v = value as { is_null?: boolean; value?: unknown };
  return v.is_null ? 'NULL' : String(v.value);
}

function columnNamesIn(expr: unknown, into: Set<string>): void {
  if (expr === null || typeof expr !== 'object') return;
  if (Array.isArray(expr)) return expr.forEach((e) => columnNamesIn(e, into));
  const record = expr as Record<string, unknown>;
  if (record.class === 'COLUMN_REF') {
    const parts = record.column_names as string[];
    into.add(nameKey(parts[parts.length - 1] ?? ''));
    return;
  }
  for (const key in record) columnNamesIn(record[key], into);
}

export function bindPivot(ref: PivotRef, source: FromResult, outer: Scope, context: (scope: Scope) => ExpressionContext): Relation {
  const scope: Scope = { bindings: source.bindings, merged: source.merged, parent: outer, star: source.star };
  const relation = ref.unpivot_names.length > 0 ? unpivot(ref, source, scope, context(scope)) : pivot(ref, source, scope, context(scope));
  return renameColumns(relation, ref.column_name_alias);
}

function pivot(ref: PivotRef, source: FromResult, scope: Scope, ctx: ExpressionContext): Relation {
  const unknown: string[] = [...source.unknown];
  const pivotDeps = newDeps();
  for (const p of ref.pivots) for (const e of p.pivot_expressions) collectDeps(e, ctx, pivotDeps, true);
  unknown.push(...pivotDeps.unknown);
  const aggregates = ref.aggregates.map((agg) => {
    const deps = newDeps();
    collectDeps(agg, ctx, deps);
    unknown.push(...deps.unknown);
    return { name: expressionName(agg), deps: deps.deps.toArray() };
  });
  // The groups: as written, or every source column not read by ON or USING.
  let groups: string[] | null = ref.groups;
  if (groups.length === 0) {
    const columns = sourceColumns(source);
    if (columns) {
      const used = new Set<string>();
      columnNamesIn(ref.aggregates, used);
      for (const p of ref.pivots) columnNamesIn(p.pivot_expressions, used);
      groups = columns.map((e) => e.column.name).filter((n) => !used.has(nameKey(n)));
    } else groups = null;
  }
  const rowDeps = new DepSet();
  rowDeps.addAll(source.rowDeps.toArray(), true);
  const groupColumns: BoundColumn[] = [];
  for (const group of groups ?? []) {
    const resolved = resolveColumn(scope, [group]);
    if ('unknown' in resolved) {
      unknown.push(resolved.unknown);
      groupColumns.push({ name: group, deps: [] });
      continue;
    }
    groupColumns.push({ name: group, deps: resolved.column.deps });
    rowDeps.addAll(resolved.column.deps, true);
  }
  const filters = rowDeps.toArray();
  const reason = unknown.length ? [...new Set(unknown)].join('; ') : undefined;
  const finish = (column: BoundColumn, extra: BoundColumn['deps'] = []): BoundColumn => {
    const deps = new DepSet();
    deps.addAll(column.deps);
    deps.addAll(extra, true);
    deps.addAll(filters, true);
    return { name: column.name, deps: deps.toArray(), ...(reason ? { unknown: reason } : {}) };
  };
  const valueDeps = aggregates.flatMap((a) => a.deps);
  const pivotFilters = pivotDeps.deps.toArray();
  // Value column names: the product of every ON expression's IN values.
  let names: string[] | null = [''];
  for (const p of ref.pivots) {
    if (p.entries.length === 0 || p.pivot_enum) {
      names = null;
      break;
    }
    const values = p.entries.map((e) => e.alias || e.values.map(valueText).join('_'));
    names = (names as string[]).flatMap((prefix) => values.map((v) => (prefix ? `${prefix}_${v}` : v)));
  }
  const out = groupColumns.map((c) => finish(c));
  if (names === null || groups === null) {
    const why = groups === null ? 'the PIVOT source columns are unknown' : 'a PIVOT without IN (...) has columns that depend on the data';
    const known = new Map(out.map((c) => [nameKey(c.name), c] as const));
    return {
      columns: null,
      unknownReason: why,
      rowDeps: filters,
      byName: (name) => known.get(nameKey(name)) ?? { ...finish({ name, deps: valueDeps }, pivotFilters), unknown: why },
    };
  }
  for (const name of names) {
    for (const agg of aggregates) {
      const column = aggregates.length === 1 ? name : `${name}_${agg.name}`;
      out.push(finish({ name: column, deps: agg.deps }, pivotFilters));
    }
  }
  const unique = uniqueNames(out.map((c) => c.name));
  return { columns: out.map((c, i) => ({ ...c, name: unique[i] ?? c.name })), rowDeps: filters };
}

function unpivot(ref: PivotRef, source: FromResult, scope: Scope, ctx: ExpressionContext): Relation {
  const unknown: string[] = [...source.unknown];
  const columns = sourceColumns(source);
  const spec = ref.pivots[0];
  const valueNames = ref.unpivot_names;
  const nameColumns = spec?.unpivot_names ?? [];
  // Each entry: the unpivoted column(s) it reads, one per VALUE column.
  const entries: ParsedExpression[][] = [];
  for (const entry of spec?.entries ?? []) {
    if (entry.star_expr) {
      if (!columns) {
        unknown.push('UNPIVOT over COLUMNS(...) of a relation whose columns are unknown');
        continue;
      }
      const selection = selectStarColumns(entry.star_expr as StarExpression, columns.map((e) => ({ relation: e.binding, name: e.column.name })));
      if (!selection.ok) {
        unknown.push(selection.reason);
        continue;
      }
      for (const s of selection.columns) entries.push([columnRef(s.candidate.name)]);
    } else {
      entries.push(entry.values.map((v) => (typeof v === 'object' && v !== null && 'class' in v ? (v as ParsedExpression) : columnRef(valueText(v)))));
    }
  }
  const unpivoted = new Set<string>();
  for (const entry of entries) columnNamesIn(entry, unpivoted);
  const rowDeps = new DepSet();
  rowDeps.addAll(source.rowDeps.toArray(), true);
  const values = valueNames.map((name, i) => {
    const deps = newDeps();
    for (const entry of entries) {
      const expr = entry[i];
      if (expr) collectDeps(expr, ctx, deps);
    }
    unknown.push(...deps.unknown);
    // UNPIVOT drops rows whose value is NULL: the unpivoted columns decide which rows remain.
    if (!ref.include_nulls) rowDeps.addAll(deps.deps.toArray(), true);
    return { name, deps: deps.deps.toArray() };
  });
  const filters = rowDeps.toArray();
  const reason = unknown.length ? [...new Set(unknown)].join('; ') : undefined;
  const finish = (column: BoundColumn): BoundColumn => {
    const deps = new DepSet();
    deps.addAll(column.deps);
    deps.addAll(filters, true);
    return { name: column.name, deps: deps.toArray(), ...(column.unknown || reason ? { unknown: column.unknown ?? reason } : {}) };
  };
  const tail = [...nameColumns.map((name) => ({ name, deps: [] })), ...values].map(finish);
  if (!columns) {
    const why = 'the UNPIVOT source columns are unknown';
    const known = new Map(tail.map((c) => [nameKey(c.name), c] as const));
    return {
      columns: null,
      unknownReason: why,
      rowDeps: filters,
      byName: (name) => {
        const found = known.get(nameKey(name));
        if (found) return found;
        const resolved = resolveColumn(scope, [name]);
        return 'unknown' in resolved ? { name, deps: [], unknown: resolved.unknown } : finish({ name, deps: resolved.column.deps });
      },
    };
  }
  const kept = columns.filter((e) => !unpivoted.has(nameKey(e.column.name))).map((e) => finish({ name: e.column.name, deps: e.column.deps }));
  return { columns: [...kept, ...tail], rowDeps: filters };
}

function columnRef(name: string): ParsedExpression {
  return { class: 'COLUMN_REF', type: 'COLUMN_REF', alias: '', column_names: [name] };
}

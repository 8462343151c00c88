/**
 * Binding a FROM clause: each table ref becomes a named relation in scope (a CTE, a model
 * or source resolved through the resolver, a derived table, a table function, VALUES),
 * joins combine them (USING/NATURAL columns merged, ON/USING columns as row filters), and
 * the FROM clause's `*` column list is assembled in DuckDB's order.
 */
import type {
  BaseTableRef,
  ExpressionListRef,
  JoinRef,
  ParsedExpression,
  SubqueryRef,
  TableFunctionRef,
  TableRef,
} from '../sql/ast';
import { tableFunctionColumns } from '../sql/columns';
import { expressionName, nameKey, uniqueNames } from '../sql/names';
import type { TextRange } from '../sql/ranges';
import { DepSet, depKey, type Dep } from './deps';
import { collectDeps, newDeps, type ExpressionContext } from './expressions';
import { findColumn, renameColumns, type BoundColumn, type Relation } from './relation';
import type { Binding, Scope, StarColumns } from './scope';
import { bindPivot, type PivotRef } from './pivot';

export interface FromResult {
  bindings: Binding[];
  merged: Map<string, BoundColumn>;
  rowDeps: DepSet;
  unknown: string[];
  star: StarColumns;
}

/** What FROM binding needs from the query binder. */
export interface FromContext {
  /** A CTE visible here by (lower-cased) name, bound on first use. */
  cte(name: string): Relation | undefined;
  /** A relation outside the query. */
  external(ref: BaseTableRef): Relation;
  bindSubquery(ref: SubqueryRef, scope: Scope): Relation;
  expressionContext(scope: Scope, anchor: TextRange | undefined): ExpressionContext;
  /** The range of a join condition in the SQL text. */
  onRange(expr: ParsedExpression): TextRange | undefined;
  /** The range of the `USING (...)` clause of a join whose right side is `right`. */
  usingRange(right: TableRef): TextRange | undefined;
}

function single(binding: Binding): FromResult {
  return {
    bindings: [binding],
    merged: new Map(),
    rowDeps: new DepSet(),
    unknown: [],
    star: { entries: starEntries(binding) },
  };
}

/** A binding's columns for `*`; one placeholder when its columns are unknown. */
export function starEntries(binding: Binding): { binding: string; column: BoundColumn }[] {
  const columns = binding.relation.columns;
  if (columns) return columns.map((column) => ({ binding: binding.name, column }));
  const reason = binding.relation.unknownReason ?? `the columns of "${binding.name}" are unknown`;
  return [{ binding: binding.name, column: { name: `${binding.name}.*`, deps: [], unknown: reason, placeholder: true } }];
}

function hasPlaceholder(star: StarColumns): boolean {
  return 'unknown' in star || star.entries.some((e) => e.column.placeholder);
}

function withRowDeps(result: FromResult, relation: Relation): FromResult {
  result.rowDeps.addAll(relation.rowDeps, true);
  return result;
}

/** Binds `ref`; `outer` is the scope visible to lateral subqueries and table-function arguments. */
export function bindFrom(ref: TableRef, outer: Scope, ctx: FromContext): FromResult {
  switch (ref.type) {
    case 'EMPTY':
      return { bindings: [], merged: new Map(), rowDeps: new DepSet(), unknown: [], star: { entries: [] } };
    case 'BASE_TABLE': {
      const base = ref as BaseTableRef;
      const unqualified = !base.schema_name && !base.catalog_name;
      const cte = unqualified ? ctx.cte(nameKey(base.table_name)) : undefined;
      const relation = renameColumns(cte ?? ctx.external(base), base.column_name_alias);
      const binding: Binding = base.alias
        ? { name: base.alias, relation }
        : {
            name: base.table_name,
            relation,
            ...(base.schema_name ? { schema: base.schema_name } : {}),
            ...(base.catalog_name ? { catalog: base.catalog_name } : {}),
          };
      return withRowDeps(single(binding), relation);
    }
    case 'SUBQUERY': {
      const sub = ref as SubqueryRef;
      const relation = renameColumns(ctx.bindSubquery(sub, outer), sub.column_name_alias);
      return withRowDeps(single({ name: sub.alias || 'unnamed_subquery', relation }), relation);
    }
    case 'TABLE_FUNCTION': {
      const binding = tableFunction(ref as TableFunctionRef, outer, ctx);
      return withRowDeps(single(binding), binding.relation);
    }
    case 'EXPRESSION_LIST':
      return single(valuesList(ref as ExpressionListRef, outer, ctx));
    case 'JOIN':
      return bindJoin(ref as JoinRef, outer, ctx);
    case 'PIVOT': {
      const pivot = ref as unknown as PivotRef;
      const relation = bindPivot(pivot, bindFrom(pivot.source, outer, ctx), outer, (scope) => ctx.expressionContext(scope, undefined));
      return withRowDeps(single({ name: pivot.alias || 'unnamed_pivot', relation }), relation);
    }
    default: {
      const reason = `a ${ref.type.toLowerCase().replaceAll('_', ' ')} in FROM is not supported by lineage`;
      const relation: Relation = { columns: null, unknownReason: reason, rowDeps: [], byName: (name) => ({ name, deps: [], unknown: reason }) };
      return single({ name: typeof ref.alias === 'string' && ref.alias ? ref.alias : ref.type.toLowerCase(), relation });
    }
  }
}

function tableFunction(ref: TableFunctionRef, outer: Scope, ctx: FromContext): Binding {
  const fn = ref.function as ParsedExpression & { function_name?: string };
  const fnName = fn.function_name ?? 'table_function';
  const args = newDeps();
  collectDeps(fn, ctx.expressionContext(outer, undefined), args);
  const known = tableFunctionColumns(fnName);
  const name = ref.alias || fnName;
  if (known) {
    const deps = fnName.toLowerCase() === 'unnest' ? args.deps.toArray() : [];
    const unknown = args.unknown.length > 0 ? args.unknown.join('; ') : undefined;
    const names = known.map((n, i) => ref.column_name_alias?.[i] ?? n);
    // The arguments decide how many rows there are (one per element, a range's bounds).
    const rowDeps = args.deps.toArray().map((d) => (d.kind === 'filter' ? d : { ...d, kind: 'filter' as const }));
    return { name, relation: { columns: names.map((n) => ({ name: n, deps, ...(unknown ? { unknown } : {}) })), rowDeps } };
  }
  const reason = `read by table function ${fnName}(), whose columns are only known by running it`;
  const cache = new Map<string, BoundColumn>();
  // A file reader over constant paths (`read_parquet('x.parquet')`) is a root, like a table:
  // the columns the query names are that root's columns.
  const fnArgs = (fn as { children?: ParsedExpression[] }).children ?? [];
  if (FILE_READERS.test(fnName) && fnArgs.every(isConstantArgument)) {
    const key = `${fnName}(${fnArgs.map(argumentText).join(', ')})`;
    return {
      name,
      relation: {
        columns: null,
        unknownReason: reason,
        rowDeps: [],
        byName: (column) => {
          let bound = cache.get(nameKey(column));
          if (!bound) cache.set(nameKey(column), (bound = { name: column, deps: [{ relation: key, column, kind: 'value', key: depKey(key, column) }] }));
          return bound;
        },
      },
    };
  }
  return {
    name,
    relation: {
      columns: null,
      unknownReason: reason,
      rowDeps: [],
      byName: (column) => {
        let bound = cache.get(nameKey(column));
        if (!bound) cache.set(nameKey(column), (bound = { name: column, deps: args.deps.toArray(), unknown: reason }));
        return bound;
      },
    },
  };
}

/** A literal, a list of literals, or a named parameter `name = literal`. */
function isConstantArgument(arg: ParsedExpression): boolean {
  const record = arg as Record<string, unknown>;
  if (arg.class === 'CONSTANT') return true;
  if (arg.class === 'CAST') return isConstantArgument(record.child as ParsedExpression);
  if (arg.class === 'FUNCTION' && ['list_value', 'list_pack'].includes(String(record.function_name))) return (record.children as ParsedExpression[]).every(isConstantArgument);
  if (arg.class === 'COMPARISON' && arg.type === 'COMPARE_EQUAL') return (record.left as ParsedExpression).class === 'COLUMN_REF' && isConstantArgument(record.right as ParsedExpression);
  return false;
}

/** A table function argument as written: literals, lists of literals, `name = value`. */
function argumentText(arg: ParsedExpression): string {
  const record = arg as Record<string, unknown>;
  let text: string;
  if (arg.class === 'FUNCTION' && ['list_value', 'list_pack'].includes(String(record.function_name))) {
    text = `[${(record.children as ParsedExpression[]).map(argumentText).join(', ')}]`;
  } else if (arg.class === 'COMPARISON' && arg.type === 'COMPARE_EQUAL') {
    return `${argumentText(record.left as ParsedExpression)} = ${argumentText(record.right as ParsedExpression)}`;
  } else if (arg.class === 'CAST' && (record.cast_type as { id: string }).id === 'BOOLEAN' && (record.child as ParsedExpression).class === 'CONSTANT') {
    text = String((record.child as { value: { value?: unknown } }).value.value).startsWith('t') ? 'true' : 'false';
  } else text = expressionName({ ...arg, alias: '' });
  return arg.alias ? `${arg.alias} = ${text}` : text;
}

/** Table functions that read files or external tables: their columns are those of the data read. */
const FILE_READERS = /^(read_(parquet|csv|csv_auto|json|json_auto|json_objects|ndjson|ndjson_auto|ndjson_objects|text|blob|xlsx)|parquet_scan|sniff_csv|iceberg_scan|delta_scan|postgres_scan|sqlite_scan|mysql_scan|st_read)$/i;

function valuesList(ref: ExpressionListRef, outer: Scope, ctx: FromContext): Binding {
  const width = ref.values[0]?.length ?? 0;
  const defaults = ref.expected_names?.length ? ref.expected_names : Array.from({ length: width }, (_, i) => `col${i}`);
  const names = uniqueNames(defaults.map((n, i) => ref.column_name_alias?.[i] ?? n));
  const columns = names.map((name, i) => {
    const deps = newDeps();
    for (const row of ref.values) {
      const cell = row[i];
      if (cell) collectDeps(cell, ctx.expressionContext(outer, undefined), deps);
    }
    return { name, deps: deps.deps.toArray() };
  });
  return { name: ref.alias || 'valueslist', relation: { columns, rowDeps: [] } };
}

function bindJoin(join: JoinRef, outer: Scope, ctx: FromContext): FromResult {
  const left = bindFrom(join.left, outer, ctx);
  // The right side may read the left side's columns (LATERAL, unnest(t.list)).
  const lateral: Scope = { bindings: left.bindings, merged: left.merged, parent: outer };
  const right = bindFrom(join.right, lateral, ctx);
  const semi = join.join_type === 'SEMI' || join.join_type === 'ANTI';
  const both: Scope = { bindings: [...left.bindings, ...right.bindings], merged: new Map([...left.merged, ...right.merged]), parent: outer };
  const rowDeps = new DepSet();
  rowDeps.addAll(left.rowDeps.toArray(), true);
  rowDeps.addAll(right.rowDeps.toArray(), true);
  const unknown = [...left.unknown, ...right.unknown];

  let usingNames: string[] = join.using_columns ?? [];
  if (join.ref_type === 'NATURAL') {
    if ('unknown' in left.star || 'unknown' in right.star || hasPlaceholder(left.star) || hasPlaceholder(right.star)) {
      unknown.push('a NATURAL join over relations whose columns are unknown');
      usingNames = [];
    } else {
      const rightNames = new Set(right.star.entries.map((e) => nameKey(e.column.name)));
      usingNames = left.star.entries.filter((e) => rightNames.has(nameKey(e.column.name))).map((e) => e.column.name);
    }
  }
  const merged = new Map([...left.merged, ...right.merged]);
  const leftScope: Scope = { bindings: left.bindings, merged: left.merged };
  const rightScope: Scope = { bindings: right.bindings, merged: right.merged };
  const usingAt = join.using_columns?.length ? ctx.usingRange(join.right) : undefined;
  const atUsing = (deps: readonly Dep[]): Dep[] => (usingAt ? deps.map((d) => (d.range ? d : { ...d, range: usingAt })) : [...deps]);
  for (const name of usingNames) {
    const l = findIn(leftScope, name);
    const r = findIn(rightScope, name);
    const deps = new DepSet();
    if (l && join.join_type !== 'RIGHT') deps.addAll(l.deps);
    if (r && (join.join_type === 'RIGHT' || join.join_type === 'OUTER' || join.join_type === 'FULL')) deps.addAll(r.deps);
    if (l) rowDeps.addAll(atUsing(l.deps), true);
    if (r) rowDeps.addAll(atUsing(r.deps), true);
    if (!l || !r) unknown.push(`join column "${name}" is not found on both sides`);
    merged.set(nameKey(name), { name: l?.name ?? name, deps: deps.toArray() });
  }
  if (join.condition) {
    const deps = newDeps();
    collectDeps(join.condition, ctx.expressionContext(both, ctx.onRange(join.condition)), deps, true);
    rowDeps.addAll(deps.deps.toArray(), true);
    unknown.push(...deps.unknown);
  }
  const mergedKeys = new Set(usingNames.map(nameKey));
  let star: StarColumns;
  if (semi) star = left.star;
  else if ('unknown' in left.star) star = left.star;
  else if ('unknown' in right.star) star = right.star;
  else {
    star = {
      entries: [
        ...left.star.entries.map((e) => {
          const m = mergedKeys.has(nameKey(e.column.name)) ? merged.get(nameKey(e.column.name)) : undefined;
          return m ? { binding: e.binding, column: m } : e;
        }),
        ...right.star.entries.filter((e) => !mergedKeys.has(nameKey(e.column.name))),
      ],
    };
  }
  return { bindings: semi ? left.bindings : both.bindings, merged: semi ? left.merged : merged, rowDeps, unknown, star };
}

function findIn(scope: Scope, name: string): BoundColumn | undefined {
  const merged = scope.merged.get(nameKey(name));
  if (merged) return merged;
  for (const binding of scope.bindings) {
    const column = findColumn(binding.relation, name);
    if (column) return column;
  }
  return undefined;
}

/**
 * The output column names of a query, in order. `*` forms are expanded with the columns of
 * the FROM clause; the columns of tables outside the query come from an optional schema
 * lookup. Where a star cannot be expanded (no lookup answer, a table function, an
 * unevaluable COLUMNS(...)), the answer is null rather than a guess.
 */
import type {
  BaseTableRef,
  CteMap,
  ExpressionListRef,
  JoinRef,
  QueryNode,
  SelectNode,
  SelectStatementAst,
  StarExpression,
  SubqueryRef,
  TableFunctionRef,
  TableRef,
} from './ast';
import { expressionName, nameKey, uniqueNames } from './names';
import { selectStarColumns, type StarCandidate } from './stars';

export interface RelationName {
  catalog?: string;
  schema?: string;
  name: string;
}

/** Column names of a table outside the query (a model or a source), or undefined if unknown. */
export type SchemaLookup = (relation: RelationName) => readonly string[] | undefined;

/** CTEs visible at a point: name (lower-cased) → the CTE's output names, or null if unknown. */
type CteColumns = ReadonlyMap<string, readonly string[] | null>;

/**
 * The column names of a table or view built from the query (duplicates get DuckDB's `_1`
 * suffixes), or null when a star cannot be expanded.
 */
export function outputColumns(statement: SelectStatementAst, lookup?: SchemaLookup): string[] | null {
  const names = nodeColumns(statement.node, new Map(), lookup ?? (() => undefined));
  return names ? uniqueNames(names) : null;
}

function withCtes(cteMap: CteMap | undefined, outer: CteColumns, lookup: SchemaLookup): CteColumns {
  const entries = cteMap?.map ?? [];
  if (entries.length === 0) return outer;
  const scope = new Map(outer);
  for (const entry of entries) {
    const key = nameKey(entry.key);
    const aliases = entry.value.aliases ?? [];
    const names = renamed(nodeColumns(entry.value.query.node, scope, lookup), aliases);
    scope.set(key, names ? uniqueNames(names) : null);
  }
  return scope;
}

/** Applies `column_name_alias` renames to the first columns. */
export function renamed(names: readonly string[] | null, aliases: readonly string[] | undefined): string[] | null {
  if (!names) return null;
  if (!aliases || aliases.length === 0) return [...names];
  return names.map((n, i) => aliases[i] ?? n);
}

export function nodeColumns(node: QueryNode, outer: CteColumns, lookup: SchemaLookup): string[] | null {
  const ctes = withCtes(node.cte_map, outer, lookup);
  switch (node.type) {
    case 'SELECT_NODE':
      return selectColumns(node as SelectNode, ctes, lookup);
    case 'SET_OPERATION_NODE': {
      const op = node as { setop_type: string; left: QueryNode; right: QueryNode };
      const left = nodeColumns(op.left, ctes, lookup);
      if (op.setop_type !== 'UNION_BY_NAME') return left;
      const right = nodeColumns(op.right, ctes, lookup);
      if (!left || !right) return null;
      const seen = new Set(left.map(nameKey));
      return [...left, ...right.filter((n) => !seen.has(nameKey(n)))];
    }
    case 'RECURSIVE_CTE_NODE': {
      const rec = node as { left: QueryNode; aliases?: string[] };
      return renamed(nodeColumns(rec.left, ctes, lookup), rec.aliases);
    }
    default:
      return null;
  }
}

function selectColumns(node: SelectNode, ctes: CteColumns, lookup: SchemaLookup): string[] | null {
  let from: StarCandidate[] | null | undefined;
  const names: string[] = [];
  for (const item of node.select_list) {
    if (item.class !== 'STAR') {
      names.push(expressionName(item));
      continue;
    }
    if (from === undefined) from = fromColumns(node.from_table, ctes, lookup);
    if (from === null) return null;
    const selection = selectStarColumns(item as StarExpression, from);
    if (!selection.ok) return null;
    for (const column of selection.columns) names.push(column.name);
  }
  return names;
}

/** The columns a FROM clause offers to `*`, in order, with their binding names. */
export function fromColumns(ref: TableRef, ctes: CteColumns, lookup: SchemaLookup): StarCandidate[] | null {
  const bind = (relation: string, names: readonly string[] | null): StarCandidate[] | null =>
    names ? names.map((name) => ({ relation, name })) : null;
  switch (ref.type) {
    case 'EMPTY':
      return [];
    case 'BASE_TABLE': {
      const base = ref as BaseTableRef;
      const relation = base.alias || base.table_name;
      const unqualified = !base.schema_name && !base.catalog_name;
      const cte = unqualified ? ctes.get(nameKey(base.table_name)) : undefined;
      const names =
        cte !== undefined
          ? cte
          : (lookup({
              ...(base.catalog_name ? { catalog: base.catalog_name } : {}),
              ...(base.schema_name ? { schema: base.schema_name } : {}),
              name: base.table_name,
            }) ?? null);
      return bind(relation, renamed(names, base.column_name_alias));
    }
    case 'SUBQUERY': {
      const sub = ref as SubqueryRef;
      const names = renamed(nodeColumns(sub.subquery.node, ctes, lookup), sub.column_name_alias);
      return bind(sub.alias, names ? uniqueNames(names) : null);
    }
    case 'TABLE_FUNCTION': {
      const fn = ref as TableFunctionRef;
      const fnName = (fn.function as { function_name?: string }).function_name ?? '';
      const relation = fn.alias || fnName;
      const known = tableFunctionColumns(fnName);
      // Other table functions (read_parquet, ...) have columns only known by running them.
      return known ? bind(relation, renamed(known, fn.column_name_alias)) : null;
    }
    case 'EXPRESSION_LIST': {
      const list = ref as ExpressionListRef;
      const width = list.values[0]?.length ?? 0;
      const names = list.expected_names?.length ? list.expected_names : Array.from({ length: width }, (_, i) => `col${i}`);
      return bind(list.alias || 'valueslist', renamed(names, list.column_name_alias));
    }
    case 'JOIN':
      return joinColumns(ref as JoinRef, ctes, lookup);
    default:
      return null;
  }
}

/** Single-column table functions whose output name is fixed. */
export function tableFunctionColumns(name: string): string[] | undefined {
  switch (name.toLowerCase()) {
    case 'unnest':
      return ['unnest'];
    case 'range':
      return ['range'];
    case 'generate_series':
      return ['generate_series'];
    default:
      return undefined;
  }
}

function joinColumns(join: JoinRef, ctes: CteColumns, lookup: SchemaLookup): StarCandidate[] | null {
  const left = fromColumns(join.left, ctes, lookup);
  const right = fromColumns(join.right, ctes, lookup);
  if (!left || !right) return null;
  if (join.join_type === 'SEMI' || join.join_type === 'ANTI') return left;
  const merged = mergedJoinColumns(join, left, right);
  if (merged.size === 0) return [...left, ...right];
  return [...left, ...right.filter((c) => !merged.has(nameKey(c.name)))];
}

/** Names a USING or NATURAL join outputs once (from the left side). */
export function mergedJoinColumns(
  join: JoinRef,
  left: readonly StarCandidate[],
  right: readonly StarCandidate[],
): Set<string> {
  if (join.ref_type === 'NATURAL') {
    const rightNames = new Set(right.map((c) => nameKey(c.name)));
    return new Set(left.filter((c) => rightNames.has(nameKey(c.name))).map((c) => nameKey(c.name)));
  }
  return new Set((join.using_columns ?? []).map(nameKey));
}

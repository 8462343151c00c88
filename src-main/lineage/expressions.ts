/**
 * The dependencies of one expression: the columns it reads (resolved through the scope),
 * each as a value or a filter dependency. Window PARTITION BY / ORDER BY, aggregate
 * FILTER clauses and EXISTS subqueries only decide rows, so they count as filters.
 */
import type { ParsedExpression, SelectStatementAst, StarExpression } from '../sql/ast';
import type { TextRange } from '../sql/ranges';
import { expressionParts } from '../sql/walk';
import { DepSet, type Dep } from './deps';
import type { BoundColumn, Relation } from './relation';
import { resolveColumn, type Scope } from './scope';

export interface ExpressionContext {
  scope: Scope;
  /** Range of the select item or clause being read: where external columns enter. */
  anchor?: TextRange;
  /** Binds a subquery, correlated with `scope`. */
  bindSubquery: (statement: SelectStatementAst, scope: Scope) => Relation;
  /** Columns a `*` inside an expression stands for (e.g. `COLUMNS(*)` in a WHERE). */
  starColumns: (star: StarExpression, scope: Scope) => { columns: BoundColumn[]; unknown?: string };
  /** Told of each reference that cannot resolve whatever the data (unknown or ambiguous column). */
  report?: (problem: ColumnProblem) => void;
}

/** A column reference the query cannot have: not in any relation it reads, or in more than one. */
export interface ColumnProblem {
  kind: 'not_found' | 'ambiguous';
  /** The reference as written, e.g. `persons_kiled` or `c.id`. */
  name: string;
  message: string;
  /** Character offset of the reference in the SQL text, when DuckDB gave one. */
  offset?: number;
}

export interface ExpressionDeps {
  deps: DepSet;
  unknown: string[];
}

export function newDeps(): ExpressionDeps {
  return { deps: new DepSet(), unknown: [] };
}

/** Adds what `expr` reads to `into`; everything counts as a filter when `asFilter`. */
export function collectDeps(
  expr: ParsedExpression,
  ctx: ExpressionContext,
  into: ExpressionDeps,
  asFilter = false,
  lambdaParams: ReadonlySet<string> = EMPTY,
): void {
  const record = expr as Record<string, unknown>;
  switch (expr.class) {
    case 'CONSTANT':
    case 'PARAMETER':
      return;
    case 'COLUMN_REF': {
      const parts = record.column_names as string[];
      if (lambdaParams.has((parts[0] as string).toLowerCase())) return;
      const resolved = resolveColumn(ctx.scope, parts);
      if ('unknown' in resolved) {
        into.unknown.push(resolved.unknown);
        // `current_date` and friends read as columns when no column has their name.
        if (resolved.problem && ctx.report && !(parts.length === 1 && SPECIAL_NAMES.has((parts[0] as string).toLowerCase()))) {
          const offset = typeof record.query_location === 'number' ? record.query_location : undefined;
          ctx.report({ kind: resolved.problem, name: parts.join('.'), message: resolved.unknown, ...(offset !== undefined ? { offset } : {}) });
        }
      }
      else addColumn(resolved.column, ctx, into, asFilter);
      return;
    }
    case 'STAR': {
      const stars = ctx.starColumns(expr as StarExpression, ctx.scope);
      if (stars.unknown) into.unknown.push(stars.unknown);
      for (const column of stars.columns) addColumn(column, ctx, into, asFilter);
      return;
    }
    case 'LAMBDA': {
      const params = new Set(lambdaParams);
      collectNames(record.lhs, params);
      collectDeps(record.expr as ParsedExpression, ctx, into, asFilter, params);
      return;
    }
    case 'SUBQUERY': {
      const relation = ctx.bindSubquery(record.subquery as SelectStatementAst, ctx.scope);
      const rowsOnly = expr.type === 'SUBQUERY' && ['EXISTS', 'NOT_EXISTS'].includes(String(record.subquery_type));
      if (relation.unknownReason) into.unknown.push(relation.unknownReason);
      into.deps.addAll(relation.rowDeps, true);
      const first = relation.columns?.[0];
      if (first) {
        into.deps.addAll(first.deps, asFilter || rowsOnly);
        if (first.unknown && !rowsOnly) into.unknown.push(first.unknown);
      }
      if (record.child) collectDeps(record.child as ParsedExpression, ctx, into, asFilter, lambdaParams);
      return;
    }
    case 'WINDOW': {
      for (const child of (record.children as ParsedExpression[] | undefined) ?? []) collectDeps(child, ctx, into, asFilter, lambdaParams);
      for (const key of ['start_expr', 'end_expr', 'offset_expr', 'default_expr']) {
        const value = record[key] as ParsedExpression | null | undefined;
        if (value) collectDeps(value, ctx, into, asFilter, lambdaParams);
      }
      for (const order of (record.arg_orders as { expression: ParsedExpression }[] | undefined) ?? []) {
        collectDeps(order.expression, ctx, into, asFilter, lambdaParams);
      }
      const filter = record.filter_expr as ParsedExpression | null | undefined;
      if (filter) collectDeps(filter, ctx, into, true, lambdaParams);
      for (const partition of (record.partitions as ParsedExpression[] | undefined) ?? []) collectDeps(partition, ctx, into, true, lambdaParams);
      for (const order of (record.orders as { expression: ParsedExpression }[] | undefined) ?? []) {
        collectDeps(order.expression, ctx, into, true, lambdaParams);
      }
      return;
    }
    case 'FUNCTION': {
      for (const child of (record.children as ParsedExpression[] | undefined) ?? []) collectDeps(child, ctx, into, asFilter, lambdaParams);
      for (const order of (record.order_bys as { orders?: { expression: ParsedExpression }[] } | undefined)?.orders ?? []) {
        collectDeps(order.expression, ctx, into, asFilter, lambdaParams);
      }
      const filter = record.filter as ParsedExpression | null | undefined;
      if (filter) collectDeps(filter, ctx, into, true, lambdaParams);
      return;
    }
    case 'POSITIONAL_REFERENCE': {
      const index = Number(record.index);
      const bindings = ctx.scope.bindings.flatMap((b) => b.relation.columns ?? []);
      const column = bindings[index - 1];
      if (column) addColumn(column, ctx, into, asFilter);
      else into.unknown.push(`positional reference #${index} cannot be resolved`);
      return;
    }
    default: {
      const parts = expressionParts(expr);
      for (const child of parts.expressions) collectDeps(child, ctx, into, asFilter, lambdaParams);
      for (const statement of parts.statements) {
        const relation = ctx.bindSubquery(statement, ctx.scope);
        into.deps.addAll(relation.rowDeps, true);
        for (const column of relation.columns ?? []) into.deps.addAll(column.deps, asFilter);
      }
    }
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** Names DuckDB binds as functions when no column has them (SQL's parameterless special functions). */
const SPECIAL_NAMES: ReadonlySet<string> = new Set([
  'current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp', 'current_user', 'current_role',
  'session_user', 'user', 'current_catalog', 'current_schema', 'current_database', 'current_query', 'now', 'today',
]);

function collectNames(lhs: unknown, into: Set<string>): void {
  if (lhs === null || typeof lhs !== 'object') return;
  const names = (lhs as { column_names?: unknown }).column_names;
  if (Array.isArray(names)) {
    for (const name of names) into.add(String(name).toLowerCase());
    return;
  }
  for (const value of Object.values(lhs)) collectNames(value, into);
}

/** Adds a resolved column: external columns enter at the current anchor expression. */
function addColumn(column: BoundColumn, ctx: ExpressionContext, into: ExpressionDeps, asFilter: boolean): void {
  if (column.unknown) into.unknown.push(column.unknown);
  for (const dep of column.deps) {
    const withRange: Dep = dep.range || !ctx.anchor ? dep : { ...dep, range: ctx.anchor };
    into.deps.add(asFilter && withRange.kind !== 'filter' ? { ...withRange, kind: 'filter' } : withRange);
  }
}

/** Aggregate functions: an item holding one (outside windows and subqueries) is not a GROUP BY ALL key. */
const AGGREGATES = new Set([
  'sum', 'count', 'count_star', 'avg', 'mean', 'min', 'max', 'any_value', 'first', 'last', 'arbitrary',
  'list', 'array_agg', 'string_agg', 'group_concat', 'listagg', 'arg_max', 'arg_min', 'argmax', 'argmin',
  'max_by', 'min_by', 'median', 'mode', 'quantile', 'quantile_cont', 'quantile_disc', 'percentile_cont',
  'percentile_disc', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bool_and',
  'bool_or', 'bit_and', 'bit_or', 'bit_xor', 'every', 'approx_count_distinct', 'approx_quantile',
  'product', 'histogram', 'entropy', 'kurtosis', 'skewness', 'corr', 'covar_pop', 'covar_samp',
  'regr_slope', 'regr_intercept', 'regr_count', 'regr_r2', 'fsum', 'sumkahan', 'kahan_sum', 'favg',
  'bitstring_agg', 'geomean', 'geometric_mean', 'mad', 'reservoir_quantile', 'weighted_avg', 'wavg',
  'count_if', 'countif', 'sum_no_overflow', 'first_value', 'last_value',
]);

export function containsAggregate(expr: ParsedExpression): boolean {
  if (expr.class === 'WINDOW' || expr.class === 'SUBQUERY') return false;
  if (expr.class === 'FUNCTION' && AGGREGATES.has(String((expr as { function_name: string }).function_name).toLowerCase())) return true;
  if (expr.class === 'OPERATOR' && expr.type === 'GROUPING_FUNCTION') return true;
  return expressionParts(expr).expressions.some(containsAggregate);
}

/** Unwraps a `GROUP BY 2` / `ORDER BY 2` position. */
export function positionOf(expr: ParsedExpression): number | undefined {
  if (expr.class !== 'CONSTANT') return undefined;
  const value = (expr as { value: { type: { id: string }; value?: unknown } }).value;
  return ['INTEGER', 'BIGINT', 'HUGEINT', 'SMALLINT', 'TINYINT', 'UBIGINT'].includes(value.type.id) ? Number(value.value) : undefined;
}

/**
 * The typed view of DuckDB's own parse tree, as `json_serialize_sql` returns it. Only the
 * shapes our readers need are typed; everything else falls back to `UnknownExpression` /
 * `UnknownTableRef` / `UnknownQueryNode`, which generic walkers still traverse.
 *
 * Locations: `query_location` is rewritten by the parser bridge into a 0-based UTF-16
 * character offset into the SQL text (DuckDB reports UTF-8 byte offsets), and removed where
 * DuckDB has none.
 */

/** One SELECT statement: the top query node. */
export interface SelectStatementAst {
  node: QueryNode;
  named_param_map?: unknown[];
}

export interface CteEntry {
  key: string;
  value: { query: SelectStatementAst; aliases?: string[]; materialized?: string };
}

export interface CteMap {
  map: CteEntry[];
}

export interface OrderByNode {
  type: string;
  null_order: string;
  expression: ParsedExpression;
}

export interface ResultModifier {
  type: string;
  orders?: OrderByNode[];
  limit?: ParsedExpression | null;
  offset?: ParsedExpression | null;
  distinct_on_targets?: ParsedExpression[];
  [key: string]: unknown;
}

interface QueryNodeBase {
  modifiers: ResultModifier[];
  cte_map: CteMap;
}

export interface SelectNode extends QueryNodeBase {
  type: 'SELECT_NODE';
  select_list: ParsedExpression[];
  from_table: TableRef;
  where_clause: ParsedExpression | null;
  group_expressions: ParsedExpression[];
  group_sets: number[][];
  /** `FORCE_AGGREGATES` for GROUP BY ALL. */
  aggregate_handling: string;
  having: ParsedExpression | null;
  qualify: ParsedExpression | null;
}

export interface SetOperationNode extends QueryNodeBase {
  type: 'SET_OPERATION_NODE';
  /** UNION, EXCEPT, INTERSECT, UNION_BY_NAME. */
  setop_type: string;
  setop_all: boolean;
  left: QueryNode;
  right: QueryNode;
}

export interface RecursiveCteNode extends QueryNodeBase {
  type: 'RECURSIVE_CTE_NODE';
  cte_name: string;
  union_all: boolean;
  left: QueryNode;
  right: QueryNode;
  aliases: string[];
}

export interface UnknownQueryNode extends Partial<QueryNodeBase> {
  type: string;
  [key: string]: unknown;
}

export type QueryNode = SelectNode | SetOperationNode | RecursiveCteNode | UnknownQueryNode;

// ---- table refs -------------------------------------------------------------------------

interface TableRefBase {
  alias: string;
  query_location?: number;
  column_name_alias?: string[];
}

export interface BaseTableRef extends TableRefBase {
  type: 'BASE_TABLE';
  catalog_name: string;
  schema_name: string;
  table_name: string;
}

export interface JoinRef extends TableRefBase {
  type: 'JOIN';
  left: TableRef;
  right: TableRef;
  condition?: ParsedExpression | null;
  /** INNER, LEFT, RIGHT, OUTER, SEMI, ANTI, ... */
  join_type: string;
  /** REGULAR, NATURAL, CROSS, POSITIONAL, ASOF, DEPENDENT. */
  ref_type: string;
  using_columns?: string[];
}

export interface SubqueryRef extends TableRefBase {
  type: 'SUBQUERY';
  subquery: SelectStatementAst;
}

export interface TableFunctionRef extends TableRefBase {
  type: 'TABLE_FUNCTION';
  function: ParsedExpression;
}

export interface EmptyRef extends TableRefBase {
  type: 'EMPTY';
}

export interface ExpressionListRef extends TableRefBase {
  type: 'EXPRESSION_LIST';
  values: ParsedExpression[][];
  expected_names?: string[];
}

export interface UnknownTableRef extends Partial<TableRefBase> {
  type: string;
  [key: string]: unknown;
}

export type TableRef =
  | BaseTableRef
  | JoinRef
  | SubqueryRef
  | TableFunctionRef
  | EmptyRef
  | ExpressionListRef
  | UnknownTableRef;

// ---- expressions ------------------------------------------------------------------------

interface ExpressionBase {
  alias: string;
  query_location?: number;
}

export interface ColumnRefExpression extends ExpressionBase {
  class: 'COLUMN_REF';
  column_names: string[];
}

export interface FunctionExpression extends ExpressionBase {
  class: 'FUNCTION';
  function_name: string;
  schema: string;
  catalog: string;
  children: ParsedExpression[];
  filter: ParsedExpression | null;
  order_bys: { type: string; orders: OrderByNode[] };
  distinct: boolean;
  is_operator: boolean;
}

export interface ConstantExpression extends ExpressionBase {
  class: 'CONSTANT';
  value: { type: { id: string }; is_null: boolean; value?: unknown };
}

export interface StarExpression extends ExpressionBase {
  class: 'STAR';
  relation_name: string;
  /** Column names, or qualified names in newer DuckDB versions. */
  exclude_list?: unknown[];
  /** `EXCLUDE (t.col)` in newer DuckDB versions. */
  qualified_exclude_list?: unknown[];
  replace_list?: { key: string; value: ParsedExpression }[];
  rename_list?: unknown[];
  /** True for COLUMNS(...). */
  columns: boolean;
  /** The COLUMNS argument: a regex constant, a lambda filter, or a list. */
  expr?: ParsedExpression | null;
  unpacked?: boolean;
}

export interface CaseExpression extends ExpressionBase {
  class: 'CASE';
  case_checks: { when_expr: ParsedExpression; then_expr: ParsedExpression }[];
  else_expr: ParsedExpression;
}

export interface CastExpression extends ExpressionBase {
  class: 'CAST';
  child: ParsedExpression;
  cast_type: { id: string; type_info?: unknown };
  try_cast: boolean;
}

export interface ComparisonExpression extends ExpressionBase {
  class: 'COMPARISON';
  left: ParsedExpression;
  right: ParsedExpression;
}

export interface ConjunctionExpression extends ExpressionBase {
  class: 'CONJUNCTION';
  children: ParsedExpression[];
}

export interface OperatorExpression extends ExpressionBase {
  class: 'OPERATOR';
  children: ParsedExpression[];
}

export interface BetweenExpression extends ExpressionBase {
  class: 'BETWEEN';
  input: ParsedExpression;
  lower: ParsedExpression;
  upper: ParsedExpression;
}

export interface SubqueryExpression extends ExpressionBase {
  class: 'SUBQUERY';
  /** SCALAR, EXISTS, NOT_EXISTS, ANY, ... */
  subquery_type: string;
  subquery: SelectStatementAst;
  child?: ParsedExpression | null;
}

export interface WindowExpression extends ExpressionBase {
  class: 'WINDOW';
  function_name: string;
  schema?: string;
  children: ParsedExpression[];
  partitions: ParsedExpression[];
  orders: OrderByNode[];
  start_expr?: ParsedExpression | null;
  end_expr?: ParsedExpression | null;
  offset_expr?: ParsedExpression | null;
  default_expr?: ParsedExpression | null;
  filter_expr?: ParsedExpression | null;
  arg_orders?: OrderByNode[];
}

export interface LambdaExpression extends ExpressionBase {
  class: 'LAMBDA';
  lhs: ParsedExpression;
  expr: ParsedExpression;
}

export interface UnknownExpression extends ExpressionBase {
  class: string;
  type: string;
  [key: string]: unknown;
}

export type KnownExpression =
  | ColumnRefExpression
  | FunctionExpression
  | ConstantExpression
  | StarExpression
  | CaseExpression
  | CastExpression
  | ComparisonExpression
  | ConjunctionExpression
  | OperatorExpression
  | BetweenExpression
  | SubqueryExpression
  | WindowExpression
  | LambdaExpression;

/** Every expression carries `class` (the discriminator) and `type` (the finer kind). */
export type ParsedExpression = (KnownExpression & { type: string }) | UnknownExpression;

/** Narrows an expression by its `class`; the fallback union member keeps `class: string`. */
export function isExpressionClass<C extends KnownExpression['class']>(
  expr: ParsedExpression,
  cls: C,
): expr is Extract<KnownExpression, { class: C }> & { type: string } {
  return expr.class === cls;
}

export function isSelectNode(node: QueryNode): node is SelectNode {
  return node.type === 'SELECT_NODE';
}

export function isSetOperationNode(node: QueryNode): node is SetOperationNode {
  return node.type === 'SET_OPERATION_NODE';
}

export function isRecursiveCteNode(node: QueryNode): node is RecursiveCteNode {
  return node.type === 'RECURSIVE_CTE_NODE';
}

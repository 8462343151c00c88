/**
 * Generic traversal of the parse tree: the direct sub-expressions and nested statements of
 * an expression, and the expressions a query node or table ref holds. It is shape-driven
 * (an object with `class` and `type` is an expression, one with a `node` is a statement),
 * so constructs we have not typed are still traversed.
 */
import type { ParsedExpression, QueryNode, SelectStatementAst, TableRef } from './ast';

function isExpression(value: unknown): value is ParsedExpression {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { class?: unknown }).class === 'string' &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

function isStatement(value: unknown): value is SelectStatementAst {
  const node = value !== null && typeof value === 'object' ? (value as { node?: unknown }).node : undefined;
  return node !== null && typeof node === 'object' && typeof (node as { type?: unknown }).type === 'string';
}

export interface ExpressionParts {
  expressions: ParsedExpression[];
  statements: SelectStatementAst[];
}

/** Collects expressions and statements found anywhere inside `value`, without entering them. */
function collect(value: unknown, into: ExpressionParts): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into);
    return;
  }
  if (isExpression(value)) into.expressions.push(value);
  else if (isStatement(value)) into.statements.push(value);
  else for (const key in value) collect((value as Record<string, unknown>)[key], into);
}

/** The direct sub-expressions and subqueries of one expression. */
export function expressionParts(expr: ParsedExpression): ExpressionParts {
  const parts: ExpressionParts = { expressions: [], statements: [] };
  const record = expr as Record<string, unknown>;
  for (const key in record) {
    if (key === 'value' && expr.class === 'CONSTANT') continue;
    collect(record[key], parts);
  }
  return parts;
}

/** Calls `visit` for `expr` and every expression below it, not entering subqueries. */
export function forEachExpression(expr: ParsedExpression, visit: (expr: ParsedExpression) => void): void {
  visit(expr);
  for (const child of expressionParts(expr).expressions) forEachExpression(child, visit);
}

/** Every subquery statement anywhere inside `expr` (outermost ones only). */
export function subqueriesOf(expr: ParsedExpression): SelectStatementAst[] {
  const found: SelectStatementAst[] = [];
  const walk = (e: ParsedExpression): void => {
    const parts = expressionParts(e);
    found.push(...parts.statements);
    for (const child of parts.expressions) walk(child);
  };
  walk(expr);
  return found;
}

/** The expressions and child query nodes held by a query node, except its CTEs and FROM. */
export function queryNodeParts(node: QueryNode): { expressions: ParsedExpression[]; children: QueryNode[] } {
  const parts: ExpressionParts = { expressions: [], statements: [] };
  const children: QueryNode[] = [];
  const record = node as Record<string, unknown>;
  for (const key in record) {
    if (key === 'cte_map' || key === 'from_table') continue;
    const value = record[key];
    if ((key === 'left' || key === 'right') && value !== null && typeof value === 'object') {
      children.push(value as QueryNode);
      continue;
    }
    collect(value, parts);
  }
  return { expressions: parts.expressions, children: [...children, ...parts.statements.map((s) => s.node)] };
}

/** The expressions directly held by a table ref (join conditions, function arguments, VALUES). */
export function tableRefExpressions(ref: TableRef): ExpressionParts {
  const parts: ExpressionParts = { expressions: [], statements: [] };
  const record = ref as Record<string, unknown>;
  for (const key in record) {
    if (key === 'left' || key === 'right' || key === 'subquery') continue;
    collect(record[key], parts);
  }
  return parts;
}

/**
 * Which tables a query reads: every base-table reference, through CTEs (a CTE's own name is
 * not a reference), subqueries anywhere (FROM, WHERE, select list, ...), joins and set
 * operations. Table functions (`read_parquet(...)`) are not tables and are left out.
 */
import type { BaseTableRef, JoinRef, QueryNode, SelectStatementAst, SubqueryRef, TableRef } from './ast';
import { queryNodeParts, subqueriesOf, tableRefExpressions } from './walk';

export interface TableReference {
  catalog?: string;
  schema?: string;
  name: string;
  /** Character offset of the reference in the SQL text (-1 when DuckDB gave none). */
  offset: number;
}

/** CTE names visible at a point, lower-cased (DuckDB identifiers are case-insensitive). */
type CteScope = ReadonlySet<string>;

export function tableReferences(statement: SelectStatementAst): TableReference[] {
  const found: TableReference[] = [];
  visitNode(statement.node, new Set(), found);
  return found.sort((a, b) => a.offset - b.offset);
}

/** Distinct qualified names (`catalog.schema.name`, as written) a query reads. */
export function referencedNames(statement: SelectStatementAst): string[] {
  return [...new Set(tableReferences(statement).map(qualifiedName))];
}

export function qualifiedName(ref: { catalog?: string; schema?: string; name: string }): string {
  return [ref.catalog, ref.schema, ref.name].filter((p): p is string => !!p).join('.');
}

function visitNode(node: QueryNode, outer: CteScope, found: TableReference[]): void {
  const scope = new Set(outer);
  for (const entry of node.cte_map?.map ?? []) {
    const name = entry.key.toLowerCase();
    const body = entry.value.query.node;
    // A recursive CTE sees itself; every CTE sees the ones defined before it.
    const bodyScope = body.type === 'RECURSIVE_CTE_NODE' ? new Set([...scope, name]) : scope;
    visitNode(body, bodyScope, found);
    scope.add(name);
  }
  if (node.type === 'RECURSIVE_CTE_NODE') scope.add(String(node.cte_name ?? '').toLowerCase());
  const from = (node as { from_table?: TableRef }).from_table;
  if (from) visitTableRef(from, scope, found);
  const parts = queryNodeParts(node);
  for (const child of parts.children) visitNode(child, scope, found);
  for (const expr of parts.expressions) {
    for (const sub of subqueriesOf(expr)) visitNode(sub.node, scope, found);
  }
}

function visitTableRef(ref: TableRef, scope: CteScope, found: TableReference[]): void {
  switch (ref.type) {
    case 'BASE_TABLE': {
      const base = ref as BaseTableRef;
      const qualified = base.schema_name !== '' || base.catalog_name !== '';
      if (!qualified && scope.has(base.table_name.toLowerCase())) return;
      found.push({
        ...(base.catalog_name ? { catalog: base.catalog_name } : {}),
        ...(base.schema_name ? { schema: base.schema_name } : {}),
        name: base.table_name,
        offset: base.query_location ?? -1,
      });
      return;
    }
    case 'JOIN': {
      const join = ref as JoinRef;
      visitTableRef(join.left, scope, found);
      visitTableRef(join.right, scope, found);
      break;
    }
    case 'SUBQUERY':
      visitNode((ref as SubqueryRef).subquery.node, scope, found);
      break;
    default:
      break;
  }
  // Join conditions, table-function arguments and VALUES rows may hold subqueries too.
  const parts = tableRefExpressions(ref);
  for (const statement of parts.statements) visitNode(statement.node, scope, found);
  for (const expr of parts.expressions) {
    for (const sub of subqueriesOf(expr)) visitNode(sub.node, scope, found);
  }
}

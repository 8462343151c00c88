/**
 * Column naming rules shared by every reader of the tree: the name DuckDB gives an
 * unaliased select item, identifier comparison (case-insensitive), and which columns a
 * star (`*`, `t.*`, `* EXCLUDE`, `* REPLACE`, `COLUMNS('regex')`) selects from a list.
 */
import type { ParsedExpression } from './ast';

/** DuckDB identifiers compare case-insensitively. */
export function sameName(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

export function nameKey(name: string): string {
  return name.toLowerCase();
}

const BINARY_OPERATORS = new Set(['+', '-', '*', '/', '//', '%', '**', '^', '||', '&', '|', '<<', '>>', '~~', '!~~', '~~*', '!~~*', '->>', '->', '@>', '<@', '&&']);
const COMPARISONS: Record<string, string> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '!=',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
  COMPARE_DISTINCT_FROM: 'IS DISTINCT FROM',
  COMPARE_NOT_DISTINCT_FROM: 'IS NOT DISTINCT FROM',
};

/**
 * The output name of a select item: its alias, else the last part of a column reference,
 * else DuckDB's rendering of the expression (reproduced for the common forms: operators,
 * functions, casts, comparisons, constants).
 */
export function expressionName(expr: ParsedExpression): string {
  if (expr.alias) return expr.alias;
  if (expr.class === 'COLUMN_REF') {
    const parts = (expr as { column_names: string[] }).column_names;
    return parts[parts.length - 1] ?? '';
  }
  return render(expr);
}

function render(expr: ParsedExpression): string {
  const e = expr as Record<string, unknown> & ParsedExpression;
  switch (expr.class) {
    case 'COLUMN_REF':
      return (e.column_names as string[]).join('.');
    case 'CONSTANT': {
      const value = e.value as { is_null: boolean; value?: unknown; type: { id: string } };
      if (value.is_null) return 'NULL';
      if (value.type.id === 'VARCHAR') return `'${String(value.value).replaceAll("'", "''")}'`;
      return String(value.value);
    }
    case 'FUNCTION': {
      const children = (e.children as ParsedExpression[]).map(render);
      const name = String(e.function_name);
      if (e.is_operator && children.length === 2 && BINARY_OPERATORS.has(name)) return `(${children[0]} ${name} ${children[1]})`;
      if (e.is_operator && children.length === 1) return `${name}(${children[0]})`;
      const schema = typeof e.schema === 'string' && e.schema ? `${e.schema}.` : '';
      if (name === 'count_star') return 'count_star()';
      return `${schema}${name}(${e.distinct ? 'DISTINCT ' : ''}${children.join(', ')})`;
    }
    case 'CAST': {
      const type = (e.cast_type as { id: string }).id;
      return `${e.try_cast ? 'TRY_CAST' : 'CAST'}(${render(e.child as ParsedExpression)} AS ${type})`;
    }
    case 'COMPARISON':
      return `(${render(e.left as ParsedExpression)} ${COMPARISONS[expr.type] ?? expr.type} ${render(e.right as ParsedExpression)})`;
    case 'CONJUNCTION':
      return `(${(e.children as ParsedExpression[]).map(render).join(expr.type === 'CONJUNCTION_OR' ? ' OR ' : ' AND ')})`;
    case 'STAR':
      return '*';
    default:
      return expr.type.toLowerCase();
  }
}

/**
 * The names a relation built from a query gets (a CTE, a derived table, a created table or
 * view): later duplicates, compared case-insensitively, get `_1`, `_2`, ... as DuckDB does.
 */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let k = 1; taken.has(nameKey(candidate)); k++) candidate = `${name}_${k}`;
    taken.add(nameKey(candidate));
    return candidate;
  });
}

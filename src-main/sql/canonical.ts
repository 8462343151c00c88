/**
 * A stable text of a parse tree, independent of formatting and comments (locations are
 * dropped), used as fingerprint input; and the way back from a tree to SQL text.
 */
import type { SelectStatementAst } from './ast';
import type { SqlParser } from './parse';

/** JSON of the tree without `query_location`; equal for texts that differ only in layout. */
export function canonicalText(statement: SelectStatementAst): string {
  return JSON.stringify(statement, (key, value: unknown) => (key === 'query_location' ? undefined : value));
}

/** SQL text for a tree, rendered by DuckDB's `json_deserialize_sql`. */
export async function toSql(parser: SqlParser, statement: SelectStatementAst): Promise<string> {
  return parser.deserialize([statement]);
}

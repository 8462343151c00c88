/**
 * Formats a model file: the `MODEL (...)` header (and comments before it) is kept exactly as
 * written; each statement after it is formatted by sql-formatter's DuckDB dialect, with `@macro`
 * calls and variables kept intact (`@IF(` stays glued to its parenthesis).
 */
import { format } from 'sql-formatter';
import { codeOnly, headerEnd } from './sql-context';

/** Splits SQL at top-level semicolons (outside strings, comments and parentheses). */
function splitStatements(text: string): string[] {
  const code = codeOnly(text);
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === ';' && depth === 0) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out;
}

function formatStatement(sql: string): string {
  const formatted = format(sql, {
    language: 'duckdb',
    keywordCase: 'upper',
    tabWidth: 2,
    paramTypes: { custom: [{ regex: String.raw`@[A-Za-z_][A-Za-z0-9_]*` }] },
  });
  return formatted.replace(/(@[A-Za-z_]\w*) \(/g, '$1(');
}

/** The formatted file text; throws when sql-formatter cannot read the SQL. */
export function formatModelText(text: string): string {
  const end = headerEnd(text);
  const header = text.slice(0, end);
  const statements = splitStatements(text.slice(end))
    .map((s) => s.trim())
    // The header's own `;` leaves an empty first statement.
    .filter((s, i) => s !== '' || i > 0);
  const hadHeaderSemicolon = end > 0 && /^\s*;/.test(text.slice(end));
  const body = statements.filter((s) => s !== '').map(formatStatement);
  const trailingSemicolon = /;\s*$/.test(text.slice(end)) && body.length > 0;
  const joined = body.join(';\n\n') + (trailingSemicolon ? ';' : '');
  if (end === 0) return `${joined}\n`;
  return `${header}${hadHeaderSemicolon ? ';' : ''}\n\n${joined}\n`;
}

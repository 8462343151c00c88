/**
 * Rewrites the table references of a rendered query so that each model reads its parents'
 * physical tables (the versions the environment points at), not the environment views: this is
 * what lets a dev environment compute against its own changed parents. Only the reference
 * text is replaced; the rest of the user's SQL stays exactly as rendered.
 */
import type { SqlParser } from '../sql/parse';
import { tableReferences } from '../sql/references';

/** Length of the identifier chain (`a.b."c d"`) starting at `offset`. */
export function identifierChainLength(sql: string, offset: number): number {
  let i = offset;
  for (;;) {
    if (sql[i] === '"') {
      i++;
      while (i < sql.length) {
        if (sql[i] === '"' && sql[i + 1] === '"') i += 2;
        else if (sql[i] === '"') break;
        else i++;
      }
      i++;
    } else {
      const match = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(sql.slice(i));
      if (!match) break;
      i += match[0].length;
    }
    let j = i;
    while (sql[j] === ' ' || sql[j] === '\t' || sql[j] === '\n' || sql[j] === '\r') j++;
    if (sql[j] !== '.') break;
    j++;
    while (sql[j] === ' ' || sql[j] === '\t' || sql[j] === '\n' || sql[j] === '\r') j++;
    i = j;
  }
  return i - offset;
}

/**
 * Replaces references to the names in `targets` (lower-case `schema.table`, optionally after a
 * catalog in `catalogs`) with the mapped SQL text. Returns the query unchanged when it does not parse.
 */
export async function rewriteReferences(
  parser: SqlParser,
  sql: string,
  targets: ReadonlyMap<string, string>,
  catalogs: ReadonlySet<string> = new Set(),
  /** SQL for any other table reference without a catalog (e.g. sources qualified with the warehouse catalog). */
  others?: (schema: string, table: string) => string,
): Promise<string> {
  const parsed = await parser.parse(sql);
  if (!parsed.ok) return sql;
  const edits: { start: number; end: number; text: string }[] = [];
  for (const statement of parsed.statements) {
    for (const ref of tableReferences(statement)) {
      if (ref.offset < 0) continue;
      const parts = [ref.catalog, ref.schema, ref.name].filter((p): p is string => !!p).map((p) => p.toLowerCase());
      if (parts.length === 3 && catalogs.has(parts[0] ?? '')) parts.shift();
      const written = [ref.catalog, ref.schema, ref.name].filter((p): p is string => !!p);
      const replacement = targets.get(parts.join('.')) ?? (others && written.length <= 2 && !ref.catalog ? others(ref.schema ?? 'main', ref.name) : undefined);
      if (replacement === undefined) continue;
      edits.push({ start: ref.offset, end: ref.offset + identifierChainLength(sql, ref.offset), text: replacement });
    }
  }
  let out = sql;
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

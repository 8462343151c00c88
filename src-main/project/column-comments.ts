/**
 * Inline comments on the projections of a model query become column comments (SQLMesh keeps
 * the last comment attached to each projection). This only scans tokens of the outermost
 * SELECT list; it does not parse SQL.
 */
import { isKeyword, isOp, type Token } from './lexer';
import { commentText } from './statements';

const CLAUSE_END = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'UNION', 'EXCEPT', 'INTERSECT', 'INTO']);

/** Column name → comment for projections of the query's main SELECT that carry a comment. */
export function projectionComments(tokens: readonly Token[]): Record<string, string> {
  const selectIndex = mainSelect(tokens);
  if (selectIndex < 0) return {};
  const projections: Token[][] = [[]];
  let depth = 0;
  let i = selectIndex + 1;
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) break;
    if (isOp(t, '(') || isOp(t, '[')) depth++;
    if (isOp(t, ')') || isOp(t, ']')) depth--;
    if (depth < 0) break;
    if (depth === 0 && t.type === 'ident' && CLAUSE_END.has(t.text.toUpperCase())) break;
    if (depth === 0 && isOp(t, ',')) {
      // A comment right after the comma on the same line still belongs to this projection.
      const current = projections[projections.length - 1] ?? [];
      let j = i + 1;
      while (j < tokens.length) {
        const n = tokens[j];
        if (n?.type === 'comment') current.push(n);
        else if (!(n?.type === 'ws' && !n.text.includes('\n'))) break;
        j++;
      }
      i = j - 1;
      projections.push([]);
      continue;
    }
    projections[projections.length - 1]?.push(t);
  }
  const out: Record<string, string> = {};
  projections.forEach((projection, index) => {
    // Comments on their own line before a projection belong to it; a comment on the SELECT line
    // belongs to SELECT (as in SQLGlot, which attaches same-line comments to the previous token).
    let comments = projection.filter((t) => t.type === 'comment');
    if (index === 0) {
      const firstBreak = projection.findIndex((t) => t.type === 'ws' && t.text.includes('\n'));
      const firstSigIndex = projection.findIndex((t) => t.type !== 'ws' && t.type !== 'comment');
      if (firstBreak < 0 || firstBreak > firstSigIndex) {
        comments = comments.filter((c) => c.start > (projection[firstSigIndex]?.start ?? 0));
      } else {
        const breakAt = projection[firstBreak]?.start ?? 0;
        comments = comments.filter((c) => c.start > breakAt);
      }
    }
    const sig = projection.filter((t) => t.type !== 'ws' && t.type !== 'comment');
    const lastComment = comments[comments.length - 1];
    if (!lastComment || sig.length === 0) return;
    const name = outputName(sig);
    const text = commentText(lastComment.text);
    if (name && text) out[name] = text;
  });
  return out;
}

/** Index of the first SELECT at bracket depth 0 (after any WITH clause's CTE bodies). */
function mainSelect(tokens: readonly Token[]): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) depth--;
    else if (depth === 0 && isKeyword(t, 'SELECT')) {
      let j = i + 1;
      while (tokens[j] && (tokens[j]?.type === 'ws' || tokens[j]?.type === 'comment')) j++;
      if (isKeyword(tokens[j], 'DISTINCT') || isKeyword(tokens[j], 'ALL')) return j;
      return i;
    }
  }
  return -1;
}

/** The name a projection produces: its alias, or the column name of a plain (cast) column. */
export function outputName(sig: readonly Token[]): string | undefined {
  const last = sig[sig.length - 1];
  const before = sig[sig.length - 2];
  const name = (t: Token): string => t.value ?? t.text;
  if (!last) return undefined;
  if ((last.type === 'ident' || last.type === 'quoted') && isKeyword(before, 'AS')) return name(last);
  // a, t.a, t.a::TYPE
  let end = sig.length;
  const cast = sig.findIndex((t) => isOp(t, '::'));
  if (cast > 0) end = cast;
  const head = sig.slice(0, end);
  if (head.length % 2 === 1 && head.every((t, i) => (i % 2 === 0 ? t.type === 'ident' || t.type === 'quoted' : isOp(t, '.')))) {
    const col = head[head.length - 1];
    return col ? name(col) : undefined;
  }
  // Implicit alias: `expr name`.
  if ((last.type === 'ident' || last.type === 'quoted') && before && !isOp(before, '.') && before.type !== 'op') {
    return name(last);
  }
  if ((last.type === 'ident' || last.type === 'quoted') && before && (isOp(before, ')') || before.type === 'string' || before.type === 'number')) {
    return name(last);
  }
  return undefined;
}

/**
 * Splits a tokenized SQL file into `;`-terminated statements and locates the `MODEL (...)` /
 * `AUDIT (...)` headers. This is header parsing, not SQL parsing: statement bodies stay text
 * for the DuckDB parser bridge (`src-main/sql/`).
 */
import { isKeyword, isOp, matchingClose, type Token } from './lexer';

export interface Statement {
  /** All tokens of the statement (comments included), without the terminating `;`. */
  tokens: Token[];
  /** Tokens that carry meaning. */
  sig: Token[];
  /** Offset of the first significant token (or of the statement when there is none). */
  start: number;
  /** Offset just after the last significant token. */
  end: number;
}

/** Splits at every `;` outside strings, comments and brackets. Empty statements are dropped. */
export function splitStatements(tokens: readonly Token[]): Statement[] {
  const out: Statement[] = [];
  let current: Token[] = [];
  let depth = 0;
  const flush = (): void => {
    const sig = current.filter((t) => t.type !== 'ws' && t.type !== 'comment');
    const first = sig[0];
    const last = sig[sig.length - 1];
    if (first && last) out.push({ tokens: current, sig, start: first.start, end: last.end });
    current = [];
  };
  for (const t of tokens) {
    if (t.type === 'op' && (t.text === '(' || t.text === '[')) depth++;
    if (t.type === 'op' && (t.text === ')' || t.text === ']')) depth = Math.max(0, depth - 1);
    if (depth === 0 && isOp(t, ';')) flush();
    else current.push(t);
  }
  flush();
  return out;
}

export interface Header {
  /** `MODEL` or `AUDIT`. */
  keyword: string;
  keywordToken: Token;
  /** Significant tokens between the header's parentheses. */
  body: Token[];
  open: Token;
  close: Token;
}

/** Recognises `KEYWORD ( ... )` as the whole statement; undefined when it is not a header. */
export function readHeader(statement: Statement, keyword: 'MODEL' | 'AUDIT' | 'METRIC'): Header | { error: string; at: Token } | undefined {
  const [kw, open] = statement.sig;
  if (!kw || !open || !isKeyword(kw, keyword) || !isOp(open, '(')) return undefined;
  const close = matchingClose(statement.sig, 1);
  if (close < 0) return { error: `${keyword} header is missing its closing parenthesis`, at: open };
  const closeToken = statement.sig[close];
  const extra = statement.sig[close + 1];
  if (extra || !closeToken) {
    return { error: `Unexpected '${extra?.text ?? ''}' after the ${keyword} (...) header; end the header with ';'`, at: extra ?? open };
  }
  return { keyword, keywordToken: kw, body: statement.sig.slice(2, close), open, close: closeToken };
}

/** Leading comment texts (before the first significant token) of a statement, markers removed. */
export function leadingComments(statement: Statement): string[] {
  const out: string[] = [];
  for (const t of statement.tokens) {
    if (t.type === 'comment') out.push(commentText(t.text));
    else if (t.type !== 'ws') break;
  }
  return out;
}

/** Comment text without `--` or the block markers, trimmed. */
export function commentText(raw: string): string {
  if (raw.startsWith('--')) return raw.slice(2).trim();
  return raw.replace(/^\/\*+/, '').replace(/\*+\/$/, '').trim();
}

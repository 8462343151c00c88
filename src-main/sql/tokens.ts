/**
 * A small SQL tokenizer for finding text ranges (DuckDB's tree gives a start location per
 * node, never an end): identifiers, quoted identifiers, strings (incl. E'..' and $$..$$),
 * numbers, operators and brackets, with comments and whitespace skipped.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'open' | 'close' | 'comma' | 'semi' | 'op';

export interface Token {
  kind: TokenKind;
  start: number;
  /** Exclusive. */
  end: number;
  /** Upper-cased text for words (keyword tests); the unquoted name for quoted identifiers. */
  text: string;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const OPERATOR_CHARS = '+-*/<>=~!@#%^&|`?:.';

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r' || ch === '\f') {
      i++;
    } else if (ch === '-' && next === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (ch === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (ch === "'" || ((ch === 'E' || ch === 'e') && next === "'")) {
      const start = i;
      if (ch !== "'") i++;
      i = endOfQuoted(sql, i, "'", ch !== "'");
      tokens.push({ kind: 'string', start, end: i, text: '' });
    } else if (ch === '"') {
      const start = i;
      i = endOfQuoted(sql, i, '"', false);
      tokens.push({ kind: 'quoted', start, end: i, text: sql.slice(start + 1, i - 1).replaceAll('""', '"') });
    } else if (ch === '$' && /[A-Za-z_$]/.test(next ?? '') && dollarTag(sql, i)) {
      const start = i;
      const tag = dollarTag(sql, i) as string;
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
      tokens.push({ kind: 'string', start, end: i, text: '' });
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(next ?? ''))) {
      const start = i;
      i++;
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i] as string)) {
        if ((sql[i] === 'e' || sql[i] === 'E') && (sql[i + 1] === '+' || sql[i + 1] === '-')) i++;
        i++;
      }
      tokens.push({ kind: 'number', start, end: i, text: sql.slice(start, i) });
    } else if (WORD_START.test(ch)) {
      const start = i;
      i++;
      while (i < n && WORD_PART.test(sql[i] as string)) i++;
      tokens.push({ kind: 'word', start, end: i, text: sql.slice(start, i).toUpperCase() });
    } else if (ch === '(' || ch === '[' || ch === '{') {
      tokens.push({ kind: 'open', start: i, end: i + 1, text: ch });
      i++;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      tokens.push({ kind: 'close', start: i, end: i + 1, text: ch });
      i++;
    } else if (ch === ',') {
      tokens.push({ kind: 'comma', start: i, end: i + 1, text: ',' });
      i++;
    } else if (ch === ';') {
      tokens.push({ kind: 'semi', start: i, end: i + 1, text: ';' });
      i++;
    } else if (ch === '$' && /[0-9]/.test(next ?? '')) {
      const start = i;
      i++;
      while (i < n && /[0-9]/.test(sql[i] as string)) i++;
      tokens.push({ kind: 'word', start, end: i, text: sql.slice(start, i) });
    } else if (OPERATOR_CHARS.includes(ch)) {
      const start = i;
      // `::` and `:=` are single tokens; other runs of operator characters are split at `:`
      // so a prefix alias `name: expr` still shows its colon.
      if (ch === ':' && (next === ':' || next === '=')) i += 2;
      else if (ch === ':' || ch === '.') i++;
      else while (i < n && OPERATOR_CHARS.includes(sql[i] as string) && sql[i] !== ':' && sql[i] !== '.') i++;
      tokens.push({ kind: 'op', start, end: i, text: sql.slice(start, i) });
    } else {
      tokens.push({ kind: 'op', start: i, end: i + 1, text: ch });
      i++;
    }
  }
  return tokens;
}

function endOfQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  i++;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

function dollarTag(sql: string, i: number): string | undefined {
  const match = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64));
  return match?.[0];
}

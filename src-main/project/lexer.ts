/**
 * A lossless tokenizer for SQL files with SQLMesh macro syntax. It does not understand SQL;
 * it only finds strings, quoted identifiers, comments, brackets, `;` and `@macro` tokens so that
 * headers can be split off, statements separated and macros evaluated. Concatenating every
 * token's text gives back the input exactly.
 */

export type TokenType =
  | 'ws'
  | 'comment'
  | 'ident'
  | 'quoted'
  | 'string'
  | 'number'
  | 'macro'
  | 'op'
  | 'jinja';

export interface Token {
  type: TokenType;
  text: string;
  /** Offset of the first character in the file text. */
  start: number;
  end: number;
  /** For `macro`: the name after `@` (without braces); for `string`: the unescaped value. */
  value?: string;
  /** For `macro`: written as `@{name}`. */
  braced?: boolean;
}

const MULTI_OPS = ['->>', ':=', '->', '::', '<=', '>=', '<>', '!=', '==', '||', '=>', '**', '//'];

// Character codes, not a regular expression per character: every model file goes through here
// on each load (a regex test per character was ~20 ms of a 1,000-model project's load).
/** [A-Za-z_\u00C0-\uFFFF]; false for '' (the end of the text). */
function isIdentStart(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0xc0;
}

/** /\s/ for one character; false for ''. */
function isSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 11 || c === 12 || (c > 127 && /\s/.test(ch));
}

/** [A-Za-z0-9_$\u00C0-\uFFFF]; false for ''. */
function isIdentPart(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c >= 0xc0;
}

/**
 * Tokenizes `text`, with offsets shifted by `base` (for text that is a slice of a file).
 * Unterminated strings and comments run to the end of the text; `unterminated` reports them.
 */
export function tokenize(text: string, base = 0): { tokens: Token[]; unterminated?: Token } {
  const tokens: Token[] = [];
  let unterminated: Token | undefined;
  let i = 0;
  const push = (type: TokenType, start: number, end: number, extra: Partial<Token> = {}): Token => {
    const token: Token = { type, text: text.slice(start, end), start: start + base, end: end + base, ...extra };
    tokens.push(token);
    return token;
  };
  while (i < text.length) {
    const ch = text[i] ?? '';
    const next = text[i + 1] ?? '';
    const start = i;
    if (isSpace(ch)) {
      while (i < text.length && isSpace(text[i] ?? '')) i++;
      push('ws', start, i);
    } else if (ch === '-' && next === '-') {
      while (i < text.length && text[i] !== '\n') i++;
      push('comment', start, i);
    } else if (ch === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      const t = push('comment', start, i);
      if (close < 0) unterminated ??= t;
    } else if (ch === "'" || ((ch === 'E' || ch === 'e') && next === "'")) {
      i += ch === "'" ? 1 : 2;
      let value = '';
      let closed = false;
      while (i < text.length) {
        const c = text[i] ?? '';
        if (c === "'" && text[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (c === "'") {
          i++;
          closed = true;
          break;
        } else if (c === '\\' && ch !== "'") {
          value += text[i + 1] ?? '';
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      const t = push('string', start, i, { value });
      if (!closed) unterminated ??= t;
    } else if (ch === '$' && /[$A-Za-z_]/.test(next)) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (m) {
        const close = text.indexOf(m[0], i + m[0].length);
        const end = close < 0 ? text.length : close + m[0].length;
        const t = push('string', start, end, { value: text.slice(i + m[0].length, close < 0 ? end : close) });
        if (close < 0) unterminated ??= t;
        i = end;
      } else {
        i++;
        push('op', start, i);
      }
    } else if (ch === '"' || ch === '`') {
      i++;
      let value = '';
      let closed = false;
      while (i < text.length) {
        const c = text[i] ?? '';
        if (c === ch && text[i + 1] === ch) {
          value += ch;
          i += 2;
        } else if (c === ch) {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      const t = push('quoted', start, i, { value });
      if (!closed) unterminated ??= t;
    } else if (ch === '{' && next === '{') {
      const close = text.indexOf('}}', i + 2);
      i = close < 0 ? text.length : close + 2;
      push('jinja', start, i);
    } else if (ch === '{' && next === '%') {
      const close = text.indexOf('%}', i + 2);
      i = close < 0 ? text.length : close + 2;
      push('jinja', start, i);
    } else if (ch === '@' && next === '{') {
      const close = text.indexOf('}', i + 2);
      i = close < 0 ? text.length : close + 1;
      push('macro', start, i, { value: text.slice(start + 2, close < 0 ? i : close).trim(), braced: true });
    } else if (ch === '@' && isIdentStart(next)) {
      i++;
      while (i < text.length && isIdentPart(text[i] ?? '')) i++;
      push('macro', start, i, { value: text.slice(start + 1, i) });
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(next))) {
      while (i < text.length && /[0-9_]/.test(text[i] ?? '')) i++;
      if (text[i] === '.' && /[0-9]/.test(text[i + 1] ?? '')) {
        i++;
        while (i < text.length && /[0-9_]/.test(text[i] ?? '')) i++;
      } else if (text[i] === '.' && !isIdentStart(text[i + 1] ?? '')) {
        i++;
      }
      if (/[eE]/.test(text[i] ?? '') && /[0-9+-]/.test(text[i + 1] ?? '')) {
        i += 2;
        while (i < text.length && /[0-9]/.test(text[i] ?? '')) i++;
      }
      if (isIdentStart(text[i] ?? '')) {
        // `1st_col`-style identifiers start with digits in some dialects.
        while (i < text.length && isIdentPart(text[i] ?? '')) i++;
        push('ident', start, i);
      } else {
        push('number', start, i);
      }
    } else if (isIdentStart(ch)) {
      while (i < text.length && isIdentPart(text[i] ?? '')) i++;
      push('ident', start, i);
    } else {
      const op = MULTI_OPS.find((o) => text.startsWith(o, i));
      i += op ? op.length : 1;
      push('op', start, i);
    }
  }
  return unterminated ? { tokens, unterminated } : { tokens };
}

/** Tokens that carry meaning (not whitespace or comments). */
export function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.type !== 'ws' && t.type !== 'comment');
}

export function isKeyword(token: Token | undefined, word: string): boolean {
  return token?.type === 'ident' && token.text.toUpperCase() === word;
}

export function isOp(token: Token | undefined, op: string): boolean {
  return token?.type === 'op' && token.text === op;
}

/** Index of the bracket closing the one at `open` in `tokens` (significant or not), or -1. */
export function matchingClose(tokens: readonly Token[], open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t?.type !== 'op') continue;
    const close = pairs[t.text];
    if (close) stack.push(close);
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      if (stack.pop() !== t.text) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** Splits `tokens` at depth-0 occurrences of `sep` (an op text). */
export function splitTopLevel(tokens: readonly Token[], sep: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.type === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
    else if (t.type === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) depth--;
    if (depth === 0 && t.type === 'op' && t.text === sep) parts.push([]);
    else parts[parts.length - 1]?.push(t);
  }
  return parts;
}

export function textOf(tokens: readonly Token[]): string {
  return tokens.map((t) => t.text).join('');
}

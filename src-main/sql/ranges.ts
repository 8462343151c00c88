/**
 * Where expressions are in the SQL text. DuckDB's tree gives a start location for most
 * nodes but no end; ranges are found from the tokens instead: a select list is split at its
 * top-level commas (each item minus its alias), a clause (WHERE, HAVING, QUALIFY, ON,
 * GROUP BY, ORDER BY) runs from its keyword to the next clause.
 */
import type { ParsedExpression, SelectNode, StarExpression } from './ast';
import { tokenize, type Token } from './tokens';

export interface TextRange {
  /** 0-based character offset of the first character. */
  start: number;
  /** Exclusive end offset. */
  end: number;
}

/** Words that end a select list or a clause when met outside brackets. */
const CLAUSE_WORDS = new Set([
  'FROM', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'OFFSET',
  'UNION', 'EXCEPT', 'INTERSECT', 'INTO', 'USING', 'SELECT', 'RETURNING',
]);
const JOIN_WORDS = new Set(['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'POSITIONAL', 'ASOF', 'SEMI', 'ANTI', 'OUTER', 'LATERAL', 'ON']);

/** The smallest location anywhere inside a subtree, or undefined. */
export function minLocation(node: unknown): number | undefined {
  let min = Number.POSITIVE_INFINITY;
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const v = record[key];
      if (key === 'query_location') {
        if (typeof v === 'number' && v < min) min = v;
      } else if (v !== null && typeof v === 'object') walk(v);
    }
  };
  walk(node);
  return Number.isFinite(min) ? min : undefined;
}

export class SourceText {
  readonly tokens: Token[];
  private readonly selectRanges = new WeakMap<SelectNode, (TextRange | undefined)[]>();

  constructor(readonly sql: string) {
    this.tokens = tokenize(sql);
  }

  slice(range: TextRange): string {
    return this.sql.slice(range.start, range.end);
  }

  /** Index of the first token starting at or after `offset`. */
  private tokenAt(offset: number): number {
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.tokens[mid] as Token).start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Walks back from token `from` to the nearest `word` (outside brackets opened after it). */
  private keywordBefore(from: number, words: ReadonlySet<string>, stopAt?: ReadonlySet<string>): number {
    let depth = 0;
    for (let i = from - 1; i >= 0; i--) {
      const t = this.tokens[i] as Token;
      if (t.kind === 'close') depth++;
      else if (t.kind === 'open') depth--;
      else if (t.kind === 'word' && depth <= 0) {
        if (words.has(t.text)) return i;
        if (stopAt?.has(t.text)) return -1;
      }
    }
    return -1;
  }

  /** Splits tokens from `from` at top-level commas until a clause word or an unmatched bracket. */
  private segments(from: number, terminators: ReadonlySet<string>, splitAtCommas: boolean): [number, number][] {
    const found: [number, number][] = [];
    let depth = 0;
    let segmentStart = from;
    let i = from;
    for (; i < this.tokens.length; i++) {
      const t = this.tokens[i] as Token;
      if (t.kind === 'open') depth++;
      else if (t.kind === 'close') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0) {
        if (t.kind === 'semi') break;
        if (t.kind === 'comma' && splitAtCommas) {
          found.push([segmentStart, i]);
          segmentStart = i + 1;
        } else if (t.kind === 'word' && terminators.has(t.text)) {
          const next = this.tokens[i + 1];
          const isFunctionCall = (t.text === 'LEFT' || t.text === 'RIGHT') && next?.kind === 'open';
          // `a IS [NOT] DISTINCT FROM b` is an operator, not the FROM clause.
          const isDistinctFrom = t.text === 'FROM' && this.tokens[i - 1]?.text === 'DISTINCT';
          if (!isFunctionCall && !isDistinctFrom) break;
        }
      }
    }
    found.push([segmentStart, i]);
    return found.filter(([a, b]) => b > a);
  }

  private range(fromToken: number, toToken: number): TextRange | undefined {
    const first = this.tokens[fromToken];
    const last = this.tokens[toToken - 1];
    return first && last && toToken > fromToken ? { start: first.start, end: last.end } : undefined;
  }

  /** The text range of every select item (its expression, without the alias). */
  selectItemRanges(node: SelectNode): (TextRange | undefined)[] {
    const cached = this.selectRanges.get(node);
    if (cached) return cached;
    const ranges = this.computeSelectItemRanges(node);
    this.selectRanges.set(node, ranges);
    return ranges;
  }

  private computeSelectItemRanges(node: SelectNode): (TextRange | undefined)[] {
    const none = node.select_list.map(() => undefined);
    const first = node.select_list[0];
    const location = first ? minLocation(first) : undefined;
    if (location === undefined) return none;
    const select = this.keywordBefore(this.tokenAt(location), new Set(['SELECT']));
    if (select < 0) return none;
    let i = select + 1;
    if (this.tokens[i]?.text === 'ALL') i++;
    else if (this.tokens[i]?.text === 'DISTINCT') {
      i++;
      if (this.tokens[i]?.text === 'ON') i = this.afterBrackets(i + 1);
    }
    const segments = this.segments(i, CLAUSE_WORDS, true);
    if (segments.length !== node.select_list.length) return none;
    return segments.map(([a, b], k) => this.range(...withoutAlias(this.tokens, a, b, (node.select_list[k] as ParsedExpression).alias)));
  }

  /** Index after the bracket group starting at `open` (or `open` itself if no bracket). */
  private afterBrackets(open: number): number {
    if (this.tokens[open]?.kind !== 'open') return open;
    let depth = 0;
    for (let i = open; i < this.tokens.length; i++) {
      const t = this.tokens[i] as Token;
      if (t.kind === 'open') depth++;
      else if (t.kind === 'close' && --depth === 0) return i + 1;
    }
    return this.tokens.length;
  }

  /**
   * The range of a clause's expression, e.g. keyword `WHERE`: from after the keyword to the
   * next clause. For `GROUP BY` / `ORDER BY` / `PARTITION BY` pass `BY`: the whole list.
   */
  clauseRange(expr: ParsedExpression, keyword: 'WHERE' | 'HAVING' | 'QUALIFY' | 'ON' | 'BY'): TextRange | undefined {
    const location = minLocation(expr);
    if (location === undefined) return undefined;
    const at = this.keywordBefore(this.tokenAt(location + 1), new Set([keyword]));
    if (at < 0) return undefined;
    const terminators = keyword === 'ON' ? new Set([...CLAUSE_WORDS, ...JOIN_WORDS]) : CLAUSE_WORDS;
    const segments = this.segments(at + 1, terminators, false);
    const [a, b] = segments[0] ?? [at + 1, at + 1];
    return this.range(a, b);
  }

  /** The `USING (a, b)` clause of a join whose right side starts at `rightStart`. */
  usingRange(rightStart: number): TextRange | undefined {
    let depth = 0;
    for (let i = this.tokenAt(rightStart); i < this.tokens.length; i++) {
      const t = this.tokens[i] as Token;
      if (t.kind === 'open') depth++;
      else if (t.kind === 'close' && --depth < 0) return undefined;
      else if (depth === 0 && t.kind === 'word' && t.text === 'USING' && this.tokens[i + 1]?.kind === 'open') {
        return this.range(i, this.afterBrackets(i + 1));
      }
    }
    return undefined;
  }

  /** Ranges of the `REPLACE (expr AS name, ...)` expressions of a star item. */
  replaceRanges(star: StarExpression, item: TextRange | undefined): (TextRange | undefined)[] {
    const replacements = star.replace_list ?? [];
    const none = replacements.map(() => undefined);
    if (!item || replacements.length === 0) return none;
    let i = this.tokenAt(item.start);
    while (i < this.tokens.length && (this.tokens[i] as Token).start < item.end && this.tokens[i]?.text !== 'REPLACE') i++;
    if (this.tokens[i]?.text !== 'REPLACE' || this.tokens[i + 1]?.kind !== 'open') return none;
    const segments = this.segments(i + 2, new Set(), true);
    if (segments.length !== replacements.length) return none;
    return segments.map(([a, b]) => this.range(...withoutAlias(this.tokens, a, b, 'x', true)));
  }
}

function sameIdentifier(token: Token | undefined, alias: string): boolean {
  if (!token) return false;
  if (token.kind === 'quoted') return token.text === alias;
  return token.kind === 'word' && token.text === alias.toUpperCase();
}

/** Drops `AS alias`, a trailing bare alias, or a DuckDB prefix alias `alias: expr`. */
function withoutAlias(tokens: Token[], a: number, b: number, alias: string, forceAs = false): [number, number] {
  if (!alias) return [a, b];
  if (b - a >= 2 && tokens[b - 2]?.text === 'AS' && (forceAs || sameIdentifier(tokens[b - 1], alias))) return [a, b - 2];
  if (forceAs) return [a, b];
  if (b - a >= 3 && tokens[a + 1]?.text === ':' && sameIdentifier(tokens[a], alias)) return [a + 2, b];
  if (b - a >= 2 && sameIdentifier(tokens[b - 1], alias)) return [a, b - 1];
  return [a, b];
}

/**
 * The macro evaluator: walks the tokens of a SQL text, copies plain SQL through unchanged and
 * replaces `@variable`, `@{variable}`, `@FUNCTION(args)` and lambda parameters with their
 * rendered values. Errors are reported at the macro's position and the macro text is kept,
 * so one bad macro does not hide the others.
 */
import type { ColumnDef } from '../model';
import { isKeyword, isOp, matchingClose, significant, splitTopLevel, tokenize, type Token } from '../lexer';
import { EvalError, evaluateExpression } from './condition';
import { type MacroValue, list, NULL, num, sql, str, toIdentifierText, toSql, bool, truthy } from './values';

export class MacroError extends Error {
  constructor(
    message: string,
    readonly token: { start: number; end: number },
    readonly code = 'render.macro',
  ) {
    super(message);
  }
}

/** Lambda parameters visible while expanding a lambda body. */
export type Scope = ReadonlyMap<string, MacroValue>;
const EMPTY_SCOPE: Scope = new Map();

export interface MacroCall {
  name: string;
  token: Token;
  /** Argument token groups (with whitespace), split at depth-0 commas. */
  args: Token[][];
  scope: Scope;
}

export type MacroFunction = (ev: MacroEvaluator, call: MacroCall) => MacroValue | undefined;

export interface MacroEnvironment {
  /** Variables by lower-case name (built-ins and user variables). */
  variables: Record<string, MacroValue>;
  /** User variables only (`variables:` of config and gateway), for `@VAR`. */
  userVariables: Record<string, MacroValue>;
  /** The model's blueprint variables, for `@BLUEPRINT_VAR`. */
  blueprintVariables: Record<string, MacroValue>;
  functions: Record<string, MacroFunction>;
  /** Columns of a relation, for `@STAR` and `@UNION`; undefined when unknown. */
  columns?: (relation: string) => readonly ColumnDef[] | undefined;
  report(at: { start: number; end: number }, code: string, message: string): void;
}

const CLAUSES: Record<string, string> = {
  with: 'WITH',
  join: 'JOIN',
  where: 'WHERE',
  group_by: 'GROUP BY',
  having: 'HAVING',
  order_by: 'ORDER BY',
  limit: 'LIMIT',
};
const CLAUSE_STOP = new Set([
  'SELECT', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'EXCEPT',
  'INTERSECT', 'JOIN', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'CROSS', 'NATURAL', 'ASOF', 'POSITIONAL', 'SEMI', 'ANTI',
]);
const JOIN_MODIFIERS = new Set(['LEFT', 'RIGHT', 'FULL', 'OUTER', 'INNER', 'CROSS', 'NATURAL', 'ASOF', 'POSITIONAL', 'SEMI', 'ANTI']);
const TABLE_CONTEXT = new Set(['FROM', 'JOIN', 'TABLE', 'INTO', 'UPDATE']);

export class MacroEvaluator {
  /** `@DEF` definitions, by lower-case name. */
  readonly locals = new Map<string, MacroValue>();

  constructor(readonly env: MacroEnvironment) {}

  /** Expands all macros in `text` (whose first character is at file offset `base`). */
  render(text: string, base: number): string {
    return this.expand(tokenize(text, base).tokens, EMPTY_SCOPE);
  }

  /** Like `render`, with where each piece of the result came from (see `RenderMap`). */
  renderMapped(text: string, base: number): { text: string; map: RenderMap } {
    const { out, origins } = this.expandPieces(tokenize(text, base).tokens, EMPTY_SCOPE);
    const pieces: RenderPiece[] = [];
    let at = 0;
    out.forEach((piece, i) => {
      const origin = origins[i] ?? { start: base, verbatim: false };
      pieces.push({ at, length: piece.length, origin: origin.start, verbatim: origin.verbatim });
      at += piece.length;
    });
    return { text: out.join(''), map: new RenderMap(pieces, base) };
  }

  lookup(name: string, scope: Scope): MacroValue | undefined {
    const key = name.toLowerCase();
    return scope.get(key) ?? this.locals.get(key) ?? this.env.variables[key];
  }

  /** Expands macros in a token run (whitespace and comments included), giving SQL text. */
  expand(tokens: readonly Token[], scope: Scope): string {
    return this.expandPieces(tokens, scope).out.join('');
  }

  /** The expansion as pieces, each with the file offset it came from (copied text or a macro). */
  private expandPieces(tokens: readonly Token[], scope: Scope): { out: string[]; origins: Origin[] } {
    const out: string[] = [];
    const origins: Origin[] = [];
    /** Pairs each piece pushed since the last call with `origin`; helpers only drop pieces at the end. */
    const mark = (origin: number, verbatim: boolean): void => {
      origins.length = Math.min(origins.length, out.length);
      while (origins.length < out.length) origins.push({ start: origin, verbatim });
    };
    let skipComma = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (!t) continue;
      if (skipComma) {
        if (t.type === 'ws' || t.type === 'comment') {
          out.push(t.text);
          mark(t.start, true);
          continue;
        }
        skipComma = false;
        if (isOp(t, ',')) {
          if (tokens[i + 1]?.type === 'ws') i++;
          continue;
        }
      }
      if (t.type === 'macro') {
        const name = (t.value ?? '').toLowerCase();
        const open = tokens[i + 1];
        if (!t.braced && isOp(open, '(') && open?.start === t.end) {
          const close = matchingClose(tokens, i + 1);
          if (close < 0) {
            this.env.report(t, 'render.syntax', `@${t.value}( is not closed`);
            out.push(t.text);
            mark(t.start, true);
            continue;
          }
          const args = splitTopLevel(tokens.slice(i + 2, close), ',');
          const argGroups = args.length === 1 && significant(args[0] ?? []).length === 0 ? [] : args;
          const clause = CLAUSES[name];
          if (clause) {
            const included = this.tryCondition(argGroups[0] ?? [], scope, t);
            if (included === undefined) {
              out.push(tokens.slice(i, close + 1).map((x) => x.text).join(''));
              mark(t.start, false);
            } else if (included) {
              out.push(clause);
              mark(t.start, false);
            } else {
              if (name === 'join') popJoinModifiers(out);
              trimTrailingSpace(out);
              origins.length = Math.min(origins.length, out.length);
              const stop = skipClause(tokens, close + 1);
              // Keep the whitespace in front of whatever follows the skipped clause.
              i = stop - 1 > close && tokens[stop - 1]?.type === 'ws' ? stop - 2 : stop - 1;
              continue;
            }
            i = close;
            continue;
          }
          let text: string;
          try {
            const value = this.call({ name, token: t, args: argGroups, scope });
            text = value === undefined ? '' : toSql(value);
          } catch (error) {
            this.reportError(error, t);
            text = tokens.slice(i, close + 1).map((x) => x.text).join('');
          }
          i = close;
          if (text === '') {
            // An empty result inside a list: drop its comma so the SQL stays valid.
            if (!removeTrailingComma(out)) skipComma = true;
            origins.length = Math.min(origins.length, out.length);
            continue;
          }
          out.push(text);
          mark(t.start, false);
          continue;
        }
        const value = this.lookup(name, scope);
        if (value === undefined) {
          this.env.report(t, 'render.undefined_variable', `Undefined macro variable @${t.value} (define it with @DEF, in config.yaml variables, or check the spelling)`);
          out.push(t.text);
          mark(t.start, true);
          continue;
        }
        out.push(this.variableText(value, t, tokens, i));
        mark(t.start, false);
        continue;
      }
      if (t.type === 'ident' && scope.size > 0) {
        const value = scope.get(t.text.toLowerCase());
        const prev = previousSignificant(tokens, i);
        if (value && !isOp(prev, '.') && !isKeyword(prev, 'AS') && !isOp(tokens[i + 1], '.')) {
          out.push(toSql(value));
          mark(t.start, false);
          continue;
        }
      }
      out.push(t.text);
      mark(t.start, true);
    }
    origins.length = Math.min(origins.length, out.length);
    return { out, origins };
  }

  /** Identifier text in identifier positions (`@{x}`, `col_@x`, `@schema.table`, `FROM @t`), else SQL. */
  private variableText(value: MacroValue, t: Token, tokens: readonly Token[], i: number): string {
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    const glued =
      t.braced === true ||
      (before !== undefined && before.end === t.start && (before.type === 'ident' || before.type === 'number' || before.type === 'macro' || isOp(before, '.'))) ||
      (after !== undefined && after.start === t.end && (after.type === 'ident' || after.type === 'macro' || isOp(after, '.')));
    const prev = previousSignificant(tokens, i);
    if (glued || (prev?.type === 'ident' && TABLE_CONTEXT.has(prev.text.toUpperCase()))) return toIdentifierText(value);
    return toSql(value);
  }

  /** Calls a built-in or a `@DEF` lambda. */
  call(call: MacroCall): MacroValue | undefined {
    const builtin = this.env.functions[call.name];
    if (builtin) return builtin(this, call);
    const local = this.lookup(call.name, call.scope);
    if (local?.t === 'lambda') {
      const args = call.args.map((a) => this.evaluateArg(a, call.scope));
      return this.applyLambda(local, args, call.token);
    }
    throw new MacroError(
      `Unknown macro function @${call.token.value}(...): it is not a built-in macro or a @DEF lambda (Python macros are not supported; use @DEF or a TypeScript model)`,
      call.token,
      'render.unknown_macro',
    );
  }

  /** Evaluates one argument to a value: lambdas, arrays, tuples, nested macros, literals or SQL. */
  evaluateArg(tokens: readonly Token[], scope: Scope): MacroValue {
    const sig = significant(tokens);
    const first = sig[0];
    if (!first) return NULL;
    const arrow = depthZeroIndex(sig, '->');
    if (arrow > 0) return this.lambda(sig, arrow, tokens);
    const last = sig[sig.length - 1];
    if ((isOp(first, '[') || isOp(first, '(')) && matchingClose(sig, 0) === sig.length - 1) {
      const inner = tokensBetween(tokens, first, last);
      const parts = splitTopLevel(inner, ',');
      if (isOp(first, '[') || parts.length > 1) {
        return list(parts.filter((p) => significant(p).length > 0).map((p) => this.evaluateArg(p, scope)));
      }
    }
    if (sig.length === 1 && first.type === 'macro') {
      const value = this.lookup(first.value ?? '', scope);
      if (value) return value;
    }
    if (sig.length === 1 && first.type === 'ident') {
      const value = scope.get(first.text.toLowerCase());
      if (value) return value;
    }
    if (first.type === 'macro' && !first.braced && isOp(sig[1], '(') && matchingClose(sig, 1) === sig.length - 1) {
      const groupStart = tokens.indexOf(sig[1] as Token);
      const groupEnd = tokens.indexOf(last as Token);
      const args = splitTopLevel(tokens.slice(groupStart + 1, groupEnd), ',');
      const argGroups = args.length === 1 && significant(args[0] ?? []).length === 0 ? [] : args;
      return this.call({ name: (first.value ?? '').toLowerCase(), token: first, args: argGroups, scope }) ?? NULL;
    }
    return classify(this.expand(tokens, scope).trim());
  }

  /** The argument expanded to SQL text. */
  argText(tokens: readonly Token[], scope: Scope): string {
    return toSql(this.evaluateArg(tokens, scope));
  }

  private lambda(sig: Token[], arrow: number, tokens: readonly Token[]): MacroValue {
    const head = sig.slice(0, arrow);
    const params = head.filter((t) => t.type === 'ident').map((t) => t.text.toLowerCase());
    const valid = head.length === 1 ? head[0]?.type === 'ident' : isOp(head[0], '(') && isOp(head[head.length - 1], ')');
    if (!valid || params.length === 0) throw new MacroError('A lambda must look like x -> ... or (x, y) -> ...', head[0] ?? sig[0] ?? { start: 0, end: 0 });
    const arrowToken = sig[arrow] as Token;
    const body = tokens.slice(tokens.indexOf(arrowToken) + 1);
    return { t: 'lambda', params, body: [...body] };
  }

  applyLambda(lambda: MacroValue, args: MacroValue[], at: { start: number; end: number }): MacroValue {
    if (lambda.t !== 'lambda') throw new MacroError('Expected a lambda such as x -> ...', at);
    if (args.length !== lambda.params.length) {
      throw new MacroError(`The lambda takes ${lambda.params.length} argument(s) (${lambda.params.join(', ')}) but got ${args.length}`, at);
    }
    const scope = new Map<string, MacroValue>();
    lambda.params.forEach((p, i) => scope.set(p, args[i] ?? NULL));
    const sig = significant(lambda.body);
    const first = sig[0];
    // A body that is itself one macro call keeps its value (lists stay lists).
    if (first?.type === 'macro' && isOp(sig[1], '(') && matchingClose(sig, 1) === sig.length - 1) {
      return this.evaluateArg(lambda.body, scope);
    }
    return classify(this.expand(lambda.body, scope).trim());
  }

  /** Evaluates a condition argument; reports and returns undefined when it cannot be evaluated. */
  tryCondition(tokens: readonly Token[], scope: Scope, at: Token): boolean | undefined {
    try {
      return this.condition(tokens, scope);
    } catch (error) {
      this.reportError(error, at);
      return undefined;
    }
  }

  condition(tokens: readonly Token[], scope: Scope): boolean {
    return truthy(this.evalExpression(tokens, scope));
  }

  evalExpression(tokens: readonly Token[], scope: Scope): MacroValue {
    const value = this.evaluateArg(tokens, scope);
    if (value.t === 'sql') {
      const first = significant(tokens)[0];
      return evaluateExpression(value.sql, first?.start ?? 0);
    }
    return value;
  }

  reportError(error: unknown, fallback: { start: number; end: number }): void {
    if (error instanceof MacroError) this.env.report(error.token, error.code, error.message);
    else if (error instanceof EvalError) this.env.report(fallback, 'render.eval', error.message);
    else this.env.report(fallback, 'render.macro', error instanceof Error ? error.message : String(error));
  }
}

interface Origin {
  start: number;
  /** True when the piece is the source text itself (offsets map one to one). */
  verbatim: boolean;
}

interface RenderPiece {
  /** Offset of the piece in the rendered text. */
  at: number;
  length: number;
  /** File offset of the source text, or of the macro that produced the piece. */
  origin: number;
  verbatim: boolean;
}

/**
 * Where each character of a rendered text came from: copied text maps to its own file offset,
 * text a macro produced maps to the macro. Used to put DuckDB's positions back into the file.
 */
export class RenderMap {
  constructor(
    private readonly pieces: readonly RenderPiece[],
    private readonly base: number,
  ) {}

  /** File offset of the rendered text's `offset`. */
  fileOffset(offset: number): number {
    let lo = 0;
    let hi = this.pieces.length - 1;
    if (hi < 0) return this.base;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.pieces[mid]?.at ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const piece = this.pieces[lo] as RenderPiece;
    // Past the end of a piece (the end of the text): just after its source.
    if (piece.verbatim) return piece.origin + Math.min(Math.max(0, offset - piece.at), piece.length);
    return piece.origin;
  }

  /** The same map for the text with `n` characters cut from its start (a trimmed render). */
  shifted(n: number): RenderMap {
    return n === 0 ? this : new RenderMap(this.pieces.map((p) => ({ ...p, at: p.at - n })), this.base);
  }
}

/** A rendered text as the most specific value: a literal when it is one token, else SQL. */
export function classify(text: string): MacroValue {
  const sig = significant(tokenize(text).tokens);
  const only = sig[0];
  if (sig.length === 1 && only) {
    if (only.type === 'string' && only.text.startsWith("'")) return str(only.value ?? '');
    if (only.type === 'number') return num(Number(only.text.replace(/_/g, '')), only.text);
    if (isKeyword(only, 'TRUE') || isKeyword(only, 'FALSE')) return bool(isKeyword(only, 'TRUE'));
    if (isKeyword(only, 'NULL')) return NULL;
  }
  if (sig.length === 2 && isOp(sig[0], '-') && sig[1]?.type === 'number') return num(-Number(sig[1].text), text);
  return sql(text);
}

function depthZeroIndex(sig: readonly Token[], op: string): number {
  let depth = 0;
  for (let i = 0; i < sig.length; i++) {
    const t = sig[i];
    if (isOp(t, '(') || isOp(t, '[')) depth++;
    else if (isOp(t, ')') || isOp(t, ']')) depth--;
    else if (depth === 0 && isOp(t, op)) return i;
  }
  return -1;
}

function tokensBetween(tokens: readonly Token[], open: Token | undefined, close: Token | undefined): Token[] {
  const a = open ? tokens.indexOf(open) : -1;
  const b = close ? tokens.indexOf(close) : -1;
  return tokens.slice(a + 1, b);
}

function previousSignificant(tokens: readonly Token[], i: number): Token | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j];
    if (t && t.type !== 'ws' && t.type !== 'comment') return t;
  }
  return undefined;
}

function removeTrailingComma(out: string[]): boolean {
  for (let j = out.length - 1; j >= 0; j--) {
    const piece = out[j] ?? '';
    if (piece.trim() === '' || piece.startsWith('--') || piece.startsWith('/*')) continue;
    if (piece === ',') {
      out.splice(j);
      return true;
    }
    return false;
  }
  return false;
}

function trimTrailingSpace(out: string[]): void {
  while (out.length > 0 && (out[out.length - 1] ?? '').trim() === '') out.pop();
}

function popJoinModifiers(out: string[]): void {
  for (;;) {
    trimTrailingSpace(out);
    const last = out[out.length - 1];
    if (last && JOIN_MODIFIERS.has(last.toUpperCase())) out.pop();
    else return;
  }
}

/** Index of the first token after a clause skipped by a false clause operator. */
function skipClause(tokens: readonly Token[], from: number): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (isOp(t, '(') || isOp(t, '[')) depth++;
    else if (isOp(t, ')') || isOp(t, ']')) {
      if (depth === 0) return i;
      depth--;
    } else if (depth === 0 && (isOp(t, ';') || (t?.type === 'ident' && CLAUSE_STOP.has(t.text.toUpperCase())))) return i;
    else if (depth === 0 && t?.type === 'macro' && CLAUSES[(t.value ?? '').toLowerCase()]) return i;
  }
  return tokens.length;
}

/**
 * Render-time evaluation of the small SQL expressions that `@IF`, `@FILTER` and `@EVAL` take
 * after macro substitution: literals, comparisons, BETWEEN, IN, IS [NOT] NULL, AND/OR/NOT,
 * arithmetic and `||`. A column reference cannot be known at render time and is an error.
 */
import { isKeyword, isOp, significant, tokenize, type Token } from '../lexer';
import { bool, type MacroValue, NULL, num, str } from './values';

export class EvalError extends Error {
  constructor(
    message: string,
    readonly token?: Token,
  ) {
    super(message);
  }
}

type Scalar = string | number | boolean | null;

/** Evaluates SQL expression text; offsets of tokens in errors are relative to `base`. */
export function evaluateExpression(text: string, base = 0): MacroValue {
  const tokens = significant(tokenize(text, base).tokens);
  const parser = new ExprParser(tokens);
  const value = parser.parseOr();
  const rest = parser.peek();
  if (rest) throw new EvalError(`Cannot evaluate '${text.trim()}' at render time: unexpected '${rest.text}'`, rest);
  return toValue(value);
}

function toValue(v: Scalar): MacroValue {
  if (v === null) return NULL;
  if (typeof v === 'boolean') return bool(v);
  if (typeof v === 'number') return num(v);
  return str(v);
}

class ExprParser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private next(): Token | undefined {
    return this.tokens[this.i++];
  }

  private word(w: string): boolean {
    if (isKeyword(this.peek(), w)) {
      this.i++;
      return true;
    }
    return false;
  }

  private op(o: string): boolean {
    if (isOp(this.peek(), o)) {
      this.i++;
      return true;
    }
    return false;
  }

  parseOr(): Scalar {
    let left = this.parseAnd();
    while (this.word('OR')) {
      const right = this.parseAnd();
      left = left === true || right === true ? true : left === null || right === null ? null : false;
    }
    return left;
  }

  private parseAnd(): Scalar {
    let left = this.parseNot();
    while (this.word('AND')) {
      const right = this.parseNot();
      left = left === false || right === false ? false : left === null || right === null ? null : Boolean(left) && Boolean(right);
    }
    return left;
  }

  private parseNot(): Scalar {
    if (this.word('NOT')) {
      const v = this.parseNot();
      return v === null ? null : !v;
    }
    return this.parseComparison();
  }

  private parseComparison(): Scalar {
    const left = this.parseAdditive();
    const t = this.peek();
    if (t?.type === 'op' && ['=', '==', '!=', '<>', '<', '>', '<=', '>='].includes(t.text)) {
      this.i++;
      return compare(t.text, left, this.parseAdditive());
    }
    if (this.word('IS')) {
      const negate = this.word('NOT');
      if (this.word('NULL')) return negate ? left !== null : left === null;
      const rhs = this.parseAdditive();
      return negate ? left !== rhs : left === rhs;
    }
    const save = this.i;
    const negate = this.word('NOT');
    if (this.word('BETWEEN')) {
      const lo = this.parseAdditive();
      if (!this.word('AND')) throw new EvalError('BETWEEN needs AND', this.peek());
      const hi = this.parseAdditive();
      const inside = compare('>=', left, lo) === true && compare('<=', left, hi) === true;
      return negate ? !inside : inside;
    }
    if (this.word('IN')) {
      if (!this.op('(') && !this.op('[')) throw new EvalError('IN needs a parenthesised list', this.peek());
      const items: Scalar[] = [];
      if (!isOp(this.peek(), ')') && !isOp(this.peek(), ']')) {
        do items.push(this.parseAdditive());
        while (this.op(','));
      }
      if (!this.op(')') && !this.op(']')) throw new EvalError('IN list is not closed', this.peek());
      const found = items.some((v) => compare('=', left, v) === true);
      return negate ? !found : found;
    }
    this.i = save;
    return left;
  }

  private parseAdditive(): Scalar {
    let left = this.parseMultiplicative();
    for (;;) {
      const t = this.peek();
      if (isOp(t, '+') || isOp(t, '-')) {
        this.i++;
        const right = this.parseMultiplicative();
        left = left === null || right === null ? null : t?.text === '+' ? asNumber(left, t) + asNumber(right, t) : asNumber(left, t) - asNumber(right, t);
      } else if (isOp(t, '||')) {
        this.i++;
        const right = this.parseMultiplicative();
        left = left === null || right === null ? null : String(left) + String(right);
      } else return left;
    }
  }

  private parseMultiplicative(): Scalar {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (isOp(t, '*') || isOp(t, '/') || isOp(t, '%') || isOp(t, '//')) {
        this.i++;
        const right = this.parseUnary();
        if (left === null || right === null) left = null;
        else {
          const a = asNumber(left, t);
          const b = asNumber(right, t);
          left = t?.text === '*' ? a * b : t?.text === '%' ? a % b : t?.text === '//' ? Math.floor(a / b) : a / b;
        }
      } else return left;
    }
  }

  private parseUnary(): Scalar {
    if (this.op('-')) {
      const v = this.parseUnary();
      return v === null ? null : -asNumber(v, this.peek());
    }
    if (this.op('+')) return this.parseUnary();
    return this.parsePrimary();
  }

  private parsePrimary(): Scalar {
    const t = this.next();
    if (!t) throw new EvalError('Expression ends unexpectedly');
    if (t.type === 'number') return Number(t.text.replace(/_/g, ''));
    if (t.type === 'string') return t.value ?? '';
    if (isOp(t, '(')) {
      const v = this.parseOr();
      if (!this.op(')')) throw new EvalError("Missing ')'", this.peek());
      return v;
    }
    if (t.type === 'ident') {
      const upper = t.text.toUpperCase();
      if (upper === 'TRUE') return true;
      if (upper === 'FALSE') return false;
      if (upper === 'NULL') return null;
      if (isOp(this.peek(), '(')) return this.call(upper, t);
      if ((upper === 'DATE' || upper === 'TIMESTAMP') && this.peek()?.type === 'string') return this.next()?.value ?? '';
    }
    throw new EvalError(`Cannot evaluate '${t.text}' at render time (only literals, macro variables and operators can be evaluated)`, t);
  }

  private call(name: string, at: Token): Scalar {
    this.op('(');
    if (name === 'CAST' || name === 'TRY_CAST') {
      const v = this.parseOr();
      if (!this.word('AS')) throw new EvalError('CAST needs AS', this.peek());
      const type = this.next()?.text.toUpperCase() ?? '';
      while (this.peek() && !isOp(this.peek(), ')')) this.next();
      this.op(')');
      if (v === null) return null;
      if (/^(INT|INTEGER|BIGINT|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER)$/.test(type)) return Math.trunc(asNumber(v, at));
      if (/^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC)$/.test(type)) return asNumber(v, at);
      if (/^(BOOL|BOOLEAN)$/.test(type)) return typeof v === 'string' ? v.toLowerCase() === 'true' : Boolean(v);
      return String(v);
    }
    const args: Scalar[] = [];
    if (!isOp(this.peek(), ')')) {
      do args.push(this.parseOr());
      while (this.op(','));
    }
    if (!this.op(')')) throw new EvalError(`Missing ')' after ${name}(...)`, this.peek());
    switch (name) {
      case 'LOWER':
        return args[0] === null || args[0] === undefined ? null : String(args[0]).toLowerCase();
      case 'UPPER':
        return args[0] === null || args[0] === undefined ? null : String(args[0]).toUpperCase();
      case 'LENGTH':
        return args[0] === null || args[0] === undefined ? null : String(args[0]).length;
      case 'COALESCE':
        return args.find((a) => a !== null) ?? null;
      case 'CONCAT':
        return args.filter((a) => a !== null).map(String).join('');
      case 'ABS':
        return args[0] === null || args[0] === undefined ? null : Math.abs(asNumber(args[0], at));
      default:
        throw new EvalError(`Function ${name}() cannot be evaluated at render time`, at);
    }
  }
}

function asNumber(v: Scalar, at: Token | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  if (v === null || Number.isNaN(n)) throw new EvalError(`'${String(v)}' is not a number`, at);
  return n;
}

function compare(op: string, a: Scalar, b: Scalar): Scalar {
  if (a === null || b === null) return null;
  let x: string | number | boolean = a;
  let y: string | number | boolean = b;
  if (typeof x !== typeof y) {
    if (typeof x === 'number' || typeof y === 'number') {
      x = Number(x);
      y = Number(y);
    } else {
      x = String(x);
      y = String(y);
    }
  }
  switch (op) {
    case '=':
    case '==':
      return x === y;
    case '!=':
    case '<>':
      return x !== y;
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    default:
      return x >= y;
  }
}

/**
 * SQLMesh's header property syntax: `key value` items separated by commas, where a value is
 * an identifier (possibly dotted), string, number, boolean, array `[a, b]`, tuple `(a, b)`,
 * key-value pair `k = v` / `k := v`, call `name(args)`, or any other expression kept as text.
 * Every value keeps its tokens and source offsets so interpreters can report exact positions.
 */
import { isOp, matchingClose, splitTopLevel, type Token } from './lexer';

interface ValueBase {
  /** Offsets in the file text. */
  start: number;
  end: number;
  /** Source text as written. */
  text: string;
  tokens: Token[];
}

export type PropValue =
  | (ValueBase & { kind: 'string'; value: string })
  | (ValueBase & { kind: 'number'; value: number })
  | (ValueBase & { kind: 'bool'; value: boolean })
  | (ValueBase & { kind: 'null' })
  | (ValueBase & { kind: 'ident'; name: string; parts: string[] })
  | (ValueBase & { kind: 'array'; items: PropValue[] })
  | (ValueBase & { kind: 'tuple'; items: PropValue[] })
  | (ValueBase & { kind: 'pair'; key: string; keyToken: Token; op: '=' | ':='; value: PropValue })
  | (ValueBase & { kind: 'call'; name: string; nameToken: Token; args: PropValue[]; argTokens: Token[][] })
  | (ValueBase & { kind: 'expr' });

export interface PropItem {
  /** Lower-cased key. */
  key: string;
  keyToken: Token;
  /** Undefined for a bare key (`forward_only` alone). */
  value?: PropValue;
  start: number;
  end: number;
}

export interface PropListResult {
  items: PropItem[];
  errors: Array<{ message: string; start: number; end: number }>;
}

/** Text of a token run taken from the source (tokens are significant only, so join by offsets). */
function sourceText(tokens: readonly Token[], source: string, base: number): string {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (!first || !last) return '';
  return source.slice(first.start - base, last.end - base);
}

/** Parses `key value, key value, ...` (tokens are significant tokens inside the parentheses). */
export function parsePropertyList(tokens: readonly Token[], source: string, base = 0): PropListResult {
  const items: PropItem[] = [];
  const errors: PropListResult['errors'] = [];
  for (const part of splitTopLevel(tokens, ',')) {
    const [keyToken, ...rest] = part;
    if (!keyToken) continue; // trailing comma
    if (keyToken.type !== 'ident' && keyToken.type !== 'quoted') {
      errors.push({ message: `Expected a property name, found '${keyToken.text}'`, start: keyToken.start, end: keyToken.end });
      continue;
    }
    const key = (keyToken.value ?? keyToken.text).toLowerCase();
    let valueTokens = rest;
    // `key = value` / `key := value` (maps such as physical_properties entries).
    if (isOp(valueTokens[0], '=') || isOp(valueTokens[0], ':=')) valueTokens = valueTokens.slice(1);
    const last = part[part.length - 1] ?? keyToken;
    items.push({
      key,
      keyToken,
      ...(valueTokens.length > 0 ? { value: parseValue(valueTokens, source, base) } : {}),
      start: keyToken.start,
      end: last.end,
    });
  }
  return { items, errors };
}

/** Parses one value from significant tokens. */
export function parseValue(tokens: readonly Token[], source: string, base = 0): PropValue {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  const common: ValueBase = {
    start: first?.start ?? 0,
    end: last?.end ?? 0,
    text: sourceText(tokens, source, base),
    tokens: [...tokens],
  };
  if (!first) return { ...common, kind: 'null' };

  // k = v / k := v
  const second = tokens[1];
  if ((first.type === 'ident' || first.type === 'quoted') && (isOp(second, '=') || isOp(second, ':=')) && tokens.length > 2) {
    return {
      ...common,
      kind: 'pair',
      key: (first.value ?? first.text).toLowerCase(),
      keyToken: first,
      op: second?.text === '=' ? '=' : ':=',
      value: parseValue(tokens.slice(2), source, base),
    };
  }

  if (tokens.length === 1) {
    switch (first.type) {
      case 'string':
        return { ...common, kind: 'string', value: first.value ?? '' };
      case 'number':
        return { ...common, kind: 'number', value: Number(first.text.replace(/_/g, '')) };
      case 'quoted':
        return { ...common, kind: 'ident', name: first.value ?? '', parts: [first.value ?? ''] };
      case 'ident': {
        const upper = first.text.toUpperCase();
        if (upper === 'TRUE' || upper === 'FALSE') return { ...common, kind: 'bool', value: upper === 'TRUE' };
        if (upper === 'NULL') return { ...common, kind: 'null' };
        return { ...common, kind: 'ident', name: first.text, parts: [first.text] };
      }
      default:
        return { ...common, kind: 'expr' };
    }
  }

  // -1, +2.5
  if (tokens.length === 2 && (isOp(first, '-') || isOp(first, '+')) && second?.type === 'number') {
    const n = Number(second.text.replace(/_/g, ''));
    return { ...common, kind: 'number', value: first.text === '-' ? -n : n };
  }

  // a.b.c (identifiers, quoted identifiers)
  if (isDotted(tokens)) {
    const parts = tokens.filter((_, i) => i % 2 === 0).map((t) => t.value ?? t.text);
    return { ...common, kind: 'ident', name: parts.join('.'), parts };
  }

  // [ ... ] and ( ... ) spanning the whole value
  if ((isOp(first, '[') || isOp(first, '(')) && matchingClose(tokens, 0) === tokens.length - 1) {
    const inner = tokens.slice(1, -1);
    const items = inner.length === 0 ? [] : splitTopLevel(inner, ',').filter((p) => p.length > 0).map((p) => parseValue(p, source, base));
    return { ...common, kind: isOp(first, '[') ? 'array' : 'tuple', items };
  }

  // name(...) / schema.name(...) spanning the whole value
  const open = tokens.findIndex((t) => isOp(t, '('));
  if (open > 0 && isDotted(tokens.slice(0, open)) && matchingClose(tokens, open) === tokens.length - 1) {
    const nameTokens = tokens.slice(0, open);
    const inner = tokens.slice(open + 1, -1);
    const argTokens = inner.length === 0 ? [] : splitTopLevel(inner, ',').filter((p) => p.length > 0);
    return {
      ...common,
      kind: 'call',
      name: nameTokens.map((t) => t.value ?? t.text).join(''),
      nameToken: nameTokens[nameTokens.length - 1] ?? first,
      args: argTokens.map((p) => parseValue(p, source, base)),
      argTokens,
    };
  }

  return { ...common, kind: 'expr' };
}

function isDotted(tokens: readonly Token[]): boolean {
  if (tokens.length === 0 || tokens.length % 2 === 0) return false;
  return tokens.every((t, i) => (i % 2 === 0 ? t.type === 'ident' || t.type === 'quoted' : isOp(t, '.')));
}

/** Items of a list-like value: arrays and tuples give their items, anything else itself. */
export function listItems(value: PropValue): PropValue[] {
  return value.kind === 'array' || value.kind === 'tuple' ? value.items : [value];
}

/** Plain JS form of a value (strings, numbers, booleans, arrays, maps; text for the rest). */
export function toPlain(value: PropValue): unknown {
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return value.value;
    case 'null':
      return null;
    case 'ident':
      return value.name;
    case 'array':
    case 'tuple':
      if (value.items.length > 0 && value.items.every((i) => i.kind === 'pair')) {
        return Object.fromEntries(value.items.map((i) => (i.kind === 'pair' ? [i.key, toPlain(i.value)] : ['', null])));
      }
      return value.items.map(toPlain);
    case 'pair':
      return { [value.key]: toPlain(value.value) };
    case 'call':
    case 'expr':
      return value.text;
  }
}

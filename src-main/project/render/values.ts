/**
 * Values that macros compute with, and how each is written back into SQL text: strings as
 * quoted literals, SQL fragments verbatim, lists comma separated, and `@{x}` / `col_@x`
 * positions as bare identifier text.
 */
import type { Token } from '../lexer';

export type MacroValue =
  | { t: 'sql'; sql: string }
  | { t: 'str'; value: string }
  | { t: 'num'; value: number; text: string }
  | { t: 'bool'; value: boolean }
  | { t: 'null' }
  | { t: 'list'; items: MacroValue[] }
  | { t: 'lambda'; params: string[]; body: Token[] };

export const sql = (text: string): MacroValue => ({ t: 'sql', sql: text });
export const str = (value: string): MacroValue => ({ t: 'str', value });
export const num = (value: number, text = String(value)): MacroValue => ({ t: 'num', value, text });
export const bool = (value: boolean): MacroValue => ({ t: 'bool', value });
export const NULL: MacroValue = { t: 'null' };
export const list = (items: MacroValue[]): MacroValue => ({ t: 'list', items });

export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A SQL identifier, quoted only when it is not a plain lower/upper-case word. */
export function identifier(name: string, quote = false): string {
  if (!quote && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** The value as SQL in a value position (`WHERE x = @v`). */
export function toSql(value: MacroValue): string {
  switch (value.t) {
    case 'sql':
      return value.sql;
    case 'str':
      return quoteString(value.value);
    case 'num':
      return value.text;
    case 'bool':
      return value.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'list':
      return value.items.map(toSql).join(', ');
    case 'lambda':
      return `${value.params.length === 1 ? value.params[0] : `(${value.params.join(', ')})`} -> ${value.body.map((t) => t.text).join('')}`;
  }
}

/** The value as identifier text (`@{v}`, `col_@v`, `FROM @schema.t`): strings unquoted. */
export function toIdentifierText(value: MacroValue): string {
  if (value.t === 'str') return value.value;
  if (value.t === 'list') return value.items.map(toIdentifierText).join(', ');
  return toSql(value);
}

/** A JS value (from YAML variables or test vars) as a macro value. */
export function fromPlain(value: unknown): MacroValue {
  if (value === null || value === undefined) return NULL;
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number') return num(value);
  if (typeof value === 'boolean') return bool(value);
  if (Array.isArray(value)) return list(value.map(fromPlain));
  if (value instanceof Date) return str(value.toISOString());
  return str(JSON.stringify(value));
}

/** Truthiness for `@IF` / `@FILTER` conditions. */
export function truthy(value: MacroValue): boolean {
  switch (value.t) {
    case 'bool':
      return value.value;
    case 'num':
      return value.value !== 0;
    case 'str':
      return value.value.length > 0 && value.value.toLowerCase() !== 'false';
    case 'null':
      return false;
    case 'list':
      return value.items.length > 0;
    default:
      return true;
  }
}

/**
 * Typed readers over header property values: each returns the value in the shape a field
 * needs or records an error at the value's exact position and returns undefined.
 */
import { isTimeExpression } from './time-expression';
import type { Diagnostics, LineIndex, SourceRange } from './diagnostics';
import { listItems, type PropItem, type PropValue, toPlain } from './properties';

/** Where header properties of one file are read from, and where their problems go. */
export class PropertyReader {
  constructor(
    readonly file: string,
    readonly lines: LineIndex,
    readonly diagnostics: Diagnostics,
  ) {}

  range(node: { start: number; end: number }): SourceRange {
    return this.lines.range(node.start, node.end);
  }

  error(node: { start: number; end: number }, code: string, message: string): void {
    this.diagnostics.error(this.file, this.range(node), code, message);
  }

  warning(node: { start: number; end: number }, code: string, message: string): void {
    this.diagnostics.warning(this.file, this.range(node), code, message);
  }

  private need(item: PropItem): PropValue | undefined {
    if (!item.value) this.error(item.keyToken, 'model.property_value', `Property '${item.key}' needs a value`);
    return item.value;
  }

  /** A string, or a bare identifier / number taken as text (SQLMesh accepts `cron '@daily'` and `owner jen`). */
  string(item: PropItem): string | undefined {
    const v = this.need(item);
    if (!v) return undefined;
    if (v.kind === 'string') return v.value;
    if (v.kind === 'ident') return v.name;
    if (v.kind === 'number') return v.text;
    this.error(v, 'model.property_type', `Property '${item.key}' must be a string, found ${describe(v)}`);
    return undefined;
  }

  bool(item: PropItem): boolean | undefined {
    if (!item.value) return true; // bare flag
    const v = item.value;
    if (v.kind === 'bool') return v.value;
    if (v.kind === 'string' || v.kind === 'ident') {
      const s = (v.kind === 'string' ? v.value : v.name).toLowerCase();
      if (s === 'true' || s === 'false') return s === 'true';
    }
    this.error(v, 'model.property_type', `Property '${item.key}' must be true or false, found ${describe(v)}`);
    return undefined;
  }

  integer(item: PropItem, min = 0): number | undefined {
    const v = this.need(item);
    if (!v) return undefined;
    if (v.kind === 'number' && Number.isInteger(v.value) && v.value >= min) return v.value;
    this.error(v, 'model.property_type', `Property '${item.key}' must be an integer ≥ ${min}, found ${describe(v)}`);
    return undefined;
  }

  /** `'2024-01-01'`, `'1 year ago'` or epoch milliseconds. */
  timeLike(item: PropItem): string | number | undefined {
    const v = this.need(item);
    if (!v) return undefined;
    if (v.kind === 'string' && !isTimeExpression(v.value)) {
      this.error(v, 'model.date', `Property '${item.key}' is not a date: '${v.value}' (write YYYY-MM-DD, a date-time, epoch milliseconds, or a relative date such as '1 year ago')`);
      return undefined;
    }
    if (v.kind === 'string') return v.value;
    if (v.kind === 'number') return v.value;
    this.error(v, 'model.property_type', `Property '${item.key}' must be a date string or epoch milliseconds, found ${describe(v)}`);
    return undefined;
  }

  /** One name or a list of names (identifiers or strings); `a AS b` expressions are kept as text. */
  nameList(item: PropItem): string[] | undefined {
    const v = this.need(item);
    if (!v) return undefined;
    const out: string[] = [];
    for (const entry of listItems(v)) {
      if (entry.kind === 'ident') out.push(entry.name);
      else if (entry.kind === 'string') out.push(entry.value);
      else if (entry.kind === 'expr' || entry.kind === 'call') out.push(entry.text);
      else {
        this.error(entry, 'model.property_type', `Property '${item.key}' must list names, found ${describe(entry)}`);
        return undefined;
      }
    }
    return out;
  }

  /** `(k = v, ...)` → plain object. */
  map(item: PropItem): Record<string, unknown> | undefined {
    const v = this.need(item);
    if (!v) return undefined;
    const entries = listItems(v);
    const out: Record<string, unknown> = {};
    for (const entry of entries) {
      if (entry.kind !== 'pair') {
        this.error(entry, 'model.property_type', `Property '${item.key}' must be a list of key = value pairs, found ${describe(entry)}`);
        return undefined;
      }
      out[entry.key] = toPlain(entry.value);
    }
    return out;
  }
}

export function describe(v: PropValue): string {
  switch (v.kind) {
    case 'string':
      return `the string '${v.value}'`;
    case 'number':
      return `the number ${v.text}`;
    case 'bool':
      return v.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'ident':
      return `the name ${v.name}`;
    case 'array':
      return 'an array';
    case 'tuple':
      return 'a parenthesised list';
    case 'pair':
      return `'${v.key} ${v.op} ...'`;
    case 'call':
      return `${v.name}(...)`;
    case 'expr':
      return `'${v.text}'`;
  }
}

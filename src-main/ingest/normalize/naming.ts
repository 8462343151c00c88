/**
 * dlt's snake_case naming convention for table and column names: lowercase, non-alphanumerics
 * to `_`, a leading digit prefixed with `_`, runs of `_` collapsed (the `__` nesting separator is
 * added by the normalizer, never produced here), long names shortened with a hash tail.
 */
import { createHash } from 'node:crypto';

const MAX_LENGTH = 120;
const SPECIAL: Record<string, string> = { '+': 'x', '*': 'x', '@': 'a', '|': 'l', '-': '_' };

export function snakeCase(raw: string): string {
  let name = raw.trim();
  if (name === '') return '_empty';
  // camelCase → camel_case
  name = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2');
  name = name.toLowerCase();
  name = name.replace(/[+*@|-]/g, (c) => SPECIAL[c] ?? '_');
  name = name.replace(/[^a-z0-9_]/g, '_');
  name = name.replace(/_+/g, '_');
  if (/^[0-9]/.test(name)) name = `_${name}`;
  if (name.length > 1 && name.endsWith('_')) name = `${name.slice(0, -1)}x`;
  return shorten(name);
}

/** Joins normalized path parts with the nesting separator `__`. */
export function joinPath(...parts: string[]): string {
  return shorten(parts.join('__'));
}

function shorten(name: string): string {
  if (name.length <= MAX_LENGTH) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return `${name.slice(0, MAX_LENGTH - 11)}_${hash}`;
}

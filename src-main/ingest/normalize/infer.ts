/**
 * Type inference and type fit for JSON values, including the numbers, dates and booleans that
 * APIs such as Socrata send as strings. `inferType` names the narrowest logical type of a value;
 * `fits` says whether a value can be stored in a column of a type without loss (DuckDB then
 * casts it when reading the normalized rows); `unify` widens two inferred types.
 */
import type { DataType } from '../schema/types';

const BIGINT_RE = /^-?(0|[1-9][0-9]{0,17})$/;
const DOUBLE_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
const DATE_RE = /^[0-9]{4}-[01][0-9]-[0-3][0-9]$/;
// Naive or UTC (`Z`) only: DuckDB's TIMESTAMP cast would drop other offsets, so such strings stay text.
const TIMESTAMP_RE = /^[0-9]{4}-[01][0-9]-[0-3][0-9][T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?Z?$/;

/** The inferred type of a scalar; null/undefined have no type. Objects and arrays are `json`. */
export function inferType(value: unknown): DataType | undefined {
  switch (typeof value) {
    case 'string':
      return inferStringType(value);
    case 'number':
      return Number.isSafeInteger(value) ? 'bigint' : Number.isFinite(value) ? 'double' : 'text';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'bigint';
    case 'object':
      return value === null ? undefined : 'json';
    default:
      return undefined;
  }
}

export function inferStringType(value: string): DataType {
  const first = value.charCodeAt(0);
  // Fast exits: most text does not start with a digit, a minus sign, t or f.
  if ((first >= 48 && first <= 57) || first === 45) {
    if (BIGINT_RE.test(value)) return 'bigint';
    if (isDoubleText(value)) return 'double';
    if (value.length === 10 && DATE_RE.test(value) && validDate(value)) return 'date';
    if (TIMESTAMP_RE.test(value) && validDate(value.slice(0, 10))) return 'timestamp';
    return 'text';
  }
  if (value === 'true' || value === 'false') return 'bool';
  return 'text';
}

/** A decimal number text that a DOUBLE holds (`1e400` overflows, so it is not one). */
function isDoubleText(value: string): boolean {
  if (!DOUBLE_RE.test(value)) return false;
  return !(value.includes('e') || value.includes('E')) || Number.isFinite(Number(value));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar date (`2024-02-30` is not), so DuckDB's cast can never fail on a value we let through. */
function validDate(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}

/** Whether `value` (non-null scalar) can be stored in a column of `type` without loss. */
export function fits(value: unknown, type: DataType): boolean {
  switch (type) {
    case 'text':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    case 'json':
      return true;
    case 'bigint':
      return typeof value === 'string' ? BIGINT_RE.test(value) : typeof value === 'number' ? Number.isSafeInteger(value) : false;
    case 'double':
      return typeof value === 'string' ? isDoubleText(value) : typeof value === 'number' && Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean' || value === 'true' || value === 'false';
    case 'date':
      return typeof value === 'string' && value.length === 10 && DATE_RE.test(value) && validDate(value);
    case 'timestamp':
      return typeof value === 'string' && (TIMESTAMP_RE.test(value) || (DATE_RE.test(value) && value.length === 10)) && validDate(value.slice(0, 10));
  }
}

/** The narrowest type both inferred types fit; numbers widen to double, dates to timestamp, else text. */
export function unify(a: DataType, b: DataType): DataType {
  if (a === b) return a;
  if ((a === 'bigint' && b === 'double') || (a === 'double' && b === 'bigint')) return 'double';
  if ((a === 'date' && b === 'timestamp') || (a === 'timestamp' && b === 'date')) return 'timestamp';
  if (a === 'json' || b === 'json') return 'json';
  return 'text';
}

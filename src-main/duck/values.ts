/**
 * Conversion of DuckDB values into JSON-safe cells (see src-shared/values.ts for the rules).
 * A converter is chosen once per column type, so the per-value cost on hot paths (paging
 * millions of rows) is one function call and, for BIGINT, one range check.
 */
import {
  DuckDBDecimalValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBValueConverter,
  type DuckDBVector,
  type Json,
} from '@duckdb/node-api';
import type { Cell } from '../../src-shared/values';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

export function bigintCell(value: bigint): number | string {
  // Number() rounds beyond 2^53, so a safe result means the value was exact.
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}

const FIFTEEN_DIGITS = 10n ** 15n;
const POWERS = Array.from({ length: 39 }, (_, i) => 10 ** i);

function decimalCell(value: DuckDBDecimalValue): number | string {
  // Up to 15 significant digits, a double holds the decimal exactly enough to print it back the
  // same: divide the scaled integer (a correctly rounded result, like parsing the text).
  if (value.value < FIFTEEN_DIGITS && value.value > -FIFTEEN_DIGITS) return Number(value.value) / (POWERS[value.scale] ?? 10 ** value.scale);
  // Otherwise the scaled integer must be exactly representable, and the decimal text must
  // round-trip through a double, for the number to be the same number.
  if (value.value <= MAX_SAFE && value.value >= MIN_SAFE) {
    const text = value.toString();
    const asNumber = Number(text);
    if (Number.isFinite(asNumber) && String(asNumber) === stripZeros(text)) return asNumber;
    return text;
  }
  return value.toString();
}

function stripZeros(text: string): string {
  if (!text.includes('.')) return text;
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

/** `2024-01-02 03:04:05.5` -> `2024-01-02T03:04:05.5`; infinities stay as they are. */
function isoTimestamp(text: string): string {
  return text.length > 10 && text[10] === ' ' ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
}

/** `2024-01-02 01:04:05+00` -> `2024-01-02T01:04:05Z`; other offsets become `+HH:MM`. */
function isoTimestampTz(text: string): string {
  const iso = isoTimestamp(text);
  const match = /([+-])(\d\d)(?::?(\d\d))?$/.exec(iso);
  if (!match || iso.length <= 10) return iso;
  const [suffix, sign, hours, minutes = '00'] = match;
  const base = iso.slice(0, iso.length - suffix.length);
  return hours === '00' && minutes === '00' ? `${base}Z` : `${base}${sign}${hours}:${minutes}`;
}

function doubleCell(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** Recursive converter for values nested inside lists, structs, maps and unions. */
export const cellConverter: DuckDBValueConverter<Cell> = (value, type, self) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return typeof value === 'bigint' ? bigintCell(value) : String(value);
    case DuckDBTypeId.DECIMAL:
      return value instanceof DuckDBDecimalValue ? decimalCell(value) : String(value);
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return doubleCell(value as number);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return isoTimestamp(String(value));
    case DuckDBTypeId.TIMESTAMP_TZ:
      return isoTimestampTz(String(value));
    case DuckDBTypeId.INTERVAL:
      return String(value);
    default:
      // Nested values recurse through `self`, so the rules above apply at every depth.
      return JsonDuckDBValueConverter(value, type, self as unknown as DuckDBValueConverter<Json>) as Cell;
  }
};

/** Writes rows [from, to) of a vector into `out` as cells, starting at index `at`. */
export type ColumnReader = (vector: DuckDBVector, from: number, to: number, out: Cell[], at: number) => void;

/**
 * A reader specialised for one top-level column type: a tight loop per type family, since
 * paging converts millions of values and a per-value dispatch would dominate the cost.
 */
export function columnReader(type: DuckDBType): ColumnReader {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.VARCHAR:
      return (vector, from, to, out, at) => {
        for (let r = from; r < to; r++) out[at++] = vector.getItem(r) as Cell;
      };
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return (vector, from, to, out, at) => {
        for (let r = from; r < to; r++) {
          const value = vector.getItem(r) as bigint | null;
          if (value === null) {
            out[at++] = null;
            continue;
          }
          // Number() rounds beyond 2^53, so a safe result means the value was exact.
          const n = Number(value);
          out[at++] = Number.isSafeInteger(n) ? n : value.toString();
        }
      };
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return (vector, from, to, out, at) => {
        for (let r = from; r < to; r++) {
          const value = vector.getItem(r) as number | null;
          out[at++] = value === null ? null : doubleCell(value);
        }
      };
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.UUID:
      return (vector, from, to, out, at) => {
        for (let r = from; r < to; r++) {
          const value = vector.getItem(r);
          out[at++] = value === null ? null : String(value);
        }
      };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return (vector, from, to, out, at) => {
        for (let r = from; r < to; r++) {
          const value = vector.getItem(r);
          out[at++] = value === null ? null : isoTimestamp(String(value));
        }
      };
    case DuckDBTypeId.DECIMAL:
      return (vector, from, to, out, at) => {
        for (let r = from; r < to; r++) {
          const value = vector.getItem(r);
          out[at++] = value === null ? null : value instanceof DuckDBDecimalValue ? decimalCell(value) : String(value);
        }
      };
    default:
      return (vector, from, to, out, at) => {
        for (let r = from; r < to; r++) out[at++] = cellConverter(vector.getItem(r), type, cellConverter);
      };
  }
}

/** Rows of a read result as objects of JSON-safe cells (dates and timestamps as ISO strings). */
export function rowObjects(reader: { columnNames(): string[]; columnTypes(): DuckDBType[]; getRows(): DuckDBValue[][] }): Record<string, Cell>[] {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  return reader.getRows().map((row) => {
    const out: Record<string, Cell> = {};
    row.forEach((value, i) => {
      const type = types[i];
      out[names[i] ?? String(i)] = type ? cellConverter(value, type, cellConverter) : (value as Cell);
    });
    return out;
  });
}

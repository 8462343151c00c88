/**
 * The raw route's byte check: decides, without `JSON.parse`, whether a response body that is a
 * JSON array of records can go to DuckDB unchanged as the root table's raw layout stands — every
 * key already laid out, every non-null value of a kind its column takes (the same `fits` rules
 * as the normalizer), nested objects only where the layout has a struct, no lists — and counts
 * the records. It answers "no" (undefined) whenever it is not certain: an unknown key with a
 * value, an escape inside a typed value, a number with an exponent, a json column, invalid UTF-8
 * or malformed JSON. The caller then parses the page and takes the usual route, so a "no" costs
 * speed, never correctness. A "yes" changes no schema: the page adds rows, nothing else.
 */
import { isUtf8 } from 'node:buffer';
import type { DataType } from '../schema/types';

/**
 * What a key of a scanned object holds: a nested object laid out as a struct, or a typed column
 * (`cursor`: the incremental cursor, whose values the scan also collects — see CursorScan).
 */
export type ScanField = { kind: 'struct'; node: ScanNode } | { kind: 'leaf'; type: DataType; cursor?: boolean };

/**
 * The incremental cursor's values in a scanned page, as byte ranges of the body: the smallest,
 * the largest, and the records holding the largest (their `{...}` ranges, to parse just those
 * for the boundary state). `usable` is false when some value cannot be compared on its bytes
 * (escapes, non-ASCII text, strings and numbers mixed); `missing` when a record has no value.
 */
export interface CursorScan {
  kind: 'string' | 'number' | undefined;
  usable: boolean;
  missing: boolean;
  min: [number, number];
  max: [number, number];
  /** Start and end offsets of the records whose cursor equals `max`, flat: [s0, e0, s1, e1, …]. */
  atMax: number[];
}

interface Entry {
  key: Uint8Array;
  /** The key's whole 4-byte words (little-endian), compared four bytes at a time. */
  words: Int32Array;
  field: ScanField;
}

/** The keys of one object level, looked up by a hash of their UTF-8 bytes (no string per key). */
export class ScanNode {
  private readonly byHash = new Map<number, Entry[]>();
  /**
   * Keys in layout order (the order records usually list them), for matching the bytes of the
   * next key directly; keys whose JSON form would need escapes are left out (found by hash).
   */
  readonly ordered: Entry[] = [];

  set(key: string, field: ScanField): void {
    const bytes = Buffer.from(key, 'utf8');
    const hash = hashBytes(bytes, 0, bytes.length);
    const entries = this.byHash.get(hash);
    const entry = { key: bytes, words: new Int32Array(0), field };
    if (entries) entries.push(entry);
    else this.byHash.set(hash, [entry]);
    if (bytes.some((c) => c === 0x22 || c === 0x5c || c < 0x20)) return;
    const words = new Int32Array(bytes.length >> 2);
    for (let j = 0; j < words.length; j++) words[j] = bytes.readInt32LE(j * 4);
    this.ordered.push({ key: bytes, words, field });
  }

  /** Every key whose JSON form needs no escape, in layout order, with what it holds. */
  plainKeys(): readonly { key: Uint8Array; field: ScanField }[] {
    return this.ordered;
  }

  find(bytes: Uint8Array, start: number, end: number, hash: number): ScanField | undefined {
    const entries = this.byHash.get(hash);
    if (entries === undefined) return undefined;
    for (const entry of entries) if (sameBytes(entry.key, bytes, start, end)) return entry.field;
    return undefined;
  }
}

const FAIL = -1;
/** The page being scanned, for reading four bytes at once (a scan runs start to end synchronously). */
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
/** The cursor value of the record being scanned: its byte range and kind (0 none, 1 string, 2 number, 3 unusable). */
let cursorStart = 0;
let cursorEnd = 0;
let cursorKind = 0;
/** The page's smallest and largest numeric cursor values so far (kind 'number'). */
let minNumber = 0;
let maxNumber = 0;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME);
  return h;
}

function sameBytes(key: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== bytes[start + i]) return false;
  return true;
}

/**
 * The number of records in `body` when every record fits the layout under `root` exactly;
 * undefined when the page must be parsed (including an empty array, which is cheap to parse).
 */
export function scanRawRecords(body: Uint8Array, root: ScanNode, cursor?: CursorScan, framing?: RawFraming, failure?: ScanFailure): number | undefined {
  if (failure) failure.record = -1;
  if (!isUtf8(body)) return undefined;
  if (cursor) {
    cursor.kind = undefined;
    cursor.usable = true;
    cursor.missing = false;
    cursor.atMax = [];
  }
  view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const n = body.length;
  let i = skipWs(body, 0, n);
  if (i >= n || body[i] !== 0x5b) return undefined; // [
  const open = i;
  i = skipWs(body, i + 1, n);
  let count = 0;
  const commas: number[] = [];
  lineBreakInRecord = false;
  for (;;) {
    if (i >= n || body[i] !== 0x7b) return undefined; // { — every element must be an object
    const recordStart = i;
    cursorKind = 0;
    i = scanObject(body, i + 1, n, root);
    if (i === FAIL) {
      if (failure) failure.record = recordStart;
      return undefined;
    }
    if (cursor) noteCursor(body, cursor, recordStart, i);
    count++;
    i = skipWs(body, i, n);
    if (i >= n) return undefined;
    const c = body[i];
    if (c === 0x2c) {
      commas.push(i);
      i = skipWs(body, i + 1, n);
      continue;
    }
    if (c === 0x5d) break; // ]
    return undefined;
  }
  if (skipWs(body, i + 1, n) !== n) return undefined;
  if (framing) {
    framing.open = open;
    framing.close = i;
    framing.commas = Int32Array.from(commas);
    framing.at = piecesAt(framing.commas, framing.bytes);
    framing.lineBreakInRecord = lineBreakInRecord;
  }
  return count;
}

/** Where a declined page's first misfit record starts (-1: the page failed outside any record). */
export interface ScanFailure {
  record: number;
}

/**
 * How an accepted page (a JSON array of records) is framed: its `[` and `]`, the commas between
 * its records, and which of those commas cut it into pieces of about `bytes` each — filled while
 * the page is walked, so `PackageWriter.appendRaw` can store it as NDJSON (the commas become
 * newlines, which DuckDB reads at about half the cost of an array) in pieces without a second
 * pass over the bytes.
 */
export interface RawFraming {
  bytes: number;
  open: number;
  close: number;
  /** Offsets of the commas between records, ascending. */
  commas: Int32Array;
  /** Of those, where the page is cut into pieces, ascending. */
  at: number[];
  /** Whether a record has a line break between its tokens (then it cannot be one NDJSON line). */
  lineBreakInRecord: boolean;
}

/** The framing of a page from its record slices (see `recordSlices`); pieces of about `bytes`. */
export function framingOfSlices(body: Uint8Array, slices: readonly number[], bytes: number): RawFraming {
  const commas: number[] = [];
  for (let k = 1; k + 1 < slices.length; k += 2) {
    let comma = slices[k] as number;
    while (body[comma] !== 0x2c) comma++;
    commas.push(comma);
  }
  let close = (slices[slices.length - 1] as number) ?? 0;
  while (body[close] !== 0x5d) close++;
  return { bytes, open: skipWs(body, 0, body.length), close, commas: Int32Array.from(commas), at: piecesAt(commas, bytes), lineBreakInRecord: lineBreakInSlices(body, slices) };
}

/** Of a page's record commas, those that cut it into pieces of about `bytes` each. */
export function piecesAt(commas: ArrayLike<number>, bytes: number): number[] {
  const at: number[] = [];
  let pieceStart = 0;
  for (let k = 0; k < commas.length; k++) {
    const comma = commas[k] as number;
    if (comma - pieceStart < bytes) continue;
    at.push(comma);
    pieceStart = comma;
  }
  return at;
}

/** Whether a line break falls inside one of the `[start, end)` slices of `body`. */
function lineBreakInSlices(body: Uint8Array, slices: readonly number[]): boolean {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  for (const mark of [0x0a, 0x0d]) {
    let at = bytes.indexOf(mark);
    for (let k = 0; at !== -1 && k < slices.length; k += 2) {
      const start = slices[k] as number;
      if (at < start) at = bytes.indexOf(mark, start);
      if (at !== -1 && at < (slices[k + 1] as number)) return true;
    }
  }
  return false;
}

/** Whether a record scanned since the flag was cleared had a line break between its tokens. */
let lineBreakInRecord = false;

/** `skipWs` inside a record, noting a line break (the page cannot then be NDJSON as it stands). */
function skipWsIn(b: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const c = b[i];
    if (c === 0x0a || c === 0x0d) lineBreakInRecord = true;
    else if (c !== 0x20 && c !== 0x09) return i;
    i++;
  }
  return i;
}

function skipWs(b: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
  return i;
}

/** Scans an object whose `{` is just before `i`; returns the index after its `}` or FAIL. */
function scanObject(b: Uint8Array, i: number, n: number, node: ScanNode): number {
  i = skipWsIn(b, i, n);
  if (i < n && b[i] === 0x7d) return i + 1;
  const ordered = node.ordered;
  let guess = 0;
  for (;;) {
    if (i >= n || b[i] !== 0x22) return FAIL;
    const start = ++i;
    let field: ScanField | undefined;
    // Fast path: the key is one of the next few keys in layout order, matched byte by byte.
    for (let k = guess, last = Math.min(guess + 4, ordered.length); k < last; k++) {
      const entry = ordered[k] as Entry;
      const key = entry.key;
      const len = key.length;
      if (b[start + len] !== 0x22) continue;
      const words = entry.words;
      let w = 0;
      while (w < words.length && view.getInt32(start + w * 4, true) === words[w]) w++;
      if (w < words.length) continue;
      let j = w * 4;
      while (j < len && key[j] === b[start + j]) j++;
      if (j === len) {
        field = entry.field;
        guess = k + 1;
        i = start + len;
        break;
      }
    }
    if (field === undefined) {
      let h = FNV_OFFSET;
      for (;;) {
        if (i >= n) return FAIL;
        const c = b[i] as number;
        if (c === 0x22) break;
        if (c === 0x5c || c < 0x20) return FAIL; // escaped keys: let the parser decide
        h = Math.imul(h ^ c, FNV_PRIME);
        i++;
      }
      field = node.find(b, start, i, h);
    }
    i = skipWsIn(b, i + 1, n);
    if (i >= n || b[i] !== 0x3a) return FAIL; // :
    i = scanValue(b, skipWsIn(b, i + 1, n), n, field);
    if (i === FAIL) return FAIL;
    i = skipWsIn(b, i, n);
    if (i >= n) return FAIL;
    const c = b[i];
    if (c === 0x2c) {
      i = skipWsIn(b, i + 1, n);
      continue;
    }
    return c === 0x7d ? i + 1 : FAIL;
  }
}

function scanValue(b: Uint8Array, i: number, n: number, field: ScanField | undefined): number {
  if (i >= n) return FAIL;
  const c = b[i] as number;
  // null: no column needed, whatever the key (as the normalizer skips nulls).
  if (c === 0x6e) return b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : FAIL;
  if (field === undefined) return FAIL;
  if (c === 0x22) return scanString(b, i + 1, n, field);
  if (c === 0x7b) return field.kind === 'struct' ? scanObject(b, i + 1, n, field.node) : FAIL;
  if (field.kind !== 'leaf') return FAIL;
  if (field.cursor === true) {
    const end = scanNumber(b, i, n, field.type);
    if (end !== FAIL) {
      cursorStart = i;
      cursorEnd = end;
      cursorKind = 2;
    }
    return end;
  }
  if (c === 0x74 || c === 0x66) {
    if (field.type !== 'bool' && field.type !== 'text') return FAIL;
    if (c === 0x74) return b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : FAIL;
    return b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : FAIL;
  }
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return scanNumber(b, i, n, field.type);
  return FAIL; // lists and anything else
}

/** Bytes that end a plain run inside a JSON string: the quote, the backslash, control characters. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[0x22] = 1;
STRING_STOP[0x5c] = 1;

/** A string value starting at `i` (after the quote); returns the index after the closing quote. */
function scanString(b: Uint8Array, i: number, n: number, field: ScanField): number {
  if (field.kind !== 'leaf') return FAIL;
  const start = i;
  let escaped = false;
  for (;;) {
    // Four bytes at a time while none is a quote, a backslash or a control character (the test
    // may stop early on a false alarm; the byte loop after it is exact).
    while (i + 4 <= n) {
      const x = view.getInt32(i, true);
      const q = x ^ 0x22222222;
      const e = x ^ 0x5c5c5c5c;
      if ((((q - 0x01010101) & ~q) | ((e - 0x01010101) & ~e) | ((x - 0x20202020) & ~x)) & 0x80808080) break;
      i += 4;
    }
    while (i < n && STRING_STOP[b[i] as number] === 0) i++;
    if (i >= n) return FAIL;
    const c = b[i] as number;
    if (c === 0x22) break;
    if (c === 0x5c) {
      escaped = true;
      const e = b[i + 1];
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) if (!isHex(b[i + k])) return FAIL;
        i += 6;
      } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        i += 2;
      } else return FAIL;
      continue;
    }
    if (c < 0x20) return FAIL;
    i++;
  }
  if (field.cursor === true) {
    cursorStart = start;
    cursorEnd = i;
    cursorKind = escaped || !isAscii(b, start, i) ? 3 : 1;
  }
  if (field.type === 'text') return i + 1;
  if (escaped || !stringFits(b, start, i, field.type)) return FAIL;
  return i + 1;
}

function isAscii(b: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if ((b[k] as number) >= 0x80) return false;
  return true;
}

/** Folds the cursor value of the record just scanned (`b[start, end)`) into `cursor`. */
function noteCursor(b: Uint8Array, cursor: CursorScan, start: number, end: number): void {
  if (cursorKind === 0) {
    cursor.missing = true;
    return;
  }
  const kind = cursorKind === 1 ? 'string' : cursorKind === 2 ? 'number' : undefined;
  if (kind === undefined || (cursor.kind !== undefined && cursor.kind !== kind)) {
    cursor.usable = false;
    return;
  }
  // A number is converted once per record; the page's smallest and largest are kept as values.
  const value = kind === 'number' ? Number(textOf(b, cursorStart, cursorEnd)) : 0;
  if (cursor.kind === undefined) {
    cursor.kind = kind;
    cursor.min = [cursorStart, cursorEnd];
    cursor.max = [cursorStart, cursorEnd];
    cursor.atMax.push(start, end);
    minNumber = maxNumber = value;
    return;
  }
  const below = kind === 'number' ? value - minNumber : compareBytes(b, cursorStart, cursorEnd, cursor.min[0], cursor.min[1]);
  if (below < 0) {
    cursor.min = [cursorStart, cursorEnd];
    minNumber = value;
  }
  const c = kind === 'number' ? value - maxNumber : compareBytes(b, cursorStart, cursorEnd, cursor.max[0], cursor.max[1]);
  if (c > 0) {
    cursor.max = [cursorStart, cursorEnd];
    cursor.atMax = [start, end];
    maxNumber = value;
  } else if (c === 0) cursor.atMax.push(start, end);
}

/** Compares two text cursor values held in `b` by their bytes (ASCII: the cursor's code-unit order). */
function compareBytes(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): number {
  const n = Math.min(e1 - s1, e2 - s2);
  for (let k = 0; k < n; k++) {
    const d = (b[s1 + k] as number) - (b[s2 + k] as number);
    if (d !== 0) return d;
  }
  return e1 - s1 - (e2 - s2);
}

function textOf(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** A JSON number literal; only the forms whose fit is certain without converting it are accepted. */
function scanNumber(b: Uint8Array, i: number, n: number, type: DataType): number {
  if (b[i] === 0x2d) i++;
  const intStart = i;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i])) while (i < n && isDigit(b[i])) i++;
  else return FAIL;
  const intDigits = i - intStart;
  let fraction = false;
  if (b[i] === 0x2e) {
    i++;
    if (!isDigit(b[i])) return FAIL;
    while (i < n && isDigit(b[i])) i++;
    fraction = true;
  }
  if (b[i] === 0x65 || b[i] === 0x45) return FAIL; // exponents: let the parser decide
  switch (type) {
    case 'text':
      return i;
    case 'bigint':
      return !fraction && intDigits <= 15 ? i : FAIL; // surely a safe integer
    case 'double':
      return intDigits <= 300 ? i : FAIL; // surely finite
    default:
      return FAIL;
  }
}

/** `fits(value, type)` of the normalizer, for a string value held in `b[start, end)` without escapes. */
export function stringFits(b: Uint8Array, start: number, end: number, type: DataType): boolean {
  switch (type) {
    case 'text':
    case 'json':
      return true;
    case 'bigint':
      return isBigintText(b, start, end);
    case 'double':
      return isDoubleText(b, start, end);
    case 'bool':
      return end - start === 4
        ? b[start] === 0x74 && b[start + 1] === 0x72 && b[start + 2] === 0x75 && b[start + 3] === 0x65
        : end - start === 5 && b[start] === 0x66 && b[start + 1] === 0x61 && b[start + 2] === 0x6c && b[start + 3] === 0x73 && b[start + 4] === 0x65;
    case 'date':
      return end - start === 10 && isDate(b, start);
    case 'timestamp':
      return end - start === 10 ? isDate(b, start) : isTimestamp(b, start, end);
  }
}

// -?(0|[1-9][0-9]{0,17})
function isBigintText(b: Uint8Array, i: number, end: number): boolean {
  if (b[i] === 0x2d) i++;
  const digits = end - i;
  if (digits < 1 || digits > 18) return false;
  if (b[i] === 0x30) return digits === 1;
  for (let k = i; k < end; k++) if (!isDigit(b[k])) return false;
  return true;
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)? — exponents are left to the parser (a DOUBLE can overflow).
function isDoubleText(b: Uint8Array, i: number, end: number): boolean {
  if (b[i] === 0x2d) i++;
  if (i >= end) return false;
  if (b[i] === 0x30) i++;
  else {
    if (!isDigit(b[i])) return false;
    while (i < end && isDigit(b[i])) i++;
  }
  if (i === end) return true;
  if (b[i] !== 0x2e) return false;
  i++;
  if (i >= end) return false;
  for (; i < end; i++) if (!isDigit(b[i])) return false;
  return true;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digitAt(b: Uint8Array, i: number): number {
  const c = b[i];
  return c !== undefined && c >= 0x30 && c <= 0x39 ? c - 0x30 : -100;
}

// [0-9]{4}-[01][0-9]-[0-3][0-9], and a real calendar date.
function isDate(b: Uint8Array, i: number): boolean {
  const year = digitAt(b, i) * 1000 + digitAt(b, i + 1) * 100 + digitAt(b, i + 2) * 10 + digitAt(b, i + 3);
  if (year < 0 || b[i + 4] !== 0x2d || b[i + 7] !== 0x2d) return false;
  const m1 = digitAt(b, i + 5);
  const m2 = digitAt(b, i + 6);
  const d1 = digitAt(b, i + 8);
  const d2 = digitAt(b, i + 9);
  if (m1 < 0 || m1 > 1 || m2 < 0 || d1 < 0 || d1 > 3 || d2 < 0) return false;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}

// date [T ] ([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?Z?
function isTimestamp(b: Uint8Array, i: number, end: number): boolean {
  if (end - i < 16 || !isDate(b, i)) return false;
  const sep = b[i + 10];
  if (sep !== 0x54 && sep !== 0x20) return false;
  const h1 = digitAt(b, i + 11);
  const h2 = digitAt(b, i + 12);
  if (h1 < 0 || h1 > 2 || h2 < 0 || (h1 === 2 && h2 > 3)) return false;
  if (b[i + 13] !== 0x3a || !isMinute(b, i + 14)) return false;
  let k = i + 16;
  if (k < end && b[k] === 0x3a) {
    if (!isMinute(b, k + 1)) return false;
    k += 3;
    if (k < end && b[k] === 0x2e) {
      const fracStart = ++k;
      while (k < end && isDigit(b[k])) k++;
      const digits = k - fracStart;
      if (digits < 1 || digits > 6) return false;
    }
  }
  if (k < end && b[k] === 0x5a) k++;
  return k === end;
}

function isMinute(b: Uint8Array, i: number): boolean {
  const a = digitAt(b, i);
  const c = digitAt(b, i + 1);
  return a >= 0 && a <= 5 && c >= 0;
}

/**
 * The `[start, end)` byte ranges of the elements of a JSON array, flat: [s0, e0, s1, e1, …];
 * undefined when the body is not an array of objects (or not well-formed enough to split).
 * With `limit`, only the first `limit` records (fewer when the array has fewer).
 * Only the nesting is followed (strings and escapes skipped); each slice is parsed on its own.
 */
export function recordSlices(body: Uint8Array, limit = Infinity): number[] | undefined {
  const n = body.length;
  let i = skipWs(body, 0, n);
  if (i >= n || body[i] !== 0x5b) return undefined;
  i = skipWs(body, i + 1, n);
  const out: number[] = [];
  if (body[i] === 0x5d) return skipWs(body, i + 1, n) === n ? out : undefined;
  for (;;) {
    if (i >= n || body[i] !== 0x7b) return undefined;
    const start = i;
    i = objectEnd(body, start);
    if (i < 0) return undefined;
    out.push(start, i);
    // Only the first `limit` records are wanted: the rest of the array is not checked.
    if (out.length >= 2 * limit) return out;
    i = skipWs(body, i, n);
    if (body[i] === 0x2c) {
      i = skipWs(body, i + 1, n);
      continue;
    }
    if (body[i] === 0x5d && skipWs(body, i + 1, n) === n) return out;
    return undefined;
  }
}

/**
 * The index after the object (or array) starting at `start`, following only the nesting
 * (strings and escapes skipped); -1 when the body ends first.
 */
export function objectEnd(body: Uint8Array, start: number): number {
  const n = body.length;
  let depth = 0;
  for (let i = start; i < n; i++) {
    const c = body[i] as number;
    if (c === 0x22) {
      for (i++; i < n && body[i] !== 0x22; i++) if (body[i] === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
  }
  return -1;
}

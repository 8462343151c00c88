/**
 * The raw route's byte check compiled to WebAssembly with SIMD (AssemblyScript; built by
 * `npm run build:wasm` into ../raw-scan-wasm.generated.ts). It answers what `scanRawRecords` in
 * ../raw-scan.ts answers — does every record of a JSON array fit the raw layout as it stands? —
 * for pages without an incremental cursor, about four times faster: strings are skipped sixteen
 * bytes at a time. The JavaScript side (../raw-scan-wasm.ts) lays out the keys, copies the page
 * in windows of about a megabyte and calls `scanWindow` per window; a record cut by a window's
 * end is scanned again from its start in the next window.
 *
 * Memory, all laid out by the caller: the layout (nodes, entries, key bytes), the commas found
 * (i32 offsets into the page), the window itself followed by 64 bytes of `"`.
 */

/** Leaf types, as ../raw-scan-wasm.ts numbers them. */
const T_TEXT: i32 = 0;
const T_JSON: i32 = 1;
const T_BIGINT: i32 = 2;
const T_DOUBLE: i32 = 3;
const T_BOOL: i32 = 4;
const T_DATE: i32 = 5;
const T_TIMESTAMP: i32 = 6;

/** Entry kinds: a struct, a leaf, the incremental cursor's leaf. */
const K_STRUCT: i32 = 0;
const K_LEAF: i32 = 1;
const K_CURSOR: i32 = 2;

/** Results: the record does not fit (or is malformed); the window ended inside it. */
const FAIL: i32 = -1;
const MORE: i32 = -2;
/** `scanWindow`: more commas (or records at the cursor's largest value) than the caller made room for, or a cursor value this scanner does not compare (numbers, long values): the caller asks the JavaScript scanner. */
const FULL: i32 = -3;

/** The cursor's values: the record's (kind 0 none, 1 plain ASCII string, 2 number, 3 escaped or not ASCII). */
let curStart: usize = 0;
let curEnd: usize = 0;
let curKind: i32 = 0;
/** The page's: its kind (0 none yet), whether usable, whether a record had none. */
let pageKind: i32 = 0;
let usable: bool = true;
let missing: bool = false;
/** Copies of the page's smallest and largest values (at most 256 bytes each), and their page offsets. */
let minCopy: usize = 0;
let maxCopy: usize = 0;
let minLen: i32 = 0;
let maxLen: i32 = 0;
let minAt: i32 = 0;
let maxAt: i32 = 0;
/** Page offsets of the records at the largest value: [start, end] pairs, at most `atMaxCap`. */
let atMax: usize = 0;
let atMaxCap: i32 = 0;
let atMaxCount: i32 = 0;
const MAX_CURSOR_BYTES: i32 = 256;

/** Nodes: [entries pointer, entry count] per node, node 0 the record; entries: [key pointer, key length, kind, type or node]. */
let nodes: usize = 0;
/** The window's end, and whether it is the page's last (then an early end is malformed JSON). */
let end: usize = 0;
let last: bool = false;
let lineBreak: bool = false;
let commas: usize = 0;
let commaCap: i32 = 0;
let commaCount: i32 = 0;
let resumeAt: i32 = 0;
let resumeState: i32 = 0;
let closeAt: i32 = -1;
let openAt: i32 = -1;
let failedAt: i32 = -1;

export function setLayout(ptr: usize): void {
  nodes = ptr;
}

export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

export function commaCountOf(): i32 {
  return commaCount;
}
export function resumeAtOf(): i32 {
  return resumeAt;
}
export function resumeStateOf(): i32 {
  return resumeState;
}
export function closeAtOf(): i32 {
  return closeAt;
}
export function openAtOf(): i32 {
  return openAt;
}
/** After FAIL: where the misfit record starts in the window, or -1 (a failure outside any record). */
export function failedAtOf(): i32 {
  return failedAt;
}
export function lineBreakOf(): bool {
  return lineBreak;
}
/** Starts a page; `cursorBuffers`: 512 bytes for the cursor's smallest and largest, then room for `cap` pairs of record offsets. */
export function resetPage(cursorBuffers: usize, cap: i32): void {
  lineBreak = false;
  pageKind = 0;
  usable = true;
  missing = false;
  minLen = 0;
  maxLen = 0;
  minAt = 0;
  maxAt = 0;
  minCopy = cursorBuffers;
  maxCopy = cursorBuffers + <usize>MAX_CURSOR_BYTES;
  atMax = cursorBuffers + <usize>(2 * MAX_CURSOR_BYTES);
  atMaxCap = cap;
  atMaxCount = 0;
}
export function cursorKindOf(): i32 {
  return pageKind;
}
export function cursorUsableOf(): bool {
  return usable;
}
export function cursorMissingOf(): bool {
  return missing;
}
export function minAtOf(): i32 {
  return minAt;
}
export function minLenOf(): i32 {
  return minLen;
}
export function maxAtOf(): i32 {
  return maxAt;
}
export function maxLenOf(): i32 {
  return maxLen;
}
export function atMaxCountOf(): i32 {
  return atMaxCount;
}

// @ts-ignore: decorator
@inline function out(): i32 {
  return last ? FAIL : MORE;
}

/** Whitespace between records (no line-break bookkeeping). */
function skipWs(i: usize): usize {
  while (i < end) {
    const c = load<u8>(i);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) return i;
    i++;
  }
  return i;
}

/** Whitespace inside a record: a line break there keeps the page from being NDJSON as it stands. */
// @ts-ignore: decorator
@inline function skipWsIn(i: usize): usize {
  // Compact JSON has none: one test, no loop.
  return i < end && load<u8>(i) > 0x20 ? i : skipWsInLoop(i);
}

function skipWsInLoop(i: usize): usize {
  while (i < end) {
    const c = load<u8>(i);
    if (c == 0x0a || c == 0x0d) lineBreak = true;
    else if (c != 0x20 && c != 0x09) return i;
    i++;
  }
  return i;
}

/** The first quote, backslash or control character at or after `i` (the padding stops it). */
// @ts-ignore: decorator
@inline function stringStop(i: usize): usize {
  const quote = i8x16.splat(0x22);
  const slash = i8x16.splat(0x5c);
  const space = i8x16.splat(0x20);
  let mask: i32 = 0;
  do {
    const v = v128.load(i);
    mask = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, slash)), i8x16.lt_u(v, space)));
    i += 16;
  } while (mask == 0);
  return i - 16 + <usize>ctz<i32>(mask);
}

/** Whether `len` bytes at `a` and `b` are equal (reads up to 15 bytes past either: the padding). */
function sameBytes(a: usize, b: usize, len: i32): bool {
  while (len > 16) {
    if (!v128.all_true<i8>(i8x16.eq(v128.load(a), v128.load(b)))) return false;
    a += 16;
    b += 16;
    len -= 16;
  }
  const differ = i8x16.bitmask(v128.not(i8x16.eq(v128.load(a), v128.load(b))));
  return (differ & ((1 << len) - 1)) == 0;
}

/** Scans an object whose `{` is just before `i` against node `node`; the index after its `}`, FAIL or MORE. */
function scanObject(i: usize, node: i32): i32 {
  i = skipWsIn(i);
  if (i >= end) return out();
  if (load<u8>(i) == 0x7d) return <i32>(i + 1);
  const entries = load<u32>(nodes + (<usize>node << 3));
  const count = load<i32>(nodes + (<usize>node << 3) + 4);
  let guess: i32 = 0;
  for (;;) {
    if (i >= end) return out();
    if (load<u8>(i) != 0x22) return FAIL;
    const start = i + 1;
    let entry: usize = 0;
    // Fast path: the key is one of the next few keys in layout order, and its quote and colon
    // follow at once (key bytes are stored with `":` after them: one comparison for all three).
    const stop = min(guess + 4, count);
    for (let k = guess; k < stop; k++) {
      const e = <usize>entries + (<usize>k << 4);
      const len = load<i32>(e + 4) + 2;
      if (start + <usize>len > end) continue;
      if (sameBytes(start, <usize>load<u32>(e), len)) {
        guess = k + 1;
        const next = scanValue(skipWsIn(start + <usize>len), e);
        if (next < 0) return next;
        i = <usize>next;
        entry = e;
        break;
      }
    }
    if (entry != 0) {
      i = skipWsIn(i);
      if (i >= end) return out();
      const c = load<u8>(i);
      if (c == 0x2c) {
        i = skipWsIn(i + 1);
        continue;
      }
      return c == 0x7d ? <i32>(i + 1) : FAIL;
    }
    {
      i = stringStop(start);
      if (i >= end) return out();
      if (load<u8>(i) != 0x22) return FAIL; // escaped keys: let the parser decide
      const len = <i32>(i - start);
      for (let k: i32 = 0; k < count; k++) {
        const e = <usize>entries + (<usize>k << 4);
        if (load<i32>(e + 4) == len && sameBytes(start, <usize>load<u32>(e), len)) {
          entry = e;
          // The next key likely follows this one: records list keys in one order.
          guess = k + 1;
          break;
        }
      }
    }
    i = skipWsIn(i + 1);
    if (i >= end) return out();
    if (load<u8>(i) != 0x3a) return FAIL; // :
    const next = scanValue(skipWsIn(i + 1), entry);
    if (next < 0) return next;
    i = skipWsIn(<usize>next);
    if (i >= end) return out();
    const c = load<u8>(i);
    if (c == 0x2c) {
      i = skipWsIn(i + 1);
      continue;
    }
    return c == 0x7d ? <i32>(i + 1) : FAIL;
  }
}

// @ts-ignore: decorator
@inline function scanValue(i: usize, entry: usize): i32 {
  if (i >= end) return out();
  const c = load<u8>(i);
  // null: no column needed, whatever the key (as the normalizer skips nulls).
  if (c == 0x6e) {
    if (i + 4 > end) return out();
    return load<u8>(i + 1) == 0x75 && load<u8>(i + 2) == 0x6c && load<u8>(i + 3) == 0x6c ? <i32>(i + 4) : FAIL;
  }
  if (entry == 0) return FAIL;
  const kind = load<i32>(entry + 8);
  const arg = load<i32>(entry + 12);
  if (kind == K_CURSOR) return scanCursor(i, c, arg);
  if (c == 0x22) {
    if (kind != K_LEAF) return FAIL;
    // Text without escapes (most values): its closing quote is the first stop, no call needed.
    if (arg == T_TEXT) {
      const stop = stringStop(i + 1);
      if (stop < end && load<u8>(stop) == 0x22) return <i32>(stop + 1);
    }
    return scanString(i + 1, arg);
  }
  if (c == 0x7b) return kind == K_STRUCT ? scanObject(i + 1, arg) : FAIL;
  if (kind != K_LEAF) return FAIL;
  if (c == 0x74 || c == 0x66) {
    if (arg != T_BOOL && arg != T_TEXT) return FAIL;
    if (c == 0x74) {
      if (i + 4 > end) return out();
      return load<u8>(i + 1) == 0x72 && load<u8>(i + 2) == 0x75 && load<u8>(i + 3) == 0x65 ? <i32>(i + 4) : FAIL;
    }
    if (i + 5 > end) return out();
    return load<u8>(i + 1) == 0x61 && load<u8>(i + 2) == 0x6c && load<u8>(i + 3) == 0x73 && load<u8>(i + 4) == 0x65 ? <i32>(i + 5) : FAIL;
  }
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return scanNumber(i, arg);
  return FAIL; // lists and anything else
}

/** The cursor's value (as the JavaScript scanner takes it: a string, else a number). */
function scanCursor(i: usize, c: u32, type: i32): i32 {
  if (c == 0x22) {
    const end = scanString(i + 1, type);
    if (end < 0) return end;
    curStart = i + 1;
    curEnd = <usize>end - 1;
    curKind = 1;
    for (let k = curStart; k < curEnd; k++) {
      const b = load<u8>(k);
      if (b == 0x5c || b >= 0x80) {
        curKind = 3;
        break;
      }
    }
    return end;
  }
  if (c == 0x7b) return FAIL;
  const end = scanNumber(i, type);
  if (end >= 0) {
    curStart = i;
    curEnd = <usize>end;
    curKind = 2;
  }
  return end;
}

/** Bytes compared as the JavaScript scanner compares ASCII cursor strings. */
function compareBytes(a: usize, aLen: i32, b: usize, bLen: i32): i32 {
  const n = min(aLen, bLen);
  for (let k: i32 = 0; k < n; k++) {
    const d = <i32>load<u8>(a + <usize>k) - <i32>load<u8>(b + <usize>k);
    if (d != 0) return d;
  }
  return aLen - bLen;
}

/** Folds the record just scanned ([recordStart, recordEnd) in the window at page offset `base`) into the page's cursor values; false when this scanner cannot. */
function noteCursor(windowStart: usize, base: i32, recordStart: usize, recordEnd: usize): bool {
  if (curKind == 0) {
    missing = true;
    return true;
  }
  if (curKind == 2) return false; // numbers: compared as JavaScript numbers, by the JavaScript scanner
  if (curKind == 3 || (pageKind != 0 && pageKind != curKind)) {
    usable = false;
    return true;
  }
  const len = <i32>(curEnd - curStart);
  if (len > MAX_CURSOR_BYTES) return false;
  const at = base + <i32>(curStart - windowStart);
  const start = base + <i32>(recordStart - windowStart);
  const end = base + <i32>(recordEnd - windowStart);
  if (pageKind == 0) {
    pageKind = curKind;
    memory.copy(minCopy, curStart, <usize>len);
    memory.copy(maxCopy, curStart, <usize>len);
    minLen = maxLen = len;
    minAt = maxAt = at;
    atMaxCount = 0;
    return pushAtMax(start, end);
  }
  if (compareBytes(curStart, len, minCopy, minLen) < 0) {
    memory.copy(minCopy, curStart, <usize>len);
    minLen = len;
    minAt = at;
  }
  const c = compareBytes(curStart, len, maxCopy, maxLen);
  if (c > 0) {
    memory.copy(maxCopy, curStart, <usize>len);
    maxLen = len;
    maxAt = at;
    atMaxCount = 0;
    return pushAtMax(start, end);
  }
  return c == 0 ? pushAtMax(start, end) : true;
}

function pushAtMax(start: i32, end: i32): bool {
  if (atMaxCount >= atMaxCap) return false;
  store<i32>(atMax + (<usize>atMaxCount << 3), start);
  store<i32>(atMax + (<usize>atMaxCount << 3) + 4, end);
  atMaxCount++;
  return true;
}

function isHex(c: u32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

// @ts-ignore: decorator
@inline function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** A string value starting at `i` (after the quote); the index after the closing quote. */
function scanString(i: usize, type: i32): i32 {
  const start = i;
  let escaped = false;
  for (;;) {
    i = stringStop(i);
    if (i >= end) return out();
    const c = load<u8>(i);
    if (c == 0x22) return type == T_TEXT || (!escaped && stringFits(start, i, type)) ? <i32>(i + 1) : FAIL;
    if (c != 0x5c) return FAIL; // a control character
    escaped = true;
    if (i + 2 > end) return out();
    const e = load<u8>(i + 1);
    if (e == 0x75) {
      if (i + 6 > end) return out();
      for (let k: usize = 2; k < 6; k++) if (!isHex(load<u8>(i + k))) return FAIL;
      i += 6;
    } else if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
      i += 2;
    } else return FAIL;
  }
  return FAIL; // not reached (AssemblyScript's flow check wants it)
}

/** A JSON number literal; only the forms whose fit is certain without converting it are accepted. */
function scanNumber(i: usize, type: i32): i32 {
  if (load<u8>(i) == 0x2d) i++;
  if (i >= end) return out();
  const intStart = i;
  if (load<u8>(i) == 0x30) i++;
  else if (isDigit(load<u8>(i))) while (i < end && isDigit(load<u8>(i))) i++;
  else return FAIL;
  const intDigits = i - intStart;
  let fraction = false;
  if (i < end && load<u8>(i) == 0x2e) {
    i++;
    if (i >= end) return out();
    if (!isDigit(load<u8>(i))) return FAIL;
    while (i < end && isDigit(load<u8>(i))) i++;
    fraction = true;
  }
  // The number may go on in the next window.
  if (i >= end) return out();
  const c = load<u8>(i);
  if (c == 0x65 || c == 0x45) return FAIL; // exponents: let the parser decide
  if (type == T_TEXT) return <i32>i;
  if (type == T_BIGINT) return !fraction && intDigits <= 15 ? <i32>i : FAIL; // surely a safe integer
  if (type == T_DOUBLE) return intDigits <= 300 ? <i32>i : FAIL; // surely finite
  return FAIL;
}

/** `fits(value, type)` of the normalizer for an unescaped string value in [start, stop). */
function stringFits(start: usize, stop: usize, type: i32): bool {
  const len = <i32>(stop - start);
  if (type == T_JSON) return true;
  if (type == T_BIGINT) return isBigintText(start, stop);
  if (type == T_DOUBLE) return isDoubleText(start, stop);
  if (type == T_BOOL) {
    if (len == 4) return load<u8>(start) == 0x74 && load<u8>(start + 1) == 0x72 && load<u8>(start + 2) == 0x75 && load<u8>(start + 3) == 0x65;
    return len == 5 && load<u8>(start) == 0x66 && load<u8>(start + 1) == 0x61 && load<u8>(start + 2) == 0x6c && load<u8>(start + 3) == 0x73 && load<u8>(start + 4) == 0x65;
  }
  if (type == T_DATE) return len == 10 && isDate(start);
  if (type == T_TIMESTAMP) return len == 10 ? isDate(start) : isTimestamp(start, stop);
  return false;
}

// -?(0|[1-9][0-9]{0,17})
function isBigintText(i: usize, stop: usize): bool {
  if (i < stop && load<u8>(i) == 0x2d) i++;
  const digits = <i32>(stop - i);
  if (digits < 1 || digits > 18) return false;
  if (load<u8>(i) == 0x30) return digits == 1;
  for (let k = i; k < stop; k++) if (!isDigit(load<u8>(k))) return false;
  return true;
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?
function isDoubleText(i: usize, stop: usize): bool {
  if (i < stop && load<u8>(i) == 0x2d) i++;
  if (i >= stop) return false;
  if (load<u8>(i) == 0x30) i++;
  else {
    if (!isDigit(load<u8>(i))) return false;
    while (i < stop && isDigit(load<u8>(i))) i++;
  }
  if (i == stop) return true;
  if (load<u8>(i) != 0x2e) return false;
  i++;
  if (i >= stop) return false;
  for (; i < stop; i++) if (!isDigit(load<u8>(i))) return false;
  return true;
}

function digitAt(i: usize): i32 {
  const c = <i32>load<u8>(i);
  return c >= 0x30 && c <= 0x39 ? c - 0x30 : -100;
}

// [0-9]{4}-[01][0-9]-[0-3][0-9], and a real calendar date.
function isDate(i: usize): bool {
  const year = digitAt(i) * 1000 + digitAt(i + 1) * 100 + digitAt(i + 2) * 10 + digitAt(i + 3);
  if (year < 0 || load<u8>(i + 4) != 0x2d || load<u8>(i + 7) != 0x2d) return false;
  const m1 = digitAt(i + 5);
  const m2 = digitAt(i + 6);
  const d1 = digitAt(i + 8);
  const d2 = digitAt(i + 9);
  if (m1 < 0 || m1 > 1 || m2 < 0 || d1 < 0 || d1 > 3 || d2 < 0) return false;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  let days = 31;
  if (month == 2) days = leap ? 29 : 28;
  else if (month == 4 || month == 6 || month == 9 || month == 11) days = 30;
  return day <= days;
}

// date [T ] ([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?Z?
function isTimestamp(i: usize, stop: usize): bool {
  if (<i32>(stop - i) < 16 || !isDate(i)) return false;
  const sep = load<u8>(i + 10);
  if (sep != 0x54 && sep != 0x20) return false;
  const h1 = digitAt(i + 11);
  const h2 = digitAt(i + 12);
  if (h1 < 0 || h1 > 2 || h2 < 0 || (h1 == 2 && h2 > 3)) return false;
  if (load<u8>(i + 13) != 0x3a || !isMinute(i + 14)) return false;
  let k = i + 16;
  if (k < stop && load<u8>(k) == 0x3a) {
    if (!isMinute(k + 1)) return false;
    k += 3;
    if (k < stop && load<u8>(k) == 0x2e) {
      const fracStart = ++k;
      while (k < stop && isDigit(load<u8>(k))) k++;
      const digits = <i32>(k - fracStart);
      if (digits < 1 || digits > 6) return false;
    }
  }
  if (k < stop && load<u8>(k) == 0x5a) k++;
  return k == stop;
}

function isMinute(i: usize): bool {
  const a = digitAt(i);
  const c = digitAt(i + 1);
  return a >= 0 && a <= 5 && c >= 0;
}

/**
 * Scans the records of one window `[start, start + length)` of a page. `state`: 0 at the page's
 * start (before `[`), 1 where a record starts, 2 after a record (a comma or `]` next). Returns
 * the records scanned whole, or FAIL / FULL; then `resumeAt` (offset into the window) and
 * `resumeState` say where the next window starts — or `closeAt` is set at the closing `]`
 * (the caller checks that only whitespace follows). Commas between records are stored as
 * page offsets from `commaPtr`, at most `cap`. `base`: the window's offset in the page; with
 * `cursor`, each record's cursor value is folded into the page's (`noteCursor`).
 */
export function scanWindow(start: usize, length: i32, isLast: bool, state: i32, commaPtr: usize, cap: i32, base: i32, cursor: bool): i32 {
  end = start + <usize>length;
  last = isLast;
  commas = commaPtr;
  commaCap = cap;
  commaCount = 0;
  closeAt = -1;
  openAt = -1;
  failedAt = -1;
  let i = start;
  let count: i32 = 0;
  if (state == 0) {
    i = skipWs(i);
    if (i >= end) return stopAt(start, i, 0, count);
    if (load<u8>(i) != 0x5b) return FAIL; // [
    openAt = <i32>(i - start);
    i = skipWs(i + 1);
    state = 1;
  }
  for (;;) {
    if (state == 1) {
      i = skipWs(i);
      if (i >= end) return stopAt(start, i, 1, count);
      if (load<u8>(i) != 0x7b) return FAIL; // { — every element must be an object
      curKind = 0;
      const next = scanObject(i + 1, 0);
      if (next == MORE) return stopAt(start, i, 1, count);
      if (next < 0) {
        failedAt = <i32>(i - start);
        return FAIL;
      }
      if (cursor && !noteCursor(start, base, i, <usize>next)) return FULL;
      count++;
      i = <usize>next;
      state = 2;
    }
    i = skipWs(i);
    if (i >= end) return stopAt(start, i, 2, count);
    const c = load<u8>(i);
    if (c == 0x2c) {
      if (commaCount >= commaCap) return FULL;
      store<i32>(commas + (<usize>commaCount << 2), base + <i32>(i - start));
      commaCount++;
      i = skipWs(i + 1);
      state = 1;
      continue;
    }
    if (c != 0x5d) return FAIL; // ]
    closeAt = <i32>(i - start);
    return count;
  }
}

/** The window ended at `i` in `state`: resume there (malformed when it was the last window). */
function stopAt(start: usize, i: usize, state: i32, count: i32): i32 {
  if (last) return FAIL;
  resumeAt = <i32>(i - start);
  resumeState = state;
  return count;
}

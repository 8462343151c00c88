/**
 * The byte check in WebAssembly (assembly/raw-scan.ts, SIMD): the JavaScript side. It lays a
 * `ScanNode` tree out in the module's memory, copies a page through it in windows of about a
 * megabyte and gathers what `scanRawRecords` gathers — the record count and the page's framing —
 * about three times faster — with an incremental cursor's values too, when they are plain ASCII
 * strings of at most 256 bytes. Answers `unavailable` when it cannot answer (no WebAssembly,
 * more commas in a window than it made room for, a numeric cursor); the caller then asks
 * `scanRawRecords`, whose answers it otherwise gives exactly.
 */
import { isUtf8 } from 'node:buffer';
import type { DataType } from '../schema/types';
import { piecesAt, scanRawRecords, type CursorScan, type RawFraming, type ScanFailure, type ScanNode } from './raw-scan';
import { RAW_SCAN_WASM } from './raw-scan-wasm.generated';

/** The part of the WebAssembly API used here (Node has it; its types come with the DOM library). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface ScanExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  setLayout(pointer: number): void;
  resetPage(cursorBuffers: number, atMaxCapacity: number): void;
  scanWindow(start: number, length: number, isLast: number, state: number, commaPointer: number, capacity: number, base: number, cursor: number): number;
  cursorKindOf(): number;
  cursorUsableOf(): number;
  cursorMissingOf(): number;
  minAtOf(): number;
  minLenOf(): number;
  maxAtOf(): number;
  maxLenOf(): number;
  atMaxCountOf(): number;
  commaCountOf(): number;
  resumeAtOf(): number;
  resumeStateOf(): number;
  closeAtOf(): number;
  openAtOf(): number;
  lineBreakOf(): number;
  failedAtOf(): number;
}

/** Bytes of a page scanned per call (a record longer than this doubles it for that page). */
const WINDOW_BYTES = 1 << 20;
/** Bytes of `"` after a window: the SIMD loads read up to 16 bytes past its end and stop there. */
const PADDING = 64;
const FAIL = -1;
const FULL = -3;
const TYPE_CODES: Record<DataType, number> = { text: 0, json: 1, bigint: 2, double: 3, bool: 4, date: 5, timestamp: 6 };
const ENTRY_BYTES = 16;
/** Records at a page's largest cursor value this scanner keeps (more: the JavaScript scanner). */
const AT_MAX_CAPACITY = 65536;
/** The cursor's smallest and largest values (256 bytes each), then the records at the largest. */
const CURSOR_BYTES = 512 + AT_MAX_CAPACITY * 8;
const WASM_PAGE = 65536;

let module: ScanExports | null | undefined;
const layouts = new WeakMap<ScanNode, Uint8Array>();

function exportsOf(): ScanExports | null {
  if (module !== undefined) return module;
  try {
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    module = new api.Instance(new api.Module(Buffer.from(RAW_SCAN_WASM, 'base64')), {}).exports as ScanExports;
  } catch {
    module = null;
  }
  return module;
}

/**
 * The layout image of a tree placed at `base`: per node [entries pointer, entry count], then
 * per entry [key pointer, key length, kind (0 struct, 1 leaf, 2 cursor leaf), leaf type or child
 * node]; each key's bytes are followed by `":`.
 */
function layoutImage(root: ScanNode, base: number): Uint8Array {
  const nodes: ScanNode[] = [root];
  for (let k = 0; k < nodes.length; k++) {
    for (const { field } of (nodes[k] as ScanNode).plainKeys()) if (field.kind === 'struct') nodes.push(field.node);
  }
  const entryCount = nodes.reduce((n, node) => n + node.plainKeys().length, 0);
  // Each key followed by `":` (the fast path compares key, quote and colon at once).
  const keyBytes = nodes.reduce((n, node) => n + node.plainKeys().reduce((m, e) => m + e.key.length + 2, 0), 0);
  const entriesStart = nodes.length * 8;
  const keysStart = entriesStart + entryCount * ENTRY_BYTES;
  const image = new Uint8Array(keysStart + keyBytes);
  const view = new DataView(image.buffer);
  let entry = entriesStart;
  let key = keysStart;
  nodes.forEach((node, index) => {
    view.setUint32(index * 8, base + entry, true);
    view.setInt32(index * 8 + 4, node.plainKeys().length, true);
    for (const { key: bytes, field } of node.plainKeys()) {
      view.setUint32(entry, base + key, true);
      view.setInt32(entry + 4, bytes.length, true);
      view.setInt32(entry + 8, field.kind === 'struct' ? 0 : field.cursor === true ? 2 : 1, true);
      view.setInt32(entry + 12, field.kind === 'struct' ? nodes.indexOf(field.node) : TYPE_CODES[field.type], true);
      image.set(bytes, key);
      image[key + bytes.length] = 0x22;
      image[key + bytes.length + 1] = 0x3a;
      key += bytes.length + 2;
      entry += ENTRY_BYTES;
    }
  });
  return image;
}

/**
 * What `scanRawRecords(body, root, undefined, framing)` answers — the record count when every
 * record fits, undefined when the page must be parsed — with `framing`, `failure` and `cursor`
 * filled likewise; or `unavailable` when this scanner cannot answer.
 */
export function scanRawRecordsWasm(
  body: Uint8Array,
  root: ScanNode,
  framing?: RawFraming,
  failure?: ScanFailure,
  windowBytes = WINDOW_BYTES,
  cursor?: CursorScan,
): number | undefined | 'unavailable' {
  const wasm = exportsOf();
  if (!wasm) return 'unavailable';
  if (failure) failure.record = -1;
  if (!isUtf8(body)) return undefined;
  const base = Math.max(64, (wasm.heapBase() + 15) & ~15);
  let image = layouts.get(root);
  if (!image) {
    image = layoutImage(root, base);
    layouts.set(root, image);
  }
  const cursorPointer = (base + image.length + 15) & ~15;
  const commaPointer = cursorPointer + CURSOR_BYTES;
  const grow = (needed: number): void => {
    if (wasm.memory.buffer.byteLength < needed) wasm.memory.grow(Math.ceil((needed - wasm.memory.buffer.byteLength) / WASM_PAGE));
  };
  grow(commaPointer);
  new Uint8Array(wasm.memory.buffer).set(image, base);
  wasm.setLayout(base);
  let window = Math.min(windowBytes, Math.max(body.length, 16));
  let count = 0;
  let state = 0;
  let position = 0;
  let open = -1;
  // The page's record commas, gathered from each window's (page offsets, stored by the scanner).
  let commas = new Int32Array(1024);
  let commaCount = 0;
  wasm.resetPage(cursorPointer, AT_MAX_CAPACITY);
  for (;;) {
    // Room for the commas of a window: a record and its comma take at least three bytes.
    const capacity = (window >> 1) + 16;
    const windowPointer = commaPointer + capacity * 4;
    grow(windowPointer + window + PADDING);
    const memory = new Uint8Array(wasm.memory.buffer);
    const length = Math.min(window, body.length - position);
    const isLast = position + length >= body.length;
    memory.set(body.subarray(position, position + length), windowPointer);
    memory.fill(0x22, windowPointer + length, windowPointer + length + PADDING);
    const result = wasm.scanWindow(windowPointer, length, isLast ? 1 : 0, state, commaPointer, capacity, position, cursor ? 1 : 0);
    if (result === FAIL) {
      if (failure && wasm.failedAtOf() >= 0) failure.record = position + wasm.failedAtOf();
      return undefined;
    }
    if (result === FULL || result < 0) return 'unavailable';
    count += result;
    const found = wasm.commaCountOf();
    if (commaCount + found > commas.length) {
      const larger = new Int32Array(Math.max(commas.length * 2, commaCount + found));
      larger.set(commas.subarray(0, commaCount));
      commas = larger;
    }
    commas.set(new Int32Array(wasm.memory.buffer, commaPointer, found), commaCount);
    commaCount += found;
    if (wasm.openAtOf() >= 0) open = position + wasm.openAtOf();
    const closeAt = wasm.closeAtOf();
    if (closeAt >= 0) {
      const close = position + closeAt;
      for (let k = close + 1; k < body.length; k++) {
        const c = body[k];
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return undefined;
      }
      if (framing) fillFraming(framing, open, close, commas.subarray(0, commaCount), wasm.lineBreakOf() !== 0);
      if (cursor) fillCursor(cursor, wasm, cursorPointer);
      return count;
    }
    const resume = wasm.resumeAtOf();
    state = wasm.resumeStateOf();
    // A record longer than the window: scan it again in a window twice as large.
    if (resume === 0) window *= 2;
    position += resume;
  }
}

/** The page's cursor values as `scanRawRecords` reports them (`CursorScan`). */
function fillCursor(cursor: CursorScan, wasm: ScanExports, cursorPointer: number): void {
  cursor.kind = wasm.cursorKindOf() === 1 ? 'string' : undefined;
  cursor.usable = wasm.cursorUsableOf() !== 0;
  cursor.missing = wasm.cursorMissingOf() !== 0;
  cursor.min = [wasm.minAtOf(), wasm.minAtOf() + wasm.minLenOf()];
  cursor.max = [wasm.maxAtOf(), wasm.maxAtOf() + wasm.maxLenOf()];
  cursor.atMax = Array.from(new Int32Array(wasm.memory.buffer, cursorPointer + 512, wasm.atMaxCountOf() * 2));
}

function fillFraming(framing: RawFraming, open: number, close: number, commas: Int32Array, lineBreakInRecord: boolean): void {
  framing.open = open;
  framing.close = close;
  framing.commas = commas;
  framing.at = piecesAt(commas, framing.bytes);
  framing.lineBreakInRecord = lineBreakInRecord;
}

/**
 * The byte check: this scanner when it can answer, else `scanRawRecords` (the same answers;
 * `cursor` filled by whichever ran).
 */
export function scanRecords(body: Uint8Array, root: ScanNode, cursor?: CursorScan, framing?: RawFraming, failure?: ScanFailure): number | undefined {
  const fast = scanRawRecordsWasm(body, root, framing, failure, undefined, cursor);
  return fast === 'unavailable' ? scanRawRecords(body, root, cursor, framing, failure) : fast;
}

/**
 * The relational normalizer (dlt's `relational` semantics): turns raw items into rows of root
 * and child tables. Nested objects are flattened into `parent__child` columns, lists become
 * child tables `<table>__<field>` linked by `_dlt_parent_id` / `_dlt_list_idx` / `_dlt_root_id`,
 * names are snake_cased, column types are inferred per page (declared hints win), new columns
 * are added, and a value that does not fit its column's type goes to a variant column
 * `<column>__v_<type>` — never dropped, never a failed load. Output is one NDJSON line per row
 * per table, ready for DuckDB's `read_json`.
 */
import { randomBytes } from 'node:crypto';
import type { ColumnSchema, DataType, TableSchema, WriteDisposition } from '../schema/types';
import { CHILD_SYSTEM_COLUMNS, ROOT_SYSTEM_COLUMNS } from '../schema/types';
import { fits, inferType, unify } from './infer';
import { joinPath, snakeCase } from './naming';
import { scanRecords } from './raw-scan-wasm';
import { framingOfSlices, objectEnd, recordSlices, ScanNode, type CursorScan, type RawFraming, type ScanFailure } from './raw-scan';

export interface NormalizerOptions {
  /** Root table name, already normalized. */
  table: string;
  writeDisposition: WriteDisposition;
  /** Primary key columns (normalized names). */
  primaryKey: string[];
  /** Declared column types (normalized names of the root table); they win over inference. */
  hints?: Record<string, DataType>;
  /** Schemas already stored in the lake for this dataset, by table name. */
  existing?: ReadonlyMap<string, TableSchema>;
  /** Raw path of the incremental cursor (object keys), whose values `scanRaw` collects. */
  cursorPath?: readonly string[];
  /** Bytes per piece of a raw page on disk (`rawFraming`; default `RAW_PIECE_BYTES`). */
  pieceBytes?: number;
}

/**
 * Bytes per piece of a raw page on disk. DuckDB's JSON reader holds about two buffers of
 * min(file size, 32 MB) per file it reads, so pages of tens of megabytes written whole cost a
 * conversion about twice their size; pieces of a few megabytes cost a fraction of it.
 */
export const RAW_PIECE_BYTES = 2 << 20;

/** Records parsed at once by `acceptRawBody`. */
const RECORDS_PER_PARSE = 5000;

/**
 * Records of a page `acceptRawBody` settles the schema from before the byte check judges the
 * whole page against it (the rest of the records are then checked on their bytes, not parsed).
 */
const SAMPLE_RECORDS = 1000;

/** Times `acceptRawBody` walks a declined record and checks the page again before walking it all. */
const SAMPLE_ROUNDS = 6;

/** Records walked against the raw layout: the types they imply, and how to undo the layout's changes. */
interface Walk {
  pending: Map<string, DataType>;
  steps: (() => void)[];
}

/** What a walk has changed so far, comparable: the layout steps taken and the pending types. */
function walkState(walk: Walk): string {
  return `${walk.steps.length} ${[...walk.pending].join()}`;
}

function undoWalk(walk: Walk): void {
  for (const step of walk.steps.reverse()) step();
  walk.steps.length = 0;
  walk.pending.clear();
}

/** Rows of one page, per table, as NDJSON lines (without newline). */
export type NormalizedPage = Map<string, string[]>;

/** Where a root-table column sits inside the raw records, for pages loaded as-is (the raw route). */
export interface RawColumn {
  name: string;
  /** Raw keys from the record root, e.g. `['location', 'latitude']`. */
  path: string[];
  dataType: DataType;
}

type LayoutLeaf = { kind: 'leaf'; column: string; schema?: ColumnSchema };
type LayoutNode = { kind: 'struct'; name: string; path: string[]; children: Map<string, LayoutNode> } | LayoutLeaf;

type Row = Record<string, unknown>;

class TableState {
  readonly columns = new Map<string, ColumnSchema>();
  readonly order: ColumnSchema[] = [];
  /** Columns first seen in the current page, with the type unified over that page's values. */
  readonly pending = new Map<string, DataType>();
  readonly names = new Map<string, string>();
  readonly children = new Map<string, TableState>();
  rows = 0;

  constructor(
    readonly name: string,
    readonly parent: string | undefined,
    readonly writeDisposition: WriteDisposition,
    readonly primaryKey: string[],
    existing: TableSchema | undefined,
    system: readonly ColumnSchema[],
  ) {
    for (const column of existing?.columns ?? system) this.add({ ...column });
    for (const column of system) if (!this.columns.has(column.name)) this.add({ ...column });
  }

  add(column: ColumnSchema): void {
    this.columns.set(column.name, column);
    this.order.push(column);
  }

  /** Normalized name for a raw key under a prefix, cached. */
  columnName(prefix: string, key: string): string {
    const cacheKey = prefix === '' ? key : `${prefix}\u0001${key}`;
    let name = this.names.get(cacheKey);
    if (name === undefined) {
      name = prefix === '' ? snakeCase(key) : joinPath(prefix, snakeCase(key));
      this.names.set(cacheKey, name);
    }
    return name;
  }

  schema(): TableSchema {
    return {
      name: this.name,
      ...(this.parent ? { parent: this.parent } : {}),
      writeDisposition: this.writeDisposition,
      primaryKey: this.primaryKey,
      // Data columns in discovery order, then the system columns (as dlt lays tables out).
      columns: [...this.order.filter((c) => !c.name.startsWith('_dlt_')), ...this.order.filter((c) => c.name.startsWith('_dlt_'))].map((c) => ({ ...c })),
    };
  }
}

export class Normalizer {
  private readonly root: TableState;
  private readonly tablesByName = new Map<string, TableState>();
  private readonly jsonColumns = new Set<string>();
  private readonly idPrefix = randomBytes(6).toString('base64url');
  private idCounter = 0;
  private lines: NormalizedPage = new Map();
  /** Raw layout of the root table's records as accepted by `acceptRaw`. */
  private readonly layout: LayoutNode & { kind: 'struct' } = { kind: 'struct', name: '', path: [], children: new Map() };
  private readonly rawPaths = new Map<string, string[]>();
  /** The byte check's view of `layout`, rebuilt after the schema or layout may have changed. */
  private scanTree: ScanNode | undefined;
  /** Filled by each `scanRaw` when the options name a cursor path. */
  private readonly cursorScan: CursorScan | undefined;
  private cursorInLayout = false;
  /** How the body last accepted by `scanRaw` or `acceptRawBody` is framed (see `rawFraming`). */
  private readonly framing: RawFraming;
  private framingOf: Uint8Array | undefined;

  constructor(private readonly options: NormalizerOptions) {
    const existing = options.existing?.get(options.table);
    this.root = new TableState(options.table, undefined, options.writeDisposition, options.primaryKey, existing, ROOT_SYSTEM_COLUMNS);
    for (const [name, type] of Object.entries(options.hints ?? {})) if (type === 'json') this.jsonColumns.add(name);
    this.tablesByName.set(this.root.name, this.root);
    this.framing = { bytes: options.pieceBytes ?? RAW_PIECE_BYTES, open: 0, close: 0, commas: new Int32Array(0), at: [], lineBreakInRecord: false };
    this.cursorScan = options.cursorPath ? { kind: undefined, usable: true, missing: false, min: [0, 0], max: [0, 0], atMax: [] } : undefined;
  }

  /** Normalizes one page of raw items; returns its rows per table. */
  normalizePage(items: readonly unknown[]): NormalizedPage {
    this.scanTree = undefined;
    this.lines = new Map();
    const rootLines = this.linesOf(this.root);
    for (const item of items) {
      const row: Row = { _dlt_id: this.nextId() };
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        this.flatten(item as Row, '', this.root, row, row._dlt_id as string);
      } else {
        this.place(this.root, row, 'value', item);
      }
      rootLines.push(JSON.stringify(row));
      this.root.rows++;
    }
    for (const table of this.tablesByName.values()) this.settle(table);
    return this.lines;
  }

  /**
   * The raw route: when every record of the page can be read by DuckDB exactly as it is (no
   * lists, every value fits its column, one raw path per column), updates the schema as
   * `normalizePage` would and returns true; the caller then stores the page bytes unchanged.
   * Otherwise changes nothing and returns false (the caller uses `normalizePage`).
   */
  acceptRaw(items: readonly unknown[]): boolean {
    if (!this.acceptRecords(items)) return false;
    this.root.rows += items.length;
    return true;
  }

  /**
   * `acceptRaw` for a body that is a JSON array of records, parsing one record at a time so a
   * page's records are never all in memory (the first page of a load, a page with a new field).
   * Returns the record count when the page is accepted (rows are counted by `countRaw`, as
   * after `scanRaw`); undefined when it is not — including malformed JSON, which the caller's
   * own parse then reports. With `acceptCursor` (an incremental run), the page's cursor values
   * are collected too and the page is taken only when `acceptCursor` takes them (it may then
   * advance the cursor); otherwise nothing changes and the caller parses and filters the page.
   */
  acceptRawBody(body: Uint8Array, acceptCursor?: (cursor: CursorScan) => boolean): number | undefined {
    // The first records give the types of new columns; the byte check then judges the whole
    // page against the layout with those types. A record it declines is parsed and walked
    // (adding its keys, widening the types), and the check runs again; when it takes the page,
    // the types are what all its records together imply, and only the walked records were
    // parsed. After a few rounds, or when a walked record changes nothing (an exponent, an
    // escape the check leaves to the parser), nothing of it stays and every record is checked.
    const sample = recordSlices(body, SAMPLE_RECORDS);
    if (sample && sample.length > 0) {
      const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const parse = (start: number, end: number): unknown[] | undefined => {
        try {
          return JSON.parse(`[${text.toString('utf8', start, end)}]`) as unknown[];
        } catch {
          return undefined;
        }
      };
      const records = parse(sample[0] as number, sample[sample.length - 1] as number);
      const walk = records && this.walkRecords(records);
      if (!walk) return undefined;
      const failure: ScanFailure = { record: -1 };
      for (let round = 0; round < SAMPLE_ROUNDS; round++) {
        const tree = this.buildScanNode(this.layout, walk.pending);
        const cursor = acceptCursor ? this.cursorScan : undefined;
        const rows = scanRecords(body, tree, cursor, this.framing, failure);
        if (rows !== undefined) {
          // An incremental page: taken only when its cursor values let the whole page through.
          if (acceptCursor && !(cursor && this.cursorInLayout && acceptCursor(cursor))) break;
          this.settlePending(walk.pending);
          this.framingOf = body;
          return rows;
        }
        const end = failure.record < 0 ? -1 : objectEnd(body, failure.record);
        const misfit = end < 0 ? undefined : parse(failure.record, end);
        if (!misfit) break;
        const before = walkState(walk);
        if (!this.walkRecords(misfit, walk)) return undefined;
        if (walkState(walk) === before) break;
      }
      undoWalk(walk);
      this.scanTree = undefined;
    }
    // An incremental page the sample did not settle is parsed and filtered by the caller.
    if (acceptCursor) return undefined;
    const found = recordSlices(body);
    // An empty page is cheap to parse: the caller's route handles it (and the paginator's stop).
    if (!found || found.length === 0) return undefined;
    const slices: number[] = found;
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    // Parsed a few thousand records at a time (one contiguous stretch of the array each): about
    // as fast as one parse of the page, in a tenth of the memory.
    function* records(): Generator<unknown> {
      for (let k = 0; k < slices.length; k += 2 * RECORDS_PER_PARSE) {
        const last = Math.min(k + 2 * RECORDS_PER_PARSE, slices.length) - 1;
        yield* JSON.parse(`[${text.toString('utf8', slices[k], slices[last])}]`) as unknown[];
      }
    }
    try {
      if (!this.acceptRecords(records())) return undefined;
      Object.assign(this.framing, framingOfSlices(body, slices, this.framing.bytes));
      this.framingOf = body;
      return slices.length / 2;
    } catch {
      return undefined;
    }
  }

  /**
   * How `body` — the page `scanRaw` or `acceptRawBody` last accepted — is framed: its brackets,
   * the commas between its records, and where it may be cut into pieces of about
   * `RAW_PIECE_BYTES`; undefined for another body.
   */
  rawFraming(body: Uint8Array): Readonly<RawFraming> | undefined {
    return body === this.framingOf ? { ...this.framing } : undefined;
  }

  /** Checks records against the raw layout and settles the schema they imply; all or nothing. */
  private acceptRecords(items: Iterable<unknown>): boolean {
    const walk = this.walkRecords(items);
    if (!walk) return false;
    this.settlePending(walk.pending);
    return true;
  }

  /**
   * Walks records against the raw layout, extending it for new keys, into `walk` (a new one by
   * default): the types the records imply for columns not settled yet, and the steps that undo
   * the layout's changes. Undefined (with every step of `walk` undone) when a record does not fit.
   */
  private walkRecords(items: Iterable<unknown>, walk: Walk = { pending: new Map(), steps: [] }): Walk | undefined {
    this.scanTree = undefined;
    try {
      for (const item of items) {
        if (item === null || typeof item !== 'object' || Array.isArray(item) || !this.rawWalk(item as Row, '', this.layout, walk.pending, walk.steps)) {
          undoWalk(walk);
          return undefined;
        }
      }
    } catch (error) {
      undoWalk(walk);
      throw error;
    }
    return walk;
  }

  private settlePending(pending: Map<string, DataType>): void {
    for (const [name, type] of pending) {
      const seen = this.root.pending.get(name);
      this.root.pending.set(name, seen === undefined ? type : unify(seen, type));
    }
    this.settle(this.root);
  }

  /**
   * The raw route without parsing: the number of records of a response body (a JSON array) when
   * every record fits the schema and raw layout exactly as they stand, so the page changes no
   * schema; undefined when the page must be parsed and go through `acceptRaw`/`normalizePage`.
   * Changes nothing: call `countRaw` when the page is actually loaded.
   */
  scanRaw(body: Uint8Array): number | undefined {
    this.scanTree ??= this.buildScanNode(this.layout);
    const rows = scanRecords(body, this.scanTree, this.cursorScan, this.framing);
    this.framingOf = rows === undefined ? undefined : body;
    return rows;
  }

  /**
   * The cursor values of the page `scanRaw` last accepted (with `cursorPath` set); undefined
   * when the cursor is not a column of the raw layout yet (then `usable` could not be known).
   */
  lastCursorScan(): CursorScan | undefined {
    return this.cursorInLayout ? this.cursorScan : undefined;
  }

  /** Counts the rows of a page accepted by `scanRaw`. */
  countRaw(rows: number): void {
    this.root.rows += rows;
  }

  /** The byte check's view of the layout; `pending`: types of columns not settled yet. */
  private buildScanNode(node: LayoutNode & { kind: 'struct' }, pending?: ReadonlyMap<string, DataType>): ScanNode {
    if (node === this.layout) this.cursorInLayout = false;
    const scan = new ScanNode();
    for (const [key, child] of node.children) {
      if (child.kind === 'struct') {
        scan.set(key, { kind: 'struct', node: this.buildScanNode(child, pending) });
        continue;
      }
      const unsettled = pending?.get(child.column);
      const column = child.schema ?? this.root.columns.get(child.column) ?? (unsettled ? { dataType: unsettled } : undefined);
      // json columns and columns not yet settled are left out: their keys send the page to the parser.
      if (column === undefined || this.jsonColumns.has(child.column) || column.dataType === 'json') continue;
      const cursor = this.options.cursorPath;
      const isCursor = cursor !== undefined && cursor.length === node.path.length + 1 && cursor.every((k, i) => (i < node.path.length ? node.path[i] === k : k === key));
      if (isCursor) this.cursorInLayout = true;
      scan.set(key, isCursor ? { kind: 'leaf', type: column.dataType, cursor: true } : { kind: 'leaf', type: column.dataType });
    }
    return scan;
  }

  /** Root-table columns readable from raw records, with their raw paths. */
  rawColumns(): RawColumn[] {
    const out: RawColumn[] = [];
    for (const [name, path] of this.rawPaths) {
      const column = this.root.columns.get(name);
      if (column) out.push({ name, path, dataType: column.dataType });
    }
    return out;
  }

  private rawWalk(object: Row, prefix: string, node: LayoutNode & { kind: 'struct' }, pending: Map<string, DataType>, undo: (() => void)[]): boolean {
    const root = this.root;
    for (const key in object) {
      const value = object[key];
      if (value === null || value === undefined) continue;
      let child = node.children.get(key);
      if (typeof value === 'object') {
        if (child === undefined) {
          const name = root.columnName(prefix, key);
          if (prefix === '' && this.jsonColumns.has(name)) {
            child = this.newLeaf(node, key, name, undo);
            if (child === undefined) return false;
          } else {
            if (Array.isArray(value)) return false;
            const created: LayoutNode = { kind: 'struct', name, path: [...node.path, key], children: new Map() };
            node.children.set(key, created);
            undo.push(() => node.children.delete(key));
            child = created;
          }
        }
        if (child.kind === 'struct') {
          if (Array.isArray(value) || !this.rawWalk(value as Row, child.name, child, pending, undo)) return false;
          continue;
        }
        // A leaf: only a json column takes an object here.
        if (child.kind !== 'leaf' || !this.jsonColumns.has(child.column)) return false;
      }
      const leaf = child === undefined ? this.newLeaf(node, key, root.columnName(prefix, key), undo) : child;
      if (leaf === undefined || leaf.kind !== 'leaf') return false;
      // Hot path: a settled column, cached on its leaf.
      if (leaf.schema !== undefined) {
        if (leaf.schema.dataType === 'text' ? typeof value === 'string' || fits(value, 'text') : fits(value, leaf.schema.dataType)) continue;
        return false;
      }
      const name = leaf.column;
      let column = root.columns.get(name);
      if (column !== undefined) leaf.schema = column;
      const hinted = column === undefined ? this.options.hints?.[name] : undefined;
      if (hinted !== undefined) {
        column = { name, dataType: hinted };
        root.add(column);
      }
      if (column !== undefined) {
        if (!fits(value, column.dataType)) return false;
      } else {
        const type = inferType(value) ?? 'text';
        const seen = pending.get(name);
        pending.set(name, seen === undefined || seen === type ? type : unify(seen, type));
      }
    }
    return true;
  }

  /** A new raw leaf for a column, unless the column is already read from another raw path. */
  private newLeaf(node: LayoutNode & { kind: 'struct' }, key: string, name: string, undo: (() => void)[]): LayoutLeaf | undefined {
    if (this.rawPaths.has(name)) return undefined;
    const leaf: LayoutLeaf = { kind: 'leaf', column: name };
    node.children.set(key, leaf);
    this.rawPaths.set(name, [...node.path, key]);
    undo.push(() => {
      node.children.delete(key);
      this.rawPaths.delete(name);
    });
    return leaf;
  }

  /** Current schemas of every table this normalizer produced rows for (root first). */
  tables(): TableSchema[] {
    return [...this.tablesByName.values()].map((t) => t.schema());
  }

  rowCounts(): { name: string; rows: number }[] {
    return [...this.tablesByName.values()].map((t) => ({ name: t.name, rows: t.rows }));
  }

  private nextId(): string {
    return this.idPrefix + (this.idCounter++).toString(36);
  }

  private linesOf(table: TableState): string[] {
    let lines = this.lines.get(table.name);
    if (!lines) {
      lines = [];
      this.lines.set(table.name, lines);
    }
    return lines;
  }

  private flatten(object: Row, prefix: string, table: TableState, row: Row, rootId: string): void {
    for (const key in object) {
      const value = object[key];
      if (value === null || value === undefined) continue;
      const name = table.columnName(prefix, key);
      if (typeof value === 'object' && !(table === this.root && this.jsonColumns.has(name))) {
        if (Array.isArray(value)) this.emitChildren(table, name, value, row._dlt_id as string, rootId);
        else this.flatten(value as Row, name, table, row, rootId);
        continue;
      }
      this.place(table, row, name, value);
    }
  }

  private emitChildren(parent: TableState, field: string, list: readonly unknown[], parentId: string, rootId: string): void {
    const child = this.child(parent, field);
    const lines = this.linesOf(child);
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (item === null || item === undefined) continue;
      const row: Row = { _dlt_parent_id: parentId, _dlt_list_idx: i, _dlt_root_id: rootId, _dlt_id: `${parentId}.${i}` };
      if (typeof item === 'object' && !Array.isArray(item)) this.flatten(item as Row, '', child, row, rootId);
      else if (Array.isArray(item)) this.emitChildren(child, 'list', item, row._dlt_id as string, rootId);
      else this.place(child, row, 'value', item);
      lines.push(JSON.stringify(row));
      child.rows++;
    }
  }

  private child(parent: TableState, field: string): TableState {
    let child = parent.children.get(field);
    if (!child) {
      const name = joinPath(parent.name, field);
      child = new TableState(name, parent.name, parent.writeDisposition, [], this.options.existing?.get(name), CHILD_SYSTEM_COLUMNS);
      parent.children.set(field, child);
      this.tablesByName.set(name, child);
    }
    return child;
  }

  /** Puts a scalar into its column, or into a variant column when it does not fit the type. */
  private place(table: TableState, row: Row, name: string, value: unknown): void {
    let column = table.columns.get(name);
    if (column === undefined && table === this.root) {
      const hinted = this.options.hints?.[name];
      if (hinted !== undefined) {
        column = { name, dataType: hinted };
        table.add(column);
      }
    }
    if (column === undefined) {
      this.note(table, name, value);
      row[name] = value;
      return;
    }
    if (fits(value, column.dataType)) {
      row[name] = value;
      return;
    }
    const type = inferType(value) ?? 'text';
    const variant = `${name}__v_${type}`;
    if (!table.columns.has(variant)) this.note(table, variant, value);
    row[variant] = value;
  }

  private note(table: TableState, name: string, value: unknown): void {
    const type = inferType(value) ?? 'text';
    const seen = table.pending.get(name);
    table.pending.set(name, seen === undefined ? type : unify(seen, type));
  }

  /** End of page: columns first seen in it get their unified type. */
  private settle(table: TableState): void {
    for (const [name, dataType] of table.pending) {
      const variant = /^(.*)__v_[a-z]+$/.exec(name);
      const variantOf = variant?.[1];
      table.add(variantOf && table.columns.has(variantOf) ? { name, dataType, variantOf } : { name, dataType });
    }
    table.pending.clear();
  }
}

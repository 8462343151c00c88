/**
 * The cache of rendered and parsed models in `.pas/cache/` (as dbt's partial parsing and
 * SQLMesh's cache folder): building the project graph renders every SQL model at fixed times and
 * parses the result with DuckDB, which for 1,000+ models is most of a no-change `plan`. An entry
 * is keyed by everything the rendering reads: the tool's version, the model's whole definition
 * as loaded (its file's query and header with config defaults applied, so a changed file,
 * default or statement changes the key), the project's variables and the gateway. Upstream
 * changes do not enter a render (references stay names); they enter fingerprints, which are
 * always computed. Safe to delete; unreadable or foreign files are ignored; written atomically.
 *
 * One file, `models-v3.cache`: a line of JSON (the entries) and then every entry's parse trees
 * as JSON text, one after the other (the entries say where). Opening parses the line alone; a
 * tree is decoded when something asks for it. A no-change plan of 10,000 models asks for none,
 * and their ~90 MB of text never becomes JavaScript strings.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import type { Diagnostic } from '../project/diagnostics';
import type { ModelDefinition } from '../project/model';

/** Bump when the shape of an entry or of the parse trees changes. */
const FORMAT = 3;

export interface CachedModel {
  query?: string;
  pre: string[];
  post: string[];
  diagnostics: Diagnostic[];
  /** The parse trees of `query` as JSON text (parsed when first needed), when it parses (see `treesOf`). */
  trees?: string;
  /** Where the trees' text is in the file's trees, as read from it: [start, end) bytes. */
  treesAt?: [number, number];
  /** Why `query` does not parse, when it does not. */
  parseError?: string;
  /** Where in `query` it stops parsing (0-based). */
  parseOffset?: number;
  /** Tables the parsed query reads, as written (`catalog.schema.table` parts present). */
  refs?: string[];
  /** The parse trees' canonical text (fingerprints). */
  canonical?: string;
}


export class GraphCache {
  private readonly used = new Map<string, CachedModel>();
  private dirty = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Map<string, CachedModel>,
    /** The file's trees, undecoded. */
    private readonly trees: Buffer = Buffer.alloc(0),
  ) {}

  /** The cache of a project folder (none, in memory only, when `root` is undefined). */
  static open(root: string | undefined): GraphCache {
    if (!root) return new GraphCache(undefined, new Map());
    const file = path.join(root, '.pas', 'cache', `models-v${FORMAT}.cache`);
    try {
      const bytes = readFileSync(file);
      const newline = bytes.indexOf(10);
      const data = JSON.parse(bytes.toString('utf8', 0, newline < 0 ? bytes.length : newline)) as { version?: string; entries?: Record<string, CachedModel> };
      if (newline >= 0 && data.version === packageJson.version && data.entries) {
        const trees = bytes.subarray(newline + 1);
        const entries = new Map(Object.entries(data.entries));
        // A damaged file (cut short) is not used at all.
        if ([...entries.values()].every((e) => !e.treesAt || e.treesAt[1] <= trees.length)) return new GraphCache(file, entries, trees);
      }
    } catch {
      // No cache yet, or one this build cannot read: start empty.
    }
    return new GraphCache(file, new Map());
  }

  /** True when the entry has parse trees (its query parsed). */
  hasTrees(entry: CachedModel): boolean {
    return entry.trees !== undefined || entry.treesAt !== undefined;
  }

  /** The entry's parse trees as JSON text, decoded now if it came from the file. */
  treesOf(entry: CachedModel): string | undefined {
    if (entry.trees !== undefined) return entry.trees;
    return entry.treesAt ? this.trees.toString('utf8', entry.treesAt[0], entry.treesAt[1]) : undefined;
  }

  key(model: ModelDefinition, variables: Record<string, unknown>, gateway: string | undefined): string {
    return createHash('sha256')
      // Plain JSON (a model definition holds only plain data): a replacer would cost 4x.
      .update(`${FORMAT}\u0000${packageJson.version}\u0000${JSON.stringify(model)}\u0000${JSON.stringify(variables)}\u0000${gateway ?? ''}`)
      .digest('base64url');
  }

  get(key: string): CachedModel | undefined {
    const hit = this.entries.get(key);
    if (hit) this.used.set(key, hit);
    return hit;
  }

  /** An entry given back by `get` was completed in place: write it. */
  touch(): void {
    this.dirty = true;
  }

  set(key: string, entry: CachedModel): void {
    this.used.set(key, entry);
    this.dirty = true;
  }

  /** Writes the entries used by this build (dropping the others) when something changed. */
  save(): void {
    if (!this.file || (!this.dirty && this.used.size === this.entries.size)) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      // Offsets first, then the file written piece by piece: never a second copy of every tree in memory.
      const entries: Record<string, CachedModel> = {};
      const pieces: (string | Buffer)[] = [];
      let offset = 0;
      for (const [key, entry] of this.used) {
        const { trees: text, treesAt, ...rest } = entry;
        const piece = text !== undefined ? text : treesAt ? this.trees.subarray(treesAt[0], treesAt[1]) : undefined;
        if (piece === undefined) {
          entries[key] = rest;
          continue;
        }
        const length = typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
        entries[key] = { ...rest, treesAt: [offset, offset + length] };
        pieces.push(piece);
        offset += length;
      }
      const temp = `${this.file}.${process.pid}.tmp`;
      const fd = openSync(temp, 'w');
      const write = (piece: string | Buffer): void => {
        const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      };
      try {
        write(`${JSON.stringify({ version: packageJson.version, entries })}\n`);
        for (const piece of pieces) write(piece);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.file);
      // Files of earlier formats.
      for (const name of readdirSync(path.dirname(this.file))) {
        if (/^models-v\d+\.json$/.test(name)) rmSync(path.join(path.dirname(this.file), name), { force: true });
      }
    } catch {
      // A read-only project still plans, without a cache.
    }
  }
}

/**
 * The cache of rendered and parsed models in `.pas/cache/` (as dbt's partial parsing and
 * SQLMesh's cache folder): building the project graph renders every SQL model at fixed times and
 * parses the result with DuckDB, which for 1,000+ models is most of a no-change `plan`. An entry
 * is keyed by everything the rendering reads: the tool's version, the model's whole definition
 * as loaded (its file's query and header with config defaults applied, so a changed file,
 * default or statement changes the key), the project's variables and the gateway. Upstream
 * changes do not enter a render (references stay names); they enter fingerprints, which are
 * always computed. Safe to delete; unreadable or foreign files are ignored; written atomically.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import type { Diagnostic } from '../project/diagnostics';
import type { ModelDefinition } from '../project/model';

/** Bump when the shape of an entry or of the parse trees changes. */
const FORMAT = 2;

export interface CachedModel {
  query?: string;
  pre: string[];
  post: string[];
  diagnostics: Diagnostic[];
  /** The parse trees of `query` as JSON text (parsed when first needed), when it parses. */
  trees?: string;
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
  ) {}

  /** The cache of a project folder (none, in memory only, when `root` is undefined). */
  static open(root: string | undefined): GraphCache {
    if (!root) return new GraphCache(undefined, new Map());
    const file = path.join(root, '.pas', 'cache', `models-v${FORMAT}.json`);
    let entries = new Map<string, CachedModel>();
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { version?: string; entries?: Record<string, CachedModel> };
      if (data.version === packageJson.version && data.entries) entries = new Map(Object.entries(data.entries));
    } catch {
      // No cache yet, or one this build cannot read: start empty.
    }
    return new GraphCache(file, entries);
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
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ version: packageJson.version, entries: Object.fromEntries(this.used) }));
      renameSync(temp, this.file);
    } catch {
      // A read-only project still plans, without a cache.
    }
  }
}

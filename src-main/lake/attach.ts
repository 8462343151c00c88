/**
 * A lake made visible to DuckDB SQL: `ATTACH ':memory:' AS <alias>`, then one DuckDB view per
 * lake table (see read.ts) and per lake view. `refresh()` checks the latest snapshot id (one
 * small catalog query) and re-binds only the tables whose files, columns or inlined rows changed.
 * An attachment pinned to a snapshot or a time (time travel) never changes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CatalogState, SnapshotRow, TableState } from './catalog/state';
import { tableScanSql, type ReadSources } from './read';
import { ident, lit, qualified } from './sql';

export interface AttachOptions {
  /** Pin to this snapshot id (read-only time travel). */
  snapshot?: number;
  /** Pin to the latest snapshot at or before this time. */
  timestamp?: Date;
  /**
   * A DuckDB file that keeps the bound views between processes (live attachments of a lake
   * whose files and inlined rows are reachable under the same names in every process: local
   * storage, DuckDB-file catalog). Creating a view over Parquet reads the file's footer
   * (~1 ms a table); with the cache a start re-creates only the views whose table changed
   * since the last process, and none when the snapshot is the same. The file is safe to
   * delete; when it cannot be opened (another process holds it) the views are built in memory.
   */
  viewCache?: string;
}

/** Where a view cache records what each of its views was built from. */
const CACHE_SCHEMA = '__pas_view_cache';
const SNAPSHOT_KEY = 'snapshot';

/** What an attachment needs from its lake. */
export interface AttachHost {
  latestSnapshotId(): Promise<number>;
  resolveSnapshot(at: AttachOptions): Promise<SnapshotRow>;
  /** Everything at a snapshot. */
  loadState(snapshot: SnapshotRow): Promise<CatalogState>;
  /** The state at `snapshot` derived from an earlier one by reloading what changed (catalog/state.ts), or undefined. */
  advanceState(known: CatalogState, snapshot: SnapshotRow): Promise<CatalogState | undefined>;
  readSources(connection: DuckDBConnection, scratchCatalog: string): ReadSources;
  /** A connection of the lake's DuckDB instance (the attachment binds on its own one). */
  connect(): Promise<DuckDBConnection>;
  detached(attachment: LakeAttachment): void;
}

export class LakeAttachment {
  private snapshotId = -1;
  private state: CatalogState | undefined;
  private readonly tableSignatures = new Map<string, string>();
  private readonly boundTables = new Map<string, TableState>();
  /** Digests of what each bound view was built from: table signatures, lake view SQL. */
  private readonly viewSql = new Map<string, string>();
  /** The cache's table and view signatures are still in its file (see `readSignatures`). */
  private signaturesToRead = false;
  private schemas = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  /** A refresh waiting its turn: later callers share it (it reads the latest snapshot when it starts). */
  private queuedRefresh: Promise<boolean> | undefined;
  private closed = false;
  readonly pinned: boolean;
  private readonly scratch: string;
  private ddl!: DuckDBConnection;
  /** Cache rows to write with the next flush: stored key -> [kind, signature or undefined to forget]. */
  private readonly remembered = new Map<string, [string, string | undefined]>();
  /** The table of the view cache file, when the alias is one. */
  private cache: string | undefined;

  constructor(
    private readonly host: AttachHost,
    readonly connection: DuckDBConnection,
    readonly alias: string,
    private readonly at: AttachOptions = {},
  ) {
    this.pinned = at.snapshot !== undefined || at.timestamp !== undefined;
    this.scratch = `__ducklake_scratch_${alias}`;
  }

  /** The snapshot the attachment shows. */
  get snapshot(): number {
    return this.snapshotId;
  }

  async open(): Promise<void> {
    // Views are created on a connection of the attachment's own: a bind runs in a transaction,
    // which a query of the caller's connection must never join.
    this.ddl = await this.host.connect();
    const cached = !this.pinned && this.at.viewCache !== undefined && (await this.openCache(this.at.viewCache));
    if (!cached) await this.ddl.run(`ATTACH ':memory:' AS ${ident(this.alias)}`);
    await this.ddl.run(`ATTACH ':memory:' AS ${ident(this.scratch)}`);
    const snapshot = await this.host.resolveSnapshot(this.at);
    // The cache already shows this snapshot: nothing to bind (the state loads on the first refresh).
    if (this.cache && this.snapshotId === snapshot.id) return;
    await this.bind(snapshot);
  }

  /** Attaches the view cache file as the alias and reads what its views were built from; false if it cannot be used. */
  private async openCache(file: string): Promise<boolean> {
    const run = (sql: string) => this.ddl.run(sql);
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      await run(`ATTACH ${lit(file)} AS ${ident(this.alias)}`);
    } catch {
      return false; // held by another process, or written by another DuckDB version
    }
    try {
      const table = qualified(this.alias, CACHE_SCHEMA, 'bound');
      await run(`CREATE SCHEMA IF NOT EXISTS ${qualified(this.alias, CACHE_SCHEMA)}`);
      await run(`CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, signature VARCHAR NOT NULL)`);
      // The snapshot the views show, now; what each view was built from only when a bind needs
      // it (a process whose snapshot is current never binds: a 1,000-table read saved per start).
      const rows = (await this.ddl.runAndReadAll(`SELECT signature FROM ${table} WHERE kind = 'snapshot'`)).getRowObjectsJS();
      for (const row of rows) this.snapshotId = Number(row.signature);
      this.signaturesToRead = true;
      const schemas = (
        await this.ddl.runAndReadAll(`SELECT schema_name FROM duckdb_schemas() WHERE database_name = ${lit(this.alias)} AND NOT internal AND schema_name <> ${lit(CACHE_SCHEMA)}`)
      ).getRowObjectsJS();
      this.schemas = new Set(schemas.map((r) => String(r.schema_name)));
      // Tables a console session created in the lake's catalog lived in memory before this
      // cache existed, and still last one process only: the cache keeps views, nothing else.
      const leftovers = (
        await this.ddl.runAndReadAll(`SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ${lit(this.alias)} AND schema_name <> ${lit(CACHE_SCHEMA)}`)
      ).getRowObjectsJS();
      for (const t of leftovers) await run(`DROP TABLE IF EXISTS ${qualified(this.alias, String(t.schema_name), String(t.table_name))}`);
      this.cache = table;
      return true;
    } catch {
      await run(`DETACH DATABASE IF EXISTS ${ident(this.alias)}`).catch(() => undefined);
      this.tableSignatures.clear();
      this.viewSql.clear();
      this.snapshotId = -1;
      return false;
    }
  }

  /** Records (signature) or forgets (undefined) what a cached view was built from. */
  private remember(kind: 'table' | 'view' | 'snapshot', key: string, signature: string | undefined): void {
    if (!this.cache) return;
    const stored = kind === 'snapshot' ? SNAPSHOT_KEY : JSON.stringify(key.split('\u0000'));
    this.remembered.set(stored, [kind, signature]);
  }

  /** Writes what `remember` collected: one DELETE and one INSERT. */
  private async flush(): Promise<void> {
    if (!this.cache || this.remembered.size === 0) return;
    const rows = [...this.remembered];
    this.remembered.clear();
    await this.ddl.run(`DELETE FROM ${this.cache} WHERE key IN (${rows.map(([key]) => lit(key)).join(', ')})`);
    const kept = rows.filter(([, [, signature]]) => signature !== undefined);
    if (kept.length > 0) {
      await this.ddl.run(`INSERT INTO ${this.cache} VALUES ${kept.map(([key, [kind, signature]]) => `(${lit(key)}, ${lit(kind)}, ${lit(signature!)})`).join(', ')}`);
    }
  }

  /** Runs `fn` in one DuckDB transaction on the bind connection (one commit, not one per view, on a cache file). */
  private async inTransaction(fn: () => Promise<void>): Promise<void> {
    // Only a cache file needs it; in memory, binding may also copy inlined rows of a
    // PostgreSQL catalog into the scratch database, which one transaction cannot also write.
    if (!this.cache) {
      await fn();
      return;
    }
    await this.ddl.run('BEGIN TRANSACTION');
    try {
      await fn();
      await this.flush();
      await this.ddl.run('COMMIT');
    } catch (error) {
      await this.ddl.run('ROLLBACK').catch(() => undefined);
      this.remembered.clear();
      throw error;
    }
  }

  /** Brings the views up to the latest snapshot; true when something was re-bound. */
  refresh(): Promise<boolean> {
    // Commits that land while a refresh runs (concurrent model writes) all wait for the next
    // one, which binds every one of them at once: one bind per wave, not one per commit.
    if (this.queuedRefresh) return this.queuedRefresh;
    const task = this.queue.then(async () => {
      this.queuedRefresh = undefined;
      if (this.closed || this.pinned) return false;
      const latest = await this.host.latestSnapshotId();
      if (latest === this.snapshotId) return false;
      const snapshot = await this.host.resolveSnapshot({ snapshot: latest });
      const advanced = this.state ? await this.host.advanceState(this.state, snapshot) : undefined;
      await this.bind(snapshot, advanced);
      return true;
    });
    this.queuedRefresh = task;
    this.queue = task.catch(() => undefined);
    return task;
  }

  /** Reads what the cached views were built from (once, before the first bind). */
  private async readSignatures(): Promise<void> {
    if (!this.signaturesToRead || !this.cache) return;
    this.signaturesToRead = false;
    try {
      const rows = (await this.ddl.runAndReadAll(`SELECT key, kind, signature FROM ${this.cache} WHERE kind <> 'snapshot'`)).getRowObjectsJS();
      for (const row of rows) {
        if (row.kind === 'table') this.tableSignatures.set((JSON.parse(String(row.key)) as string[]).join('\u0000'), String(row.signature));
        else if (row.kind === 'view') this.viewSql.set((JSON.parse(String(row.key)) as string[]).join('\u0000'), String(row.signature));
      }
    } catch {
      // Unreadable: every view is made again (the same views, only slower).
      this.tableSignatures.clear();
      this.viewSql.clear();
    }
  }

  private async bind(snapshot: SnapshotRow, known?: CatalogState): Promise<void> {
    await this.readSignatures();
    const state = known ?? (await this.host.loadState(snapshot));
    try {
      await this.bindState(snapshot, state);
    } catch (error) {
      // A rolled-back bind leaves views the maps no longer describe: the next bind redoes them all.
      this.tableSignatures.clear();
      this.boundTables.clear();
      this.viewSql.clear();
      this.state = undefined;
      throw error;
    }
  }

  private async bindState(snapshot: SnapshotRow, state: CatalogState): Promise<void> {
    const sources = this.host.readSources(this.ddl, this.scratch);
    const run = (sql: string) => this.ddl.run(sql);
    const wantedSchemas = new Set(state.schemas.map((s) => s.name));

    // Lake views may use each other; they are created after the tables.
    const wantedViews = new Map<string, string>();
    for (const view of state.views) {
      const body = view.sql.replace(/\{DUCKLAKE_CATALOG\}/g, ident(this.alias));
      const aliases = view.columnAliases.length ? `(${view.columnAliases.map(ident).join(', ')})` : '';
      wantedViews.set(`${view.schemaName}\u0000${view.name}`, `CREATE OR REPLACE VIEW ${qualified(this.alias, view.schemaName, view.name)}${aliases} AS ${body}`);
    }

    const viewsToCreate = [...wantedViews].filter(([key, sql]) => this.viewSql.get(key) !== digest(sql));
    const dropSchemas = async () => {
      for (const name of this.schemas) {
        if (!wantedSchemas.has(name) && name !== 'main') await run(`DROP SCHEMA IF EXISTS ${qualified(this.alias, name)} CASCADE`);
      }
      this.remember('snapshot', SNAPSHOT_KEY, String(snapshot.id));
    };

    // Schemas, table views and stale lake views in one transaction (one commit on a cache file);
    // when no lake view is new (a commit of model tables), the whole bind is this one commit.
    await this.inTransaction(async () => {
      for (const name of wantedSchemas) {
        if (!this.schemas.has(name)) await run(`CREATE SCHEMA IF NOT EXISTS ${qualified(this.alias, name)}`);
      }
      const wantedTables = new Set<string>();
      for (const table of state.tables) {
        const key = `${table.schemaName}\u0000${table.name}`;
        wantedTables.add(key);
        // A table object carried over unchanged from the last bind (advanceState) needs no look.
        if (this.boundTables.get(key) === table && !snapshotDependent(table)) continue;
        this.boundTables.set(key, table);
        const signature = digest(tableSignature(table, snapshot.id));
        if (this.tableSignatures.get(key) === signature) continue;
        const sql = await tableScanSql(table, snapshot.id, sources);
        await run(`CREATE OR REPLACE VIEW ${qualified(this.alias, table.schemaName, table.name)} AS ${sql}`);
        this.tableSignatures.set(key, signature);
        this.remember('table', key, signature);
      }
      for (const key of [...this.tableSignatures.keys()]) {
        if (wantedTables.has(key)) continue;
        const [schema, name] = key.split('\u0000') as [string, string];
        this.remember('table', key, undefined);
        await run(`DROP VIEW IF EXISTS ${qualified(this.alias, schema, name)}`);
        this.tableSignatures.delete(key);
        this.boundTables.delete(key);
      }
      for (const key of [...this.viewSql.keys()]) {
        if (wantedViews.has(key)) continue;
        const [schema, name] = key.split('\u0000') as [string, string];
        this.remember('view', key, undefined);
        await run(`DROP VIEW IF EXISTS ${qualified(this.alias, schema, name)}`);
        this.viewSql.delete(key);
      }
      if (viewsToCreate.length === 0) await dropSchemas();
    });
    if (viewsToCreate.length === 0) {
      this.schemas = wantedSchemas;
      this.snapshotId = snapshot.id;
      this.state = state;
      return;
    }

    let pending = viewsToCreate;
    // Usually every view binds in order (environment views over tables): all in one transaction.
    if (pending.length > 0) {
      const created: [string, string][] = [];
      try {
        await this.inTransaction(async () => {
          for (const [key, sql] of pending) {
            await run(sql);
            created.push([key, sql]);
            this.remember('view', key, digest(sql));
          }
        });
        for (const [key, sql] of created) this.viewSql.set(key, digest(sql));
        pending = [];
      } catch {
        // Some view cannot bind yet (it uses a later one, or something missing): rounds, one by one.
      }
    }
    while (pending.length) {
      const failed: [string, string][] = [];
      for (const [key, sql] of pending) {
        try {
          await run(sql);
          this.viewSql.set(key, digest(sql));
          this.remember('view', key, digest(sql));
        } catch {
          failed.push([key, sql]);
        }
      }
      await this.flush();
      // Views that cannot bind (they use something missing) stay out; a query of them would fail anyway.
      if (failed.length === pending.length) {
        for (const [key] of failed) {
          const [schema, name] = key.split('\u0000') as [string, string];
          this.remember('view', key, undefined);
          await this.flush();
          await run(`DROP VIEW IF EXISTS ${qualified(this.alias, schema, name)}`);
          this.viewSql.delete(key);
        }
        break;
      }
      pending = failed;
    }

    await this.inTransaction(dropSchemas);
    this.schemas = wantedSchemas;
    this.snapshotId = snapshot.id;
    this.state = state;
  }

  async detach(): Promise<void> {
    await this.queue;
    if (this.closed) return;
    this.closed = true;
    await this.ddl.run(`DETACH DATABASE IF EXISTS ${ident(this.alias)}`).catch(() => undefined);
    await this.ddl.run(`DETACH DATABASE IF EXISTS ${ident(this.scratch)}`).catch(() => undefined);
    this.ddl.closeSync();
    this.host.detached(this);
  }
}

/** Inlined rows and partial files are filtered by snapshot id, so such a table re-binds on every new snapshot. */
function snapshotDependent(table: TableState): boolean {
  return table.inlined.length > 0 || table.inlinedDeleteTable !== undefined || table.files.some((f) => f.partialMax !== null || f.deleteFile?.hasSnapshotColumn);
}

function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

function tableSignature(table: TableState, snapshotId: number): string {
  return JSON.stringify({
    id: table.id,
    columns: table.columns,
    files: table.files.map((f) => [f.id, f.deleteFile?.id ?? null]),
    inlined: table.inlined.map((i) => i.name),
    s: snapshotDependent(table) ? snapshotId : 0,
  });
}

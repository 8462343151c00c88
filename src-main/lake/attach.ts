/**
 * A lake made visible to DuckDB SQL: `ATTACH ':memory:' AS <alias>`, then one DuckDB view per
 * lake table (see read.ts) and per lake view. `refresh()` checks the latest snapshot id (one
 * small catalog query) and re-binds only the tables whose files, columns or inlined rows changed.
 * An attachment pinned to a snapshot or a time (time travel) never changes.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CatalogState, SnapshotRow, TableState } from './catalog/state';
import { tableScanSql, type ReadSources } from './read';
import { ident, parseChanges, qualified } from './sql';

export interface AttachOptions {
  /** Pin to this snapshot id (read-only time travel). */
  snapshot?: number;
  /** Pin to the latest snapshot at or before this time. */
  timestamp?: Date;
}

/** What an attachment needs from its lake. */
export interface AttachHost {
  latestSnapshotId(): Promise<number>;
  resolveSnapshot(at: AttachOptions): Promise<SnapshotRow>;
  /** Everything at a snapshot; with `tableIds`, only those tables (plus schemas and views). */
  loadState(snapshot: SnapshotRow, tableIds?: number[]): Promise<CatalogState>;
  /** `changes_made` of the snapshots in (from, to]. */
  changesBetween(from: number, to: number): Promise<(string | null)[]>;
  readSources(connection: DuckDBConnection, scratchCatalog: string): ReadSources;
  detached(attachment: LakeAttachment): void;
}

/** Change types that touch only a table's data, never its shape or the catalog's structure. */
const DATA_CHANGES = new Set([
  'inserted_into_table',
  'deleted_from_table',
  'inlined_insert',
  'inlined_delete',
  'inline_flush',
  'flushed_inlined',
  'merge_adjacent',
  'rewrite_delete',
  'compacted_table',
]);

export class LakeAttachment {
  private snapshotId = -1;
  private state: CatalogState | undefined;
  private readonly tableSignatures = new Map<string, string>();
  private readonly viewSql = new Map<string, string>();
  private schemas = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  readonly pinned: boolean;
  private readonly scratch: string;

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
    await this.connection.run(`ATTACH ':memory:' AS ${ident(this.alias)}`);
    await this.connection.run(`ATTACH ':memory:' AS ${ident(this.scratch)}`);
    const snapshot = await this.host.resolveSnapshot(this.at);
    await this.bind(snapshot);
  }

  /** Brings the views up to the latest snapshot; true when something was re-bound. */
  refresh(): Promise<boolean> {
    const task = this.queue.then(async () => {
      if (this.closed || this.pinned) return false;
      const latest = await this.host.latestSnapshotId();
      if (latest === this.snapshotId) return false;
      const snapshot = await this.host.resolveSnapshot({ snapshot: latest });
      await this.bind(snapshot, await this.changedTables(latest));
      return true;
    });
    this.queue = task.catch(() => undefined);
    return task;
  }

  /**
   * Tables whose data changed since the bound snapshot when only data changed (inserts,
   * deletes, compaction), else undefined: something structural changed, reload everything.
   */
  private async changedTables(latest: number): Promise<number[] | undefined> {
    if (!this.state) return undefined;
    const changed = new Set<number>();
    for (const text of await this.host.changesBetween(this.snapshotId, latest)) {
      for (const [type, value] of parseChanges(text)) {
        if (!DATA_CHANGES.has(type)) return undefined;
        changed.add(Number(value));
      }
    }
    return [...changed];
  }

  private async bind(snapshot: SnapshotRow, onlyTables?: number[]): Promise<void> {
    let state: CatalogState;
    if (onlyTables && this.state) {
      const fresh = await this.host.loadState(snapshot, onlyTables);
      const replaced = new Map(fresh.tables.map((t) => [t.id, t]));
      state = { ...fresh, tables: this.state.tables.map((t) => replaced.get(t.id) ?? t) };
    } else {
      state = await this.host.loadState(snapshot);
    }
    const sources = this.host.readSources(this.connection, this.scratch);
    const run = (sql: string) => this.connection.run(sql);

    const wantedSchemas = new Set(state.schemas.map((s) => s.name));
    for (const name of wantedSchemas) {
      if (!this.schemas.has(name)) await run(`CREATE SCHEMA IF NOT EXISTS ${qualified(this.alias, name)}`);
    }

    const wantedTables = new Set<string>();
    for (const table of state.tables) {
      const key = `${table.schemaName}\u0000${table.name}`;
      wantedTables.add(key);
      const signature = tableSignature(table, snapshot.id);
      if (this.tableSignatures.get(key) === signature) continue;
      const sql = await tableScanSql(table, snapshot.id, sources);
      await run(`CREATE OR REPLACE VIEW ${qualified(this.alias, table.schemaName, table.name)} AS ${sql}`);
      this.tableSignatures.set(key, signature);
    }
    for (const key of [...this.tableSignatures.keys()]) {
      if (wantedTables.has(key)) continue;
      const [schema, name] = key.split('\u0000') as [string, string];
      await run(`DROP VIEW IF EXISTS ${qualified(this.alias, schema, name)}`);
      this.tableSignatures.delete(key);
    }

    // Lake views may use each other: create in rounds until nothing more can be bound.
    const wantedViews = new Map<string, string>();
    for (const view of state.views) {
      const body = view.sql.replace(/\{DUCKLAKE_CATALOG\}/g, ident(this.alias));
      const aliases = view.columnAliases.length ? `(${view.columnAliases.map(ident).join(', ')})` : '';
      wantedViews.set(`${view.schemaName}\u0000${view.name}`, `CREATE OR REPLACE VIEW ${qualified(this.alias, view.schemaName, view.name)}${aliases} AS ${body}`);
    }
    for (const key of [...this.viewSql.keys()]) {
      if (wantedViews.has(key)) continue;
      const [schema, name] = key.split('\u0000') as [string, string];
      await run(`DROP VIEW IF EXISTS ${qualified(this.alias, schema, name)}`);
      this.viewSql.delete(key);
    }
    let pending = [...wantedViews].filter(([key, sql]) => this.viewSql.get(key) !== sql);
    while (pending.length) {
      const failed: [string, string][] = [];
      for (const [key, sql] of pending) {
        try {
          await run(sql);
          this.viewSql.set(key, sql);
        } catch {
          failed.push([key, sql]);
        }
      }
      // Views that cannot bind (they use something missing) stay out; a query of them would fail anyway.
      if (failed.length === pending.length) {
        for (const [key] of failed) {
          const [schema, name] = key.split('\u0000') as [string, string];
          await run(`DROP VIEW IF EXISTS ${qualified(this.alias, schema, name)}`);
          this.viewSql.delete(key);
        }
        break;
      }
      pending = failed;
    }

    for (const name of this.schemas) {
      if (!wantedSchemas.has(name) && name !== 'main') await run(`DROP SCHEMA IF EXISTS ${qualified(this.alias, name)} CASCADE`);
    }
    this.schemas = wantedSchemas;
    this.snapshotId = snapshot.id;
    this.state = state;
  }

  async detach(): Promise<void> {
    await this.queue;
    if (this.closed) return;
    this.closed = true;
    await this.connection.run(`DETACH DATABASE IF EXISTS ${ident(this.alias)}`).catch(() => undefined);
    await this.connection.run(`DETACH DATABASE IF EXISTS ${ident(this.scratch)}`).catch(() => undefined);
    this.host.detached(this);
  }
}

function tableSignature(table: TableState, snapshotId: number): string {
  const hasInlined = table.inlined.length > 0 || table.inlinedDeleteTable !== undefined;
  const hasPartial = table.files.some((f) => f.partialMax !== null || f.deleteFile?.hasSnapshotColumn);
  return JSON.stringify({
    id: table.id,
    columns: table.columns,
    files: table.files.map((f) => [f.id, f.deleteFile?.id ?? null]),
    inlined: table.inlined.map((i) => i.name),
    // Inlined rows and partial files are filtered by snapshot id, so they re-bind on every new snapshot.
    s: hasInlined || hasPartial ? snapshotId : 0,
  });
}

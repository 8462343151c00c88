/**
 * A lake made visible to DuckDB SQL: `ATTACH ':memory:' AS <alias>`, then one DuckDB view per
 * lake table (see read.ts) and per lake view. `refresh()` checks the latest snapshot id (one
 * small catalog query) and re-binds only the tables whose files, columns or inlined rows changed.
 * An attachment pinned to a snapshot or a time (time travel) never changes.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CatalogState, SnapshotRow, TableState } from './catalog/state';
import { tableScanSql, type ReadSources } from './read';
import { ident, qualified } from './sql';

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
  /** Everything at a snapshot. */
  loadState(snapshot: SnapshotRow): Promise<CatalogState>;
  /** The state at `snapshot` derived from an earlier one by reloading what changed (catalog/state.ts), or undefined. */
  advanceState(known: CatalogState, snapshot: SnapshotRow): Promise<CatalogState | undefined>;
  readSources(connection: DuckDBConnection, scratchCatalog: string): ReadSources;
  detached(attachment: LakeAttachment): void;
}

export class LakeAttachment {
  private snapshotId = -1;
  private state: CatalogState | undefined;
  private readonly tableSignatures = new Map<string, string>();
  private readonly boundTables = new Map<string, TableState>();
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
      const advanced = this.state ? await this.host.advanceState(this.state, snapshot) : undefined;
      await this.bind(snapshot, advanced);
      return true;
    });
    this.queue = task.catch(() => undefined);
    return task;
  }

  private async bind(snapshot: SnapshotRow, known?: CatalogState): Promise<void> {
    const state = known ?? (await this.host.loadState(snapshot));
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
      // A table object carried over unchanged from the last bind (advanceState) needs no look.
      if (this.boundTables.get(key) === table && !snapshotDependent(table)) continue;
      this.boundTables.set(key, table);
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
      this.boundTables.delete(key);
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

/** Inlined rows and partial files are filtered by snapshot id, so such a table re-binds on every new snapshot. */
function snapshotDependent(table: TableState): boolean {
  return table.inlined.length > 0 || table.inlinedDeleteTable !== undefined || table.files.some((f) => f.partialMax !== null || f.deleteFile?.hasSnapshotColumn);
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

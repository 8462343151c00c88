/**
 * A DuckLake (spec 1.0) lake: a catalog (DuckDB file or PostgreSQL) plus a data storage,
 * read and written through our DuckDB instance without the `ducklake` extension.
 *
 *   const lake = await Lake.open({ instance, catalog: { type: 'duckdb', path }, storage });
 *   await lake.attach(connection, 'lake');            // SELECT * FROM lake.main.trips
 *   await lake.transaction(async (tx) => { await tx.append('main', 'trips', 'SELECT ...'); });
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { LakeAttachment, type AttachOptions } from './attach';
import { initialCatalogSql, DUCKLAKE_VERSION } from './catalog/ddl';
import { DuckDBCatalogStore } from './catalog/duckdb-store';
import { PostgresCatalogStore, type PostgresCatalogOptions } from './catalog/postgres-store';
import {
  advanceState,
  copyState,
  latestSnapshot,
  loadDataFiles,
  loadState,
  readDataPath,
  snapshotAtTime,
  snapshotById,
  type CatalogState,
  type SnapshotRow,
} from './catalog/state';
import type { CatalogStore } from './catalog/store';
import { writeCommit } from './commit';
import { LakeCommitUnknownError, LakeConflictError } from './errors';
import { cleanupFiles, expireSnapshots, listSnapshots, type CleanupOptions, type CleanupResult, type ExpireOptions, type ExpireResult, type SnapshotInfo } from './maintenance';
import { tableScanSql, type ReadSources } from './read';
import { ident, isRetryableCommitError, lit } from './sql';
import type { LakeStorage } from './storage/storage';
import { LakeTransaction, type CommitInfo } from './transaction';
import type { PreparedTableLayout } from './prepared-file';
import { duckdbType, flatten } from './types';

export type CatalogConfig =
  | { type: 'duckdb'; path: string }
  | {
      type: 'postgres';
      /** libpq-style URL; or give `connection` (pg options, e.g. LakeConfig's parsed connection). */
      connectionString?: string;
      connection?: PostgresCatalogOptions['connection'];
      /** Schema of the ducklake_* tables (`public` by default). */
      schema?: string;
    };

export interface LakeOpenOptions {
  /** The DuckDB instance that reads and writes Parquet; attachments must use its connections. */
  instance: DuckDBInstance;
  catalog: CatalogConfig;
  storage: LakeStorage;
  /** Name of the lake; the DuckDB-file catalog is attached as `__ducklake_metadata_<name>`. Default `lake`. */
  name?: string;
  /** Create the catalog when it does not exist yet (default true). */
  create?: boolean;
  /** Local folder for Parquet files before they are stored; a temp folder by default. */
  stagingDir?: string;
  /** Default author recorded with each snapshot. */
  author?: string;
  /** Commit attempts when other writers keep taking the next snapshot id (default 30). */
  maxCommitAttempts?: number;
  /** Test hook: runs after the files are stored and before the catalog commit. */
  beforeCatalogCommit?: () => Promise<void> | void;
}

export interface LakeTableInfo {
  schema: string;
  name: string;
  tableId: number;
  /** Rows visible now (files minus deletes, plus inlined rows). */
  rowCount: number;
  fileCount: number;
  deleteFileCount: number;
  /** Bytes of data and delete files. */
  sizeBytes: number;
  inlinedRowCount: number;
  columns: { name: string; type: string }[];
}

export interface TransactionResult<T> {
  result: T;
  /** The snapshot committed, or null when the transaction changed nothing. */
  snapshotId: number | null;
}

interface WaitingCommit {
  tx: LakeTransaction;
  connection: DuckDBConnection;
  resolve: (snapshotId: number) => void;
  reject: (error: unknown) => void;
}

export class Lake {
  private readonly attachments = new Set<LakeAttachment>();
  private closed = false;
  /** Finished transactions waiting for the catalog (see `commitInTurn`). */
  private readonly commitQueue: WaitingCommit[] = [];
  private committing = false;
  /** The newest catalog state seen (see stateAt). */
  private latest: CatalogState | undefined;
  /** Each table's highest column id ever, as of `state`. */
  private maxIds: { state: CatalogState; ids: Map<number, number> } | undefined;

  private constructor(
    readonly instance: DuckDBInstance,
    readonly store: CatalogStore,
    readonly storage: LakeStorage,
    readonly name: string,
    readonly dataPath: string,
    private readonly parquetSettings: string,
    private readonly options: LakeOpenOptions,
    readonly stagingDir: string,
  ) {}

  static async open(options: LakeOpenOptions): Promise<Lake> {
    const name = options.name ?? 'lake';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Lake name must be a plain identifier: ${name}`);
    let store: CatalogStore;
    if (options.catalog.type === 'duckdb') {
      mkdirSync(path.dirname(path.resolve(options.catalog.path)), { recursive: true });
      store = await DuckDBCatalogStore.open(options.instance, path.resolve(options.catalog.path), name);
    } else {
      const pgStore = new PostgresCatalogStore({
        connectionString: options.catalog.connectionString,
        connection: options.catalog.connection,
        schema: options.catalog.schema,
      });
      await pgStore.ensureSchema();
      store = pgStore;
    }
    try {
      const existing = await store.tableNames('ducklake_metadata');
      if (!existing.includes('ducklake_metadata')) {
        if (options.create === false) throw new Error(`No DuckLake catalog at ${store.description}.`);
        const connection = await options.instance.connect();
        let createdBy = 'DuckDB';
        try {
          const reader = await connection.runAndReadAll('SELECT source_id FROM pragma_version()');
          createdBy = `DuckDB ${String(reader.getRows()[0]?.[0] ?? '')}`.trim();
        } finally {
          connection.closeSync();
        }
        const sql = initialCatalogSql({ dataPath: options.storage.displayRoot, createdBy, mainSchemaUuid: crypto.randomUUID() });
        await store.transaction((db) => db.query(sql));
      }
      const meta = await store.query(`SELECT key, value FROM {MD}.ducklake_metadata WHERE scope IS NULL`);
      const values = new Map(meta.map((r) => [String(r.key), String(r.value)]));
      const version = values.get('version');
      if (version !== DUCKLAKE_VERSION && version !== '0.4') {
        throw new Error(`The DuckLake catalog at ${store.description} has format version ${version}; this build reads and writes ${DUCKLAKE_VERSION}.`);
      }
      if (values.get('encrypted') === 'true') throw new Error('Encrypted DuckLake catalogs are not supported.');
      const dataPath = await readDataPath(store);
      const stagingDir = options.stagingDir ?? path.join(tmpdir(), `pas-lake-staging-${process.pid}`);
      mkdirSync(stagingDir, { recursive: true });
      return new Lake(options.instance, store, options.storage, name, dataPath, parquetSettings(values), options, stagingDir);
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }

  // ---- reading -------------------------------------------------------------------------

  private loadOptions(): { storageRoot: string; dataPath: string } {
    return { storageRoot: this.storage.displayRoot, dataPath: this.dataPath };
  }

  /** The latest snapshot id (one small catalog query). */
  async currentSnapshot(): Promise<number> {
    const rows = await this.store.query('SELECT max(snapshot_id) AS s FROM {MD}.ducklake_snapshot');
    return Number(rows[0]?.s);
  }

  /** A snapshot by id, by time (latest at or before it), or the latest. */
  async resolveSnapshot(at: AttachOptions = {}): Promise<SnapshotRow> {
    if (at.snapshot !== undefined) return snapshotById(this.store, at.snapshot);
    if (at.timestamp !== undefined) return snapshotAtTime(this.store, at.timestamp);
    return latestSnapshot(this.store);
  }

  /** What the catalog holds at a snapshot (the latest by default). */
  async state(at: AttachOptions = {}): Promise<CatalogState> {
    return loadState(this.store, await this.resolveSnapshot(at), this.loadOptions());
  }

  /**
   * Makes the lake queryable as `<alias>.<schema>.<table>` in DuckDB (any connection of the
   * lake's instance). With `snapshot` or `timestamp` the attachment shows that past state and
   * never changes (time travel); otherwise `refresh()` (or any commit through this Lake) moves
   * it to the latest snapshot.
   */
  async attach(connection: DuckDBConnection, alias = this.name, at: AttachOptions = {}): Promise<LakeAttachment> {
    const attachment = new LakeAttachment(
      {
        latestSnapshotId: () => this.currentSnapshot(),
        resolveSnapshot: (a) => this.resolveSnapshot(a),
        loadState: (s) => this.stateAt(s),
        advanceState: (known, s) => this.stateAt(s, known),
        readSources: (c, scratch) => this.readSources(c, scratch),
        connect: () => this.instance.connect(),
        detached: (a) => this.attachments.delete(a),
      },
      connection,
      alias,
      at,
    );
    await attachment.open();
    this.attachments.add(attachment);
    return attachment;
  }

  /** Moves every live attachment to the latest snapshot; true when one changed. */
  async refresh(): Promise<boolean> {
    let changed = false;
    for (const a of this.attachments) if (await a.refresh()) changed = true;
    return changed;
  }

  /**
   * A SELECT that reads one table at a snapshot, for ad-hoc time travel in SQL, e.g.
   * `SELECT count(*) FROM (${await lake.tableSql(conn, 'main', 'trips', { snapshot: 3 })})`.
   * Run it on `connection` (inlined rows of a PostgreSQL catalog are copied into its temp schema).
   */
  async tableSql(connection: DuckDBConnection, schema: string, table: string, at: AttachOptions = {}): Promise<string> {
    const snapshot = await this.resolveSnapshot(at);
    const state = await loadState(this.store, snapshot, this.loadOptions());
    const t = state.tables.find((x) => x.schemaName === schema && x.name === table);
    if (!t) throw new Error(`Table ${schema}.${table} does not exist in the lake at snapshot ${snapshot.id}.`);
    return tableScanSql(t, snapshot.id, this.readSources(connection, 'temp'));
  }

  /** How DuckDB reaches files and catalog tables. */
  readSources(connection: DuckDBConnection, scratchCatalog: string): ReadSources {
    const catalogName = this.store.duckdbCatalogName;
    return {
      filePath: async (file) => file.localPath ?? this.storage.localPath(file.key),
      catalogTable: async (name) => {
        if (catalogName) return `${ident(catalogName)}.main.${ident(name)}`;
        return this.materialise(connection, scratchCatalog, name);
      },
    };
  }

  /** Copies a catalog table of a PostgreSQL catalog (inlined rows) into DuckDB. */
  private async materialise(connection: DuckDBConnection, scratchCatalog: string, name: string): Promise<string> {
    const target = `${ident(scratchCatalog)}.main.${ident(name)}`;
    const rows = await this.store.query(`SELECT * FROM {MD}.${ident(name)}`);
    const types = await this.inlinedColumnTypes(name);
    const columns = types.map(([n, t]) => `${ident(n)} ${t}`).join(', ');
    await connection.run(
      scratchCatalog === 'temp' ? `CREATE OR REPLACE TEMP TABLE ${ident(name)} (${columns})` : `CREATE OR REPLACE TABLE ${target} (${columns})`,
    );
    for (let i = 0; i < rows.length; i += 500) {
      const values = rows.slice(i, i + 500).map(
        (row) =>
          `(${types
            .map(([n, t]) => {
              const v = row[n];
              if (v === null || v === undefined) return 'NULL';
              if (Buffer.isBuffer(v)) return t === 'BLOB' ? `from_hex(${lit(v.toString('hex'))})` : `CAST(${lit(v.toString('utf8'))} AS ${t})`;
              if (v instanceof Date) return `CAST(${lit(v.toISOString())} AS ${t})`;
              return `CAST(${lit(typeof v === 'object' ? JSON.stringify(v) : String(v))} AS ${t})`;
            })
            .join(', ')})`,
      );
      await connection.run(`INSERT INTO ${target} VALUES ${values.join(', ')}`);
    }
    return target;
  }

  /** DuckDB column types of an inlined table: system columns, then the layout of its schema version. */
  private async inlinedColumnTypes(name: string): Promise<[string, string][]> {
    if (name.startsWith('ducklake_inlined_delete_')) {
      return [
        ['file_id', 'BIGINT'],
        ['row_id', 'BIGINT'],
        ['begin_snapshot', 'BIGINT'],
      ];
    }
    const reg = await this.store.query(`SELECT table_id, schema_version FROM {MD}.ducklake_inlined_data_tables WHERE table_name = ${lit(name)}`);
    const r = reg[0];
    if (!r) throw new Error(`Unknown inlined-data table ${name}.`);
    const snapshotRows = await this.store.query(
      `SELECT max(begin_snapshot) AS s FROM {MD}.ducklake_schema_versions WHERE table_id = ${Number(r.table_id)} AND schema_version <= ${Number(r.schema_version)}`,
    );
    const at = snapshotRows[0]?.s ?? (await this.store.query(`SELECT min(begin_snapshot) AS s FROM {MD}.ducklake_table WHERE table_id = ${Number(r.table_id)}`))[0]?.s;
    const state = await loadState(this.store, await snapshotById(this.store, Number(at)), {
      ...this.loadOptions(),
      tableIds: [Number(r.table_id)],
      withoutFiles: true,
    }).catch(() => undefined);
    const columns = state?.tables[0]?.columns ?? [];
    return [
      ['row_id', 'BIGINT'],
      ['begin_snapshot', 'BIGINT'],
      ['end_snapshot', 'BIGINT'],
      ...columns.map((c) => [c.name, duckdbType(c)] as [string, string]),
    ];
  }

  // ---- writing -------------------------------------------------------------------------

  /** What a write builds on: the latest catalog state (without files) and each table's highest column id ever. */
  private async writeBase(): Promise<{ state: CatalogState; maxIds: Map<number, number> }> {
    const state = await this.stateAt(await latestSnapshot(this.store));
    const known = this.maxIds;
    let maxIds: Map<number, number>;
    if (known && known.state.snapshot.id <= state.snapshot.id) {
      // Tables whose state object is new since the last base may have new columns.
      const unchanged = new Set(known.state.tables);
      const reloaded = state.tables.filter((t) => !unchanged.has(t)).map((t) => t.id);
      maxIds = new Map(known.ids);
      if (reloaded.length > 0) {
        for (const r of await this.store.query(`SELECT table_id, max(column_id) AS m FROM {MD}.ducklake_column WHERE table_id IN (${reloaded.join(',')}) GROUP BY table_id`)) {
          maxIds.set(Number(r.table_id), Number(r.m));
        }
      }
    } else {
      maxIds = new Map<number, number>();
      for (const r of await this.store.query('SELECT table_id, max(column_id) AS m FROM {MD}.ducklake_column GROUP BY table_id')) {
        maxIds.set(Number(r.table_id), Number(r.m));
      }
    }
    if (!this.maxIds || this.maxIds.state.snapshot.id <= state.snapshot.id) this.maxIds = { state, ids: maxIds };
    // A transaction edits its base as it goes: it gets its own copy, without files (it loads
    // the files of the tables it reads or changes itself).
    return { state: copyState(state, { withoutFiles: true }), maxIds: new Map(maxIds) };
  }

  /**
   * The catalog state (with files) at `snapshot`, shared by writes and live attachments and
   * never edited: the last one seen, brought forward by reloading only what changed since
   * (advanceState), so a write or refresh costs a few small queries, not a read of the whole
   * catalog. `hint` is another known state to start from.
   */
  private async stateAt(snapshot: SnapshotRow, hint?: CatalogState): Promise<CatalogState> {
    const options = this.loadOptions();
    const cached = this.latest;
    if (cached?.snapshot.id === snapshot.id) return cached;
    const from = [cached, hint].filter((x): x is CatalogState => x !== undefined && x.snapshot.id <= snapshot.id).sort((a, b) => b.snapshot.id - a.snapshot.id)[0];
    const state = (from ? await advanceState(this.store, from, snapshot, options) : undefined) ?? (await loadState(this.store, snapshot, options));
    if (!this.latest || this.latest.snapshot.id < snapshot.id) this.latest = state;
    return state;
  }

  /**
   * How to write Parquet files for the tables of `schema` outside a transaction so that a later
   * one adopts them unchanged (prepared-file.ts): the tables' field ids now, and the lake's
   * Parquet settings. Tables not listed do not exist yet.
   */
  async preparedLayouts(schema: string): Promise<{ tables: Map<string, PreparedTableLayout>; parquetOptions: string }> {
    const { state, maxIds } = await this.writeBase();
    const tables = new Map<string, PreparedTableLayout>();
    for (const t of state.tables) {
      if (t.schemaName !== schema) continue;
      tables.set(t.name, {
        ids: new Map(t.columns.map((c) => [c.name.toLowerCase(), c.id])),
        maxColumnId: maxIds.get(t.id) ?? Math.max(0, ...flatten(t.columns).map((c) => c.id)),
        flat: t.columns.every((c) => c.children.length === 0),
      });
    }
    return { tables, parquetOptions: this.parquetSettings };
  }

  /**
   * Runs `fn` and commits everything it did as one snapshot. Files are written and stored
   * first; the catalog commit retries on top of other writers' snapshots unless their changes
   * conflict (LakeConflictError, nothing written, the stored files removed again).
   */
  async transaction<T>(fn: (tx: LakeTransaction) => Promise<T> | T, info: CommitInfo = {}): Promise<TransactionResult<T>> {
    if (this.closed) throw new Error('The lake is closed.');
    const connection = await this.instance.connect();
    let tx: LakeTransaction | undefined;
    try {
      const { state, maxIds } = await this.writeBase();
      tx = new LakeTransaction(
        state,
        {
          stagingDir: this.stagingDir,
          dataPath: this.dataPath,
          readSources: (c, s) => this.readSources(c, s),
          parquetOptions: () => this.parquetSettings,
          loadFiles: (tables, s) => loadDataFiles(this.store, s, tables, this.dataPath, this.storage.displayRoot),
        },
        connection,
        maxIds,
      );
      tx.setCommitInfo({ author: this.options.author, ...info });
      const result = await fn(tx);
      if (tx.isEmpty) return { result, snapshotId: null };

      const stored: string[] = [];
      try {
        for (const [local, key] of tx.uploads()) {
          await this.storage.putFile(local, key);
          stored.push(key);
        }
        await this.options.beforeCatalogCommit?.();
        const snapshotId = await this.commitInTurn(tx, connection);
        await this.refresh().catch(() => undefined);
        return { result, snapshotId };
      } catch (error) {
        // Files of a commit that surely did not happen are removed at once; if the outcome is
        // unknown they stay (a later cleanup removes them if no snapshot took them).
        if (!(error instanceof LakeCommitUnknownError)) await this.storage.delete(stored).catch(() => undefined);
        throw error;
      }
    } finally {
      tx?.cleanupStaging();
      connection.closeSync();
    }
  }

  /**
   * Commits `tx` as a snapshot of its own. Transactions that finish while another commit holds
   * the catalog are committed after it together, in one catalog transaction (still one snapshot
   * each, in order), so concurrent writers (an apply's model tasks) pay one catalog round trip
   * per wave instead of one each. A joint commit that fails wrote nothing; its transactions are
   * then committed one by one, so one transaction's conflict never fails another.
   */
  private commitInTurn(tx: LakeTransaction, connection: DuckDBConnection): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.commitQueue.push({ tx, connection, resolve, reject });
      void this.drainCommits();
    });
  }

  private async drainCommits(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      while (this.commitQueue.length > 0) {
        const wave = this.commitQueue.splice(0);
        if (wave.length > 1) {
          try {
            const ids = await this.store.transaction(async (db) => {
              const out: number[] = [];
              for (const w of wave) out.push((await writeCommit(db, w.tx, w.connection, this.store.kind)).snapshotId);
              return out;
            });
            wave.forEach((w, i) => w.resolve(ids[i] as number));
            continue;
          } catch (error) {
            if (error instanceof LakeCommitUnknownError) {
              for (const w of wave) w.reject(error);
              continue;
            }
            // Rolled back as a whole: each on its own below.
          }
        }
        for (const w of wave) {
          try {
            w.resolve(await this.commitWithRetry(w.tx, w.connection));
          } catch (error) {
            w.reject(error);
          }
        }
      }
    } finally {
      this.committing = false;
    }
  }

  private async commitWithRetry(tx: LakeTransaction, connection: DuckDBConnection): Promise<number> {
    const attempts = this.options.maxCommitAttempts ?? 30;
    let wait = 20;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const commit = await this.store.transaction((db) => writeCommit(db, tx, connection, this.store.kind));
        return commit.snapshotId;
      } catch (error) {
        if (error instanceof LakeConflictError || error instanceof LakeCommitUnknownError || !isRetryableCommitError(error) || attempt >= attempts) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, wait * (0.5 + Math.random() / 2)));
        wait = Math.min(wait * 1.5, 1000);
      }
    }
  }

  // ---- maintenance ---------------------------------------------------------------------

  snapshots(): Promise<SnapshotInfo[]> {
    return listSnapshots(this.store);
  }

  /** Tables at the latest snapshot with row, file and byte counts. */
  async tables(): Promise<LakeTableInfo[]> {
    const state = await this.state();
    const s = state.snapshot.id;
    const out: LakeTableInfo[] = [];
    for (const t of state.tables) {
      let inlinedRows = 0;
      for (const i of t.inlined) {
        const rows = await this.store.query(
          `SELECT count(*) AS n FROM {MD}.${ident(i.name)} WHERE begin_snapshot <= ${s} AND (end_snapshot IS NULL OR end_snapshot > ${s})`,
        );
        inlinedRows += Number(rows[0]?.n ?? 0);
      }
      let inlinedDeletes = 0;
      if (t.inlinedDeleteTable && t.files.length) {
        const rows = await this.store.query(
          `SELECT count(*) AS n FROM {MD}.${ident(t.inlinedDeleteTable)} WHERE begin_snapshot <= ${s} AND file_id IN (${t.files.map((f) => f.id).join(',')})`,
        );
        inlinedDeletes = Number(rows[0]?.n ?? 0);
      }
      const fileRows = t.files.reduce((n, f) => n + f.recordCount - (f.deleteFile?.deleteCount ?? 0), 0);
      out.push({
        schema: t.schemaName,
        name: t.name,
        tableId: t.id,
        rowCount: fileRows - inlinedDeletes + inlinedRows,
        fileCount: t.files.length,
        deleteFileCount: t.files.filter((f) => f.deleteFile).length,
        sizeBytes: t.files.reduce((n, f) => n + f.fileSize + (f.deleteFile?.fileSize ?? 0), 0),
        inlinedRowCount: inlinedRows,
        columns: t.columns.map((c) => ({ name: c.name, type: duckdbType(c) })),
      });
    }
    return out;
  }

  /** Removes old snapshots and the catalog rows only they could see; their files get scheduled for deletion. */
  expire(options: ExpireOptions): Promise<ExpireResult> {
    return expireSnapshots(this.store, options);
  }

  /** Deletes files scheduled for deletion and orphaned files (list them first with `dryRun`). */
  cleanup(options: CleanupOptions = {}): Promise<CleanupResult> {
    return cleanupFiles(this.store, this.storage, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const a of [...this.attachments]) await a.detach();
    await this.store.close();
  }
}

function parquetSettings(values: Map<string, string>): string {
  const out: string[] = [];
  const compression = values.get('parquet_compression');
  if (compression) out.push(`COMPRESSION ${lit(compression)}`);
  const level = values.get('parquet_compression_level');
  if (level && /^-?\d+$/.test(level)) out.push(`COMPRESSION_LEVEL ${level}`);
  const version = values.get('parquet_version');
  if (version && /^\d+$/.test(version)) out.push(`PARQUET_VERSION V${version}`);
  const rowGroup = values.get('parquet_row_group_size');
  if (rowGroup && /^\d+$/.test(rowGroup)) out.push(`ROW_GROUP_SIZE ${rowGroup}`);
  const rowGroupBytes = values.get('parquet_row_group_size_bytes');
  if (rowGroupBytes && /^\d+$/.test(rowGroupBytes)) out.push(`ROW_GROUP_SIZE_BYTES ${rowGroupBytes}`);
  return out.map((o) => `, ${o}`).join('');
}


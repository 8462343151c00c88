/**
 * A `LakeSink` over a plain DuckDB database file: each dataset is a DuckDB schema, each table a
 * DuckDB table, and each load one DuckDB transaction (schema changes, data, `_dlt_loads`,
 * `_dlt_pipeline_state` and table schemas in `_dlt_tables`). The destination of a project whose
 * gateway has a DuckDB database and no lake (`onConnection`), and a file of its own in tests.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckEngine } from '../../duck/engine';
import type { TableSchema } from '../schema/types';
import { duckType, quoteIdent, quoteLiteral } from '../schema/types';
import type { LoadPackage, LoadTable, PipelineState } from './package';
import { loadRecord, loadsQuery, parquetList, SYSTEM_TABLES, type LakeSink, type LoadRecord, type SystemTable } from './sink';

type Cell = string | number | boolean | null;

const SINK_DEFAULTS: Record<string, string> = { memory_limit: '128MB', allocator_flush_threshold: '16MB', allocator_background_threads: 'true' };

export class DuckDbSink implements LakeSink {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    /** The engine the sink opened itself; undefined when it works on a connection it was given. */
    private readonly engine: DuckEngine | undefined,
    private readonly connection: DuckDBConnection,
  ) {}

  /** A sink into the default catalog of `connection` (a project's warehouse database); closing it closes the connection. */
  static onConnection(connection: DuckDBConnection): DuckDbSink {
    return new DuckDbSink(undefined, connection);
  }

  /**
   * Opens (or creates) the database file; in memory without a path. `settings` are DuckDB
   * settings; by default memory is capped (`memory_limit` 128MB, larger work spills to disk) so a
   * commit of any size stays within ingestion's memory budget.
   */
  static async open(path?: string, settings?: Record<string, string>): Promise<DuckDbSink> {
    const engine = await DuckEngine.open({ ...(path ? { path } : {}), settings: { ...SINK_DEFAULTS, ...settings } });
    return new DuckDbSink(engine, await engine.connect());
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.connection.closeSync();
    await this.engine?.close();
  }

  /** Runs a query and returns rows as JSON-safe objects (for tests and info screens). */
  async query(sql: string): Promise<Record<string, Cell>[]> {
    return this.exclusive(async () => {
      const reader = await this.connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as Record<string, Cell>[];
    });
  }

  async currentSchemas(dataset: string): Promise<TableSchema[]> {
    if (!(await this.hasTable(dataset, '_dlt_tables'))) return [];
    const rows = await this.query(`SELECT schema FROM ${quoteIdent(dataset)}._dlt_tables ORDER BY table_name`);
    return rows.map((r) => JSON.parse(String(r.schema)) as TableSchema);
  }

  async currentSchema(dataset: string, table: string): Promise<TableSchema | undefined> {
    return (await this.currentSchemas(dataset)).find((t) => t.name === table);
  }

  async pipelineState(dataset: string, pipeline: string): Promise<PipelineState | undefined> {
    if (!(await this.hasTable(dataset, '_dlt_pipeline_state'))) return undefined;
    const rows = await this.query(
      `SELECT state FROM ${quoteIdent(dataset)}._dlt_pipeline_state WHERE pipeline_name = ${quoteLiteral(pipeline)} ORDER BY load_id DESC LIMIT 1`,
    );
    const state = rows[0]?.state;
    return state === undefined || state === null ? undefined : (JSON.parse(String(state)) as PipelineState);
  }

  async loads(dataset: string, pipeline: string, limit = 20): Promise<LoadRecord[]> {
    if (!(await this.hasTable(dataset, '_dlt_loads'))) return [];
    return (await this.query(loadsQuery(`${quoteIdent(dataset)}._dlt_loads`, pipeline, limit))).map((r) => loadRecord(r, dataset));
  }

  async dropPipeline(dataset: string, pipeline: string, dropTables: string[] = []): Promise<void> {
    const hasState = await this.hasTable(dataset, '_dlt_pipeline_state');
    const hasTables = await this.hasTable(dataset, '_dlt_tables');
    const ds = quoteIdent(dataset);
    await this.transaction(async (run) => {
      if (hasState) await run(`DELETE FROM ${ds}._dlt_pipeline_state WHERE pipeline_name = ${quoteLiteral(pipeline)}`);
      for (const table of dropTables) {
        await run(`DROP TABLE IF EXISTS ${ds}.${quoteIdent(table)}`);
        if (hasTables) await run(`DELETE FROM ${ds}._dlt_tables WHERE table_name = ${quoteLiteral(table)}`);
      }
    });
  }

  async commitLoad(pkg: LoadPackage, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const ds = quoteIdent(pkg.dataset);
    await this.transaction(async (run) => {
      // Loads carry their own order where it matters (merge ranks rows by file and row number),
      // so DuckDB may insert in parallel within the memory limit.
      await run('SET preserve_insertion_order = false');
      await run(`CREATE SCHEMA IF NOT EXISTS ${ds}`);
      for (const table of Object.values(SYSTEM_TABLES) as SystemTable[]) {
        const columns = table.columns.map((c) => `${c.name} ${c.type}${c.name === table.key ? ' PRIMARY KEY' : ''}`).join(', ');
        await run(`CREATE TABLE IF NOT EXISTS ${ds}.${table.name} (${columns})`);
      }
      const stored = new Map((await this.currentSchemasIn(run, pkg.dataset)).map((t) => [t.name, t]));
      for (const table of pkg.tables) await this.migrate(run, pkg.dataset, table.schema, stored.get(table.schema.name));
      signal?.throwIfAborted();
      const byName = new Map(pkg.tables.map((t) => [t.schema.name, t]));
      for (const table of pkg.tables) {
        if (table.schema.parent) continue;
        await this.writeRoot(run, pkg, table, byName, [...stored.keys()]);
        signal?.throwIfAborted();
      }
      const counts = pkg.tables.map((t) => ({ name: t.schema.name, rows: t.rows }));
      await run(
        `INSERT INTO ${ds}._dlt_loads VALUES (${quoteLiteral(pkg.loadId)}, ${quoteLiteral(pkg.pipeline)}, 0, now()::TIMESTAMP, ${quoteLiteral(JSON.stringify(counts))})`,
      );
      await run(
        `INSERT INTO ${ds}._dlt_pipeline_state VALUES (${quoteLiteral(pkg.pipeline)}, ${pkg.state.version}, ${quoteLiteral(JSON.stringify(pkg.state))}, ${quoteLiteral(pkg.loadId)}, now()::TIMESTAMP)`,
      );
      for (const table of pkg.tables) {
        await run(
          `INSERT OR REPLACE INTO ${ds}._dlt_tables VALUES (${quoteLiteral(table.schema.name)}, ${quoteLiteral(JSON.stringify(table.schema))})`,
        );
      }
    });
  }

  private async currentSchemasIn(run: Run, dataset: string): Promise<TableSchema[]> {
    const rows = await run(`SELECT schema FROM ${quoteIdent(dataset)}._dlt_tables`);
    return rows.map((r) => JSON.parse(String(r.schema)) as TableSchema);
  }

  private async migrate(run: Run, dataset: string, schema: TableSchema, stored: TableSchema | undefined): Promise<void> {
    const target = `${quoteIdent(dataset)}.${quoteIdent(schema.name)}`;
    if (!stored) {
      const columns = schema.columns.map((c) => `${quoteIdent(c.name)} ${duckType(c.dataType)}`).join(', ');
      await run(`CREATE TABLE ${target} (${columns})`);
      return;
    }
    const have = new Set(stored.columns.map((c) => c.name));
    for (const column of schema.columns) {
      if (!have.has(column.name)) await run(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(column.name)} ${duckType(column.dataType)}`);
    }
  }

  /** Writes a root table and its descendants according to the root's write disposition. */
  private async writeRoot(run: Run, pkg: LoadPackage, root: LoadTable, byName: Map<string, LoadTable>, storedNames: string[]): Promise<void> {
    const ds = quoteIdent(pkg.dataset);
    const rootName = root.schema.name;
    const target = `${ds}.${quoteIdent(rootName)}`;
    const descendants = pkg.tables.filter((t) => t.schema.name.startsWith(`${rootName}__`) && t.schema.parent);
    const lakeDescendants = [...new Set([...storedNames.filter((n) => n.startsWith(`${rootName}__`)), ...descendants.map((d) => d.schema.name)])];
    const disposition = root.schema.writeDisposition;
    const pk = root.schema.primaryKey;
    if (disposition === 'replace') {
      for (const name of lakeDescendants) await run(`DELETE FROM ${ds}.${quoteIdent(name)}`);
      await run(`DELETE FROM ${target}`);
    }
    if (disposition === 'merge' && pk.length > 0 && root.files.length > 0) {
      const stage = quoteIdent(`_stage_${rootName}`);
      const keys = pk.map(quoteIdent).join(', ');
      await run(
        `CREATE OR REPLACE TEMP TABLE ${stage} AS SELECT * EXCLUDE (_pas_file, file_row_number) FROM read_parquet(${parquetList(root.files)}, union_by_name = true, filename = '_pas_file', file_row_number = true) ` +
          // The last occurrence of a key in the package wins (files and rows are in arrival order).
          `QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY _pas_file DESC, file_row_number DESC) = 1`,
      );
      const match = pk.map((k) => `s.${quoteIdent(k)} = t.${quoteIdent(k)}`).join(' AND ');
      const replaced = `SELECT t._dlt_id FROM ${target} t WHERE EXISTS (SELECT 1 FROM ${stage} s WHERE ${match})`;
      for (const name of lakeDescendants) {
        await run(`DELETE FROM ${ds}.${quoteIdent(name)} WHERE _dlt_root_id IN (${replaced})`);
      }
      await run(`DELETE FROM ${target} t WHERE EXISTS (SELECT 1 FROM ${stage} s WHERE ${match})`);
      await run(`INSERT INTO ${target} BY NAME SELECT * FROM ${stage}`);
      for (const child of descendants) {
        if (child.files.length === 0) continue;
        await run(
          `INSERT INTO ${ds}.${quoteIdent(child.schema.name)} BY NAME SELECT * FROM read_parquet(${parquetList(child.files)}, union_by_name = true) ` +
            `WHERE _dlt_root_id IN (SELECT _dlt_id FROM ${stage})`,
        );
      }
      await run(`DROP TABLE ${stage}`);
      return;
    }
    for (const table of [root, ...descendants]) {
      if (table.files.length === 0) continue;
      await run(`INSERT INTO ${ds}.${quoteIdent(table.schema.name)} BY NAME SELECT * FROM read_parquet(${parquetList(table.files)}, union_by_name = true)`);
    }
  }

  private async hasTable(dataset: string, table: string): Promise<boolean> {
    const rows = await this.query(
      `SELECT 1 FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = ${quoteLiteral(dataset)} AND table_name = ${quoteLiteral(table)}`,
    );
    return rows.length > 0;
  }

  private async transaction(body: (run: Run) => Promise<void>): Promise<void> {
    await this.exclusive(async () => {
      const run: Run = async (sql) => (await this.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, Cell>[];
      await this.connection.run('BEGIN TRANSACTION');
      try {
        await body(run);
        await this.connection.run('COMMIT');
      } catch (error) {
        await this.connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        await this.connection.run('RESET preserve_insertion_order').catch(() => undefined);
      }
    });
  }

  /** Serializes use of the one connection. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

type Run = (sql: string) => Promise<Record<string, Cell>[]>;


/**
 * The `LakeSink` over the DuckLake lake: a dataset is a lake schema, each ingested table a lake
 * table, and one load is one lake transaction — schema changes, the data (append, replace, or
 * merge as delete-then-insert on the primary key), `_dlt_loads`, `_dlt_pipeline_state` (with
 * the incremental cursors) and `_dlt_tables` (the table schemas) commit as one snapshot.
 */
import { predictFieldIds, preparedCopyOptions } from '../../lake/prepared-file';
import type { LakeTransaction } from '../../lake/transaction';
import type { LakeWarehouse } from '../../plan/lake-warehouse';
import { duckType, quoteIdent, quoteLiteral, type TableSchema } from '../schema/types';
import type { LoadPackage, LoadTable, PackageFile, PipelineState } from './package';
import { PACKAGE_ROW_GROUP_SIZE } from './package-writer';
import { loadRecord, loadsQuery, parquetList, SYSTEM_TABLES, type LakeSink, type LoadRecord, type PackageFileForm, type SystemTable } from './sink';

const LOADS = SYSTEM_TABLES.loads.name;
const STATE = SYSTEM_TABLES.state.name;
const TABLES = SYSTEM_TABLES.tables.name;


export class LakeIngestSink implements LakeSink {
  constructor(private readonly warehouse: LakeWarehouse) {}

  private get lake() {
    return this.warehouse.lake;
  }

  private async exists(dataset: string, table: string): Promise<boolean> {
    return (await this.warehouse.exists({ schema: dataset, table })) === 'table';
  }

  private async rows(sql: string): Promise<Record<string, unknown>[]> {
    return this.warehouse.query(sql);
  }

  private table(dataset: string, name: string): string {
    return this.warehouse.qualify({ schema: dataset, table: name });
  }

  async currentSchemas(dataset: string): Promise<TableSchema[]> {
    if (!(await this.exists(dataset, TABLES))) return [];
    const rows = await this.rows(`SELECT schema FROM ${this.table(dataset, TABLES)} ORDER BY table_name`);
    return rows.map((r) => JSON.parse(String(r.schema)) as TableSchema);
  }

  async currentSchema(dataset: string, table: string): Promise<TableSchema | undefined> {
    return (await this.currentSchemas(dataset)).find((t) => t.name === table);
  }

  async pipelineState(dataset: string, pipeline: string): Promise<PipelineState | undefined> {
    if (!(await this.exists(dataset, STATE))) return undefined;
    const rows = await this.rows(`SELECT state FROM ${this.table(dataset, STATE)} WHERE pipeline_name = ${quoteLiteral(pipeline)} ORDER BY version DESC, load_id DESC LIMIT 1`);
    const state = rows[0]?.state;
    return state === undefined || state === null ? undefined : (JSON.parse(String(state)) as PipelineState);
  }

  async loads(dataset: string, pipeline: string, limit = 20): Promise<LoadRecord[]> {
    if (!(await this.exists(dataset, LOADS))) return [];
    return (await this.rows(loadsQuery(this.table(dataset, LOADS), pipeline, limit))).map((r) => loadRecord(r, dataset));
  }

  async dropPipeline(dataset: string, pipeline: string, dropTables: string[] = []): Promise<void> {
    await this.lake.transaction(async (tx) => {
      if (tx.table(dataset, STATE)) await tx.delete(dataset, STATE, `pipeline_name = ${quoteLiteral(pipeline)}`);
      for (const name of dropTables) {
        if (tx.table(dataset, name)) tx.dropTable(dataset, name);
        if (tx.table(dataset, TABLES)) await tx.delete(dataset, TABLES, `table_name = ${quoteLiteral(name)}`);
      }
    }, { message: `pas pipeline drop ${pipeline}` });
  }

  /**
   * Files are written as the lake writes its own data files, with the field ids the tables'
   * columns have (or will get from this load's CREATE TABLE / ADD COLUMN), so the commit adopts
   * them. A file that no longer fits at commit (a column added after it was written, another
   * writer's schema change) is rewritten instead.
   */
  async packageFileForm(dataset: string): Promise<PackageFileForm> {
    const { tables, parquetOptions } = await this.lake.preparedLayouts(dataset);
    return {
      copyOptions: (table, columns) => {
        const layout = tables.get(table);
        if (layout && !layout.flat) return undefined;
        return preparedCopyOptions(predictFieldIds(layout, columns), parquetOptions, { rowGroupSize: PACKAGE_ROW_GROUP_SIZE });
      },
    };
  }

  async commitLoad(pkg: LoadPackage, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const ds = pkg.dataset;
    await this.lake.transaction(
      async (tx) => {
        if (!tx.schema(ds)) tx.createSchema(ds);
        for (const table of Object.values(SYSTEM_TABLES) as SystemTable[]) {
          // The lake keeps JSON documents as text.
          if (!tx.table(ds, table.name)) await tx.createTable(ds, table.name, table.columns.map((c) => ({ name: c.name, type: c.type === 'JSON' ? 'VARCHAR' : c.type })));
        }
        for (const table of pkg.tables) await this.migrate(tx, ds, table.schema);
        signal?.throwIfAborted();
        const stored = tx.table(ds, TABLES) ? await tx.query(`SELECT table_name FROM (${await tx.scanSql(ds, TABLES)})`) : [];
        const storedNames = stored.map((r) => String(r.table_name));
        for (const table of pkg.tables) {
          if (table.schema.parent) continue;
          await this.writeRoot(tx, pkg, table, storedNames);
          signal?.throwIfAborted();
        }
        const counts = JSON.stringify(pkg.tables.map((t) => ({ name: t.schema.name, rows: t.rows })));
        await tx.append(ds, LOADS, `SELECT ${quoteLiteral(pkg.loadId)} AS load_id, ${quoteLiteral(pkg.pipeline)} AS pipeline_name, 0 AS status, now()::TIMESTAMP AS inserted_at, ${quoteLiteral(counts)} AS tables`);
        await tx.append(
          ds,
          STATE,
          `SELECT ${quoteLiteral(pkg.pipeline)} AS pipeline_name, ${pkg.state.version}::BIGINT AS version, ${quoteLiteral(JSON.stringify(pkg.state))} AS state, ${quoteLiteral(pkg.loadId)} AS load_id, now()::TIMESTAMP AS created_at`,
        );
        const names = pkg.tables.map((t) => quoteLiteral(t.schema.name)).join(', ');
        if (names) await tx.delete(ds, TABLES, `table_name IN (${names})`);
        await tx.append(ds, TABLES, pkg.tables.map((t) => `SELECT ${quoteLiteral(t.schema.name)} AS table_name, ${quoteLiteral(JSON.stringify(t.schema))} AS schema`).join(' UNION ALL '));
      },
      { message: `load ${pkg.loadId} of ${pkg.pipeline}` },
    );
  }

  private async migrate(tx: LakeTransaction, dataset: string, schema: TableSchema): Promise<void> {
    const existing = tx.table(dataset, schema.name);
    if (!existing) {
      await tx.createTable(dataset, schema.name, schema.columns.map((c) => ({ name: c.name, type: duckType(c.dataType) })));
      return;
    }
    const have = new Set((await this.columnsIn(tx, dataset, schema.name)).map((c) => c.toLowerCase()));
    for (const column of schema.columns) {
      if (!have.has(column.name.toLowerCase())) await tx.addColumn(dataset, schema.name, { name: column.name, type: duckType(column.dataType) });
    }
  }

  private async columnsIn(tx: LakeTransaction, dataset: string, table: string): Promise<string[]> {
    const described = await tx.query(`DESCRIBE SELECT * FROM (${await tx.scanSql(dataset, table)})`);
    return described.map((r) => String(r.column_name));
  }

  /** Writes a root table and its child tables according to the root's write disposition. */
  private async writeRoot(tx: LakeTransaction, pkg: LoadPackage, root: LoadTable, storedNames: string[]): Promise<void> {
    const ds = pkg.dataset;
    const rootName = root.schema.name;
    const children = pkg.tables.filter((t) => t.schema.parent && t.schema.name.startsWith(`${rootName}__`));
    const lakeChildren = [...new Set([...storedNames.filter((n) => n.startsWith(`${rootName}__`)), ...children.map((c) => c.schema.name)])].filter((n) => tx.table(ds, n));
    const disposition = root.schema.writeDisposition;
    const pk = root.schema.primaryKey;
    if (disposition === 'replace') {
      for (const name of lakeChildren) await tx.delete(ds, name, 'true');
      await tx.delete(ds, rootName, 'true');
    }
    if (disposition === 'merge' && pk.length > 0 && root.files.length > 0) {
      const keys = pk.map(quoteIdent).join(', ');
      const tuple = pk.length === 1 ? keys : `(${keys})`;
      const loaded = `read_parquet(${parquetList(root.files)}, union_by_name = true)`;
      const [check] = await tx.query(`SELECT count(*) - count(DISTINCT ${tuple}) AS repeated FROM ${loaded}`);
      if (Number(check?.repeated) === 0) {
        // Each key once in the package (the usual case): delete the stored rows with these keys
        // and their child rows, then take the package files as they are — no staging, no rewrite.
        const rootScan = await tx.scanSql(ds, rootName);
        const stored = pk.length === 1 ? `t.${keys}` : `(${pk.map((k) => `t.${quoteIdent(k)}`).join(', ')})`;
        const replacedIds = `SELECT t._dlt_id FROM (${rootScan}) AS t WHERE ${stored} IN (SELECT ${keys} FROM ${loaded})`;
        for (const name of lakeChildren) await tx.delete(ds, name, `_dlt_root_id IN (${replacedIds})`);
        await tx.delete(ds, rootName, `${tuple} IN (SELECT ${keys} FROM ${loaded})`);
        for (const table of [root, ...children]) await this.appendFiles(tx, ds, table.schema.name, table.files);
        return;
      }
      const stage = quoteIdent(`__pas_stage_${rootName}`);
      // The last occurrence of a key in the package wins (files and rows are in arrival order).
      await tx.query(
        `CREATE OR REPLACE TEMP TABLE ${stage} AS SELECT * EXCLUDE (_pas_file, file_row_number) FROM read_parquet(${parquetList(root.files)}, union_by_name = true, filename = '_pas_file', file_row_number = true) QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY _pas_file DESC, file_row_number DESC) = 1`,
      );
      const rootScan = await tx.scanSql(ds, rootName);
      const replacedIds = `SELECT t._dlt_id FROM (${rootScan}) AS t WHERE EXISTS (SELECT 1 FROM ${stage} AS __s WHERE ${pk.map((k) => `__s.${quoteIdent(k)} = t.${quoteIdent(k)}`).join(' AND ')})`;
      for (const name of lakeChildren) await tx.delete(ds, name, `_dlt_root_id IN (${replacedIds})`);
      await tx.delete(ds, rootName, `${tuple} IN (SELECT ${keys} FROM ${stage})`);
      await tx.append(ds, rootName, `SELECT * FROM ${stage}`);
      for (const child of children) {
        if (child.files.length === 0) continue;
        await tx.append(ds, child.schema.name, `SELECT * FROM read_parquet(${parquetList(child.files)}, union_by_name = true) WHERE _dlt_root_id IN (SELECT _dlt_id FROM ${stage})`);
      }
      await tx.query(`DROP TABLE ${stage}`);
      return;
    }
    for (const table of [root, ...children]) await this.appendFiles(tx, ds, table.schema.name, table.files);
  }

  /** Adopts the files written in the lake's form; rewrites the others (one new file). */
  private async appendFiles(tx: LakeTransaction, dataset: string, table: string, files: PackageFile[]): Promise<void> {
    const prepared = files.flatMap((file) => (file.stats ? [{ path: file.path, stats: file.stats }] : []));
    const adopted = await tx.adoptDataFiles(dataset, table, prepared);
    const taken = new Set(prepared.filter((_, i) => adopted[i] !== undefined).map((file) => file.path));
    const rewrite = files.filter((file) => !taken.has(file.path));
    if (rewrite.length > 0) await tx.append(dataset, table, `SELECT * FROM read_parquet(${parquetList(rewrite)}, union_by_name = true)`);
  }
}

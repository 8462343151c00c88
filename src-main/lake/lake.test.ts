import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../testing/use-postgres';
import { CATALOG_TABLES, CATALOG_TABLE_NAMES } from './catalog/ddl';
import { LakeConflictError } from './errors';
import { openTestLake, rows, scalar, type CatalogKind, type TestLake } from './testing/harness';

const pg = usePostgres();

const TRIPS = [
  { name: 'id', type: 'BIGINT' },
  { name: 'boro', type: 'VARCHAR' },
  { name: 'fare', type: 'DECIMAL(9,2)' },
  { name: 'ok', type: 'BOOLEAN' },
  { name: 'd', type: 'DATE' },
  { name: 'ts', type: 'TIMESTAMP' },
  { name: 'tags', type: 'VARCHAR[]' },
  { name: 'loc', type: 'STRUCT(lat DOUBLE, lon DOUBLE)' },
  { name: 'attrs', type: 'MAP(VARCHAR, INTEGER)' },
];

const tripsQuery = (from: number, to: number) => `
  SELECT i::BIGINT AS id, ['QUEENS', 'BRONX', 'BROOKLYN'][i % 3 + 1] AS boro, (i * 1.25)::DECIMAL(9,2) AS fare, i % 2 = 0 AS ok,
         DATE '2024-01-01' + (i % 60)::INT AS d, TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE AS ts,
         CASE WHEN i % 4 = 0 THEN NULL ELSE ['a', 'b'][1:(i % 2) + 1] END AS tags,
         {'lat': 40.5 + i / 10000, 'lon': -73.9::DOUBLE} AS loc, MAP {'n': i::INT} AS attrs
  FROM range(${from}, ${to}) t(i)`;

describe.each<CatalogKind>(['duckdb', 'postgres'])('a lake on a %s catalog', (kind) => {
  let t: TestLake;
  beforeEach(async () => {
    t = await openTestLake(kind, pg());
    await t.lake.attach(t.connection, 'lake');
  });
  afterEach(async () => {
    await t.close();
  });

  const catalogRows = (sql: string) => t.lake.store.query(sql);

  it('creates the 28 spec 1.0 tables with the extension column order and initial rows', async () => {
    const columns =
      kind === 'duckdb'
        ? await catalogRows(
            `SELECT table_name, column_name FROM information_schema.columns WHERE table_catalog = '__ducklake_metadata_lake' ORDER BY table_name, ordinal_position`,
          )
        : await catalogRows(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
    const byTable = new Map<string, string[]>();
    for (const c of columns) byTable.set(String(c.table_name), [...(byTable.get(String(c.table_name)) ?? []), String(c.column_name)]);
    expect([...byTable.keys()].sort()).toEqual([...CATALOG_TABLE_NAMES].sort());
    for (const ddl of CATALOG_TABLES) {
      const name = ddl.slice(0, ddl.indexOf('('));
      const expected = ddl
        .slice(ddl.indexOf('(') + 1, -1)
        .split(',')
        .map((part) => part.trim().split(' ')[0]);
      expect(byTable.get(name), name).toEqual(expected);
    }
    expect(await catalogRows('SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM {MD}.ducklake_snapshot')).toEqual([
      { snapshot_id: 0, schema_version: 0, next_catalog_id: 1, next_file_id: 0 },
    ]);
    expect(await catalogRows('SELECT changes_made FROM {MD}.ducklake_snapshot_changes')).toEqual([{ changes_made: 'created_schema:"main"' }]);
    const meta = Object.fromEntries((await catalogRows('SELECT key, value FROM {MD}.ducklake_metadata')).map((r) => [r.key, r.value]));
    expect(meta).toMatchObject({ version: '1.0', data_path: t.dataDir + path.sep, encrypted: 'false' });
    expect(await catalogRows('SELECT schema_id, begin_snapshot, end_snapshot, schema_name, path, path_is_relative FROM {MD}.ducklake_schema')).toEqual([
      { schema_id: 0, begin_snapshot: 0, end_snapshot: null, schema_name: 'main', path: 'main/', path_is_relative: true },
    ]);
  });

  it('writes nested columns and reads back exactly what was written', async () => {
    const { snapshotId } = await t.lake.transaction(async (tx) => {
      await tx.createTable('main', 'trips', TRIPS);
      expect(await tx.append('main', 'trips', tripsQuery(0, 500))).toBe(500);
    });
    expect(snapshotId).toBe(1);
    expect(await rows(t.connection, 'SELECT * FROM lake.main.trips ORDER BY id')).toEqual(await rows(t.connection, `${tripsQuery(0, 500)} ORDER BY id`));
    const cols = await catalogRows('SELECT column_id, column_name, column_type, parent_column FROM {MD}.ducklake_column ORDER BY column_id');
    expect(cols.map((c) => `${c.column_id}:${c.column_name}:${c.column_type}:${c.parent_column ?? ''}`)).toEqual([
      '1:id:int64:',
      '2:boro:varchar:',
      '3:fare:decimal(9,2):',
      '4:ok:boolean:',
      '5:d:date:',
      '6:ts:timestamp:',
      '7:tags:list:',
      '8:element:varchar:7',
      '9:loc:struct:',
      '10:lat:float64:9',
      '11:lon:float64:9',
      '12:attrs:map:',
      '13:key:varchar:12',
      '14:value:int32:12',
    ]);
    expect(await catalogRows('SELECT changes_made FROM {MD}.ducklake_snapshot_changes WHERE snapshot_id = 1')).toEqual([
      { changes_made: 'created_table:"main"."trips",inserted_into_table:1' },
    ]);
    expect(await catalogRows('SELECT * FROM {MD}.ducklake_schema_versions')).toEqual([{ begin_snapshot: 1, schema_version: 1, table_id: 1 }]);
    const file = (await catalogRows('SELECT * FROM {MD}.ducklake_data_file'))[0]!;
    expect(file).toMatchObject({ data_file_id: 0, table_id: 1, begin_snapshot: 1, record_count: 500, row_id_start: 0, file_format: 'parquet', path_is_relative: true });
    expect(existsSync(path.join(t.dataDir, 'main', 'trips', String(file.path)))).toBe(true);
  });

  it('refuses NULLs in a NOT NULL column and writes nothing', async () => {
    await t.lake.transaction((tx) => tx.createTable('main', 'strict', [{ name: 'id', type: 'INTEGER', nullable: false }, { name: 'v', type: 'VARCHAR' }]));
    await expect(t.lake.transaction((tx) => tx.append('main', 'strict', 'SELECT NULL::INTEGER AS id, 1 AS v'))).rejects.toThrow(/NOT NULL/);
    expect(await catalogRows('SELECT count(*) AS n FROM {MD}.ducklake_data_file')).toEqual([{ n: 0 }]);
    expect(await catalogRows("SELECT nulls_allowed FROM {MD}.ducklake_column WHERE column_name = 'id'")).toEqual([{ nulls_allowed: false }]);
  });

  it('keeps the statistics the extension relies on', async () => {
    await t.lake.transaction(async (tx) => {
      await tx.createTableAs('main', 'trips', tripsQuery(10, 20));
    });
    await t.lake.transaction(async (tx) => {
      await tx.append('main', 'trips', tripsQuery(1, 5));
      await tx.append('main', 'trips', tripsQuery(100, 130));
    });
    await t.lake.transaction((tx) => tx.delete('main', 'trips', 'id > 120'));
    expect(await catalogRows('SELECT record_count, next_row_id FROM {MD}.ducklake_table_stats')).toEqual([{ record_count: 44, next_row_id: 44 }]);
    const size = await catalogRows('SELECT sum(file_size_bytes) AS s FROM {MD}.ducklake_data_file');
    expect((await catalogRows('SELECT file_size_bytes FROM {MD}.ducklake_table_stats'))[0]!.file_size_bytes).toBe(Number(size[0]!.s));
    const byColumn = Object.fromEntries((await catalogRows('SELECT * FROM {MD}.ducklake_table_column_stats')).map((r) => [r.column_id, r]));
    expect(byColumn[1]).toMatchObject({ min_value: '1', max_value: '129', contains_null: false });
    expect(byColumn[3]).toMatchObject({ min_value: '1.25', max_value: '161.25' });
    expect(byColumn[8]).toMatchObject({ contains_null: true });
    expect(byColumn[10]).toMatchObject({ contains_nan: false });
    const starts = await catalogRows('SELECT row_id_start, record_count FROM {MD}.ducklake_data_file ORDER BY data_file_id');
    expect(starts).toEqual([
      { row_id_start: 0, record_count: 10 },
      { row_id_start: 10, record_count: 4 },
      { row_id_start: 14, record_count: 30 },
    ]);
    const fileStats = await catalogRows('SELECT value_count, null_count FROM {MD}.ducklake_file_column_stats WHERE data_file_id = 0 AND column_id = 8');
    expect(fileStats).toEqual([{ value_count: 13, null_count: 2 }]);
    const [info] = await t.lake.tables();
    expect(info).toMatchObject({ schema: 'main', name: 'trips', rowCount: 35, fileCount: 3, deleteFileCount: 1 });
    expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips')).toBe(35);
  });

  it('deletes by predicate with one cumulative delete file per data file, and travels back in time', async () => {
    await t.lake.transaction((tx) => tx.createTableAs('main', 'trips', tripsQuery(0, 100)));
    const first = await t.lake.transaction((tx) => tx.delete('main', 'trips', 'id % 10 = 0'));
    expect(first.result).toBe(10);
    const second = await t.lake.transaction((tx) => tx.delete('main', 'trips', "boro = 'BRONX'"));
    expect(second.result).toBe(30);
    expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips')).toBe(60);
    const deletes = await catalogRows('SELECT begin_snapshot, end_snapshot, data_file_id, delete_count FROM {MD}.ducklake_delete_file ORDER BY delete_file_id');
    expect(deletes).toEqual([
      { begin_snapshot: 2, end_snapshot: 3, data_file_id: 0, delete_count: 10 },
      { begin_snapshot: 3, end_snapshot: null, data_file_id: 0, delete_count: 40 },
    ]);
    await t.lake.attach(t.connection, 'at2', { snapshot: 2 });
    expect(await scalar(t.connection, 'SELECT count(*) FROM at2.main.trips')).toBe(90);
    const sql = await t.lake.tableSql(t.connection, 'main', 'trips', { snapshot: 1 });
    expect(await scalar(t.connection, `SELECT count(*) FROM (${sql})`)).toBe(100);
    const snapshots = await t.lake.snapshots();
    const atTime = await t.lake.tableSql(t.connection, 'main', 'trips', { timestamp: new Date(snapshots[2]!.time.getTime() + 1) });
    expect(await scalar(t.connection, `SELECT count(*) FROM (${atTime})`)).toBe(90);
    // Deleting every remaining row ends the data file instead of writing a delete file.
    await t.lake.transaction((tx) => tx.delete('main', 'trips'));
    expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips')).toBe(0);
    expect(await catalogRows('SELECT end_snapshot FROM {MD}.ducklake_data_file')).toEqual([{ end_snapshot: 4 }]);
  });

  it('deletes then inserts in one snapshot', async () => {
    await t.lake.transaction((tx) => tx.createTableAs('main', 'trips', tripsQuery(0, 50)));
    const { snapshotId, result } = await t.lake.transaction(async (tx) => {
      const deleted = await tx.delete('main', 'trips', 'id >= 40');
      const inserted = await tx.append('main', 'trips', `SELECT * REPLACE (id + 1000 AS id) FROM (${tripsQuery(40, 45)})`);
      const seen = await tx.query(`SELECT count(*) AS n FROM (${await tx.scanSql('main', 'trips')})`);
      return { deleted, inserted, seen: Number(seen[0]!.n) };
    });
    expect(result).toEqual({ deleted: 10, inserted: 5, seen: 45 });
    expect(snapshotId).toBe(2);
    expect(await catalogRows('SELECT changes_made FROM {MD}.ducklake_snapshot_changes WHERE snapshot_id = 2')).toEqual([
      { changes_made: 'inserted_into_table:1,deleted_from_table:1' },
    ]);
    expect(await scalar(t.connection, 'SELECT max(id) FROM lake.main.trips')).toBe(1044);
    expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips')).toBe(45);
    // Deleting rows appended in the same transaction rewrites the staged file.
    await t.lake.transaction(async (tx) => {
      await tx.append('main', 'trips', tripsQuery(2000, 2010));
      expect(await tx.delete('main', 'trips', 'id >= 2005')).toBe(5);
    });
    expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips WHERE id >= 2000')).toBe(5);
  });

  it('adds, renames and drops columns; old files read with the default', async () => {
    await t.lake.transaction((tx) => tx.createTableAs('main', 'trips', tripsQuery(0, 10)));
    await t.lake.transaction(async (tx) => {
      await tx.addColumn('main', 'trips', { name: 'killed', type: 'INTEGER', default: 7 });
      tx.renameColumn('main', 'trips', 'boro', 'borough');
      tx.dropColumn('main', 'trips', 'ok');
    });
    await t.lake.transaction((tx) => tx.append('main', 'trips', `SELECT 100 AS id, 'X' AS borough, 1 AS killed`));
    const got = await rows(t.connection, 'SELECT id, borough, killed FROM lake.main.trips WHERE id IN (1, 100) ORDER BY id');
    expect(got).toEqual([
      { id: 1, borough: 'BRONX', killed: 7 },
      { id: 100, borough: 'X', killed: 1 },
    ]);
    expect((await rows(t.connection, 'DESCRIBE lake.main.trips')).map((r) => r.column_name)).toEqual(['id', 'borough', 'fare', 'd', 'ts', 'tags', 'loc', 'attrs', 'killed']);
    await t.lake.attach(t.connection, 'before', { snapshot: 1 });
    expect((await rows(t.connection, 'DESCRIBE before.main.trips')).map((r) => r.column_name)).toContain('ok');
    const added = await catalogRows("SELECT column_id, initial_default, default_value FROM {MD}.ducklake_column WHERE column_name = 'killed'");
    expect(added).toEqual([{ column_id: 15, initial_default: '7', default_value: '7' }]);
    expect(await catalogRows('SELECT begin_snapshot, schema_version, table_id FROM {MD}.ducklake_schema_versions ORDER BY begin_snapshot')).toEqual([
      { begin_snapshot: 1, schema_version: 1, table_id: 1 },
      { begin_snapshot: 2, schema_version: 2, table_id: 1 },
    ]);
    expect(await catalogRows('SELECT changes_made FROM {MD}.ducklake_snapshot_changes WHERE snapshot_id = 2')).toEqual([{ changes_made: 'altered_table:1' }]);
  });

  it('creates, replaces and drops views, tables and schemas', async () => {
    await t.lake.transaction(async (tx) => {
      tx.createSchema('marts');
      await tx.createTableAs('main', 'trips', tripsQuery(0, 30));
      await tx.createTableAs('marts', 'by_boro', 'SELECT boro, count(*) AS n FROM (' + tripsQuery(0, 30) + ') GROUP BY boro');
      tx.createView('marts', 'big', 'SELECT boro FROM marts.by_boro WHERE n > 5', { columnAliases: ['borough'] });
    });
    expect(await rows(t.connection, 'SELECT * FROM lake.marts.big ORDER BY ALL')).toEqual([{ borough: 'BRONX' }, { borough: 'BROOKLYN' }, { borough: 'QUEENS' }]);
    expect(await catalogRows('SELECT view_id, sql, column_aliases FROM {MD}.ducklake_view')).toEqual([
      { view_id: 4, sql: 'SELECT boro FROM marts.by_boro WHERE n > 5', column_aliases: '"borough"' },
    ]);
    await t.lake.transaction(async (tx) => {
      tx.createView('marts', 'big', "SELECT boro FROM marts.by_boro WHERE boro = 'QUEENS'", { replace: true });
      await tx.createTableAs('main', 'trips', tripsQuery(0, 3), { replace: true });
    });
    expect(await rows(t.connection, 'SELECT * FROM lake.marts.big')).toEqual([{ boro: 'QUEENS' }]);
    expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips')).toBe(3);
    const changes = String((await catalogRows('SELECT changes_made FROM {MD}.ducklake_snapshot_changes WHERE snapshot_id = 2'))[0]!.changes_made);
    expect(changes.split(',').sort()).toEqual(['created_table:"main"."trips"', 'created_view:"marts"."big"', 'dropped_table:2', 'dropped_view:4', 'inserted_into_table:6'].sort());
    await t.lake.transaction(async (tx) => {
      tx.dropSchema('marts', { cascade: true });
      tx.dropTable('main', 'trips');
    });
    expect(await rows(t.connection, "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'lake'")).toEqual([]);
    expect(await t.lake.tables()).toEqual([]);
    await t.lake.attach(t.connection, 'past', { snapshot: 1 });
    expect(await scalar(t.connection, 'SELECT count(*) FROM past.marts.by_boro')).toBe(3);
  });

  it('sees another writer’s commit after refresh', async () => {
    await t.lake.transaction((tx) => tx.createTableAs('main', 'trips', tripsQuery(0, 10)));
    expect(await t.lake.refresh()).toBe(false);
    if (kind === 'duckdb') return; // a DuckDB-file catalog has one process and one Lake at a time
    const other = await t.reopen();
    try {
      await other.lake.transaction((tx) => tx.append('main', 'trips', tripsQuery(10, 15)));
      expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips')).toBe(10);
      expect(await t.lake.refresh()).toBe(true);
      expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips')).toBe(15);
      await other.lake.transaction(async (tx) => {
        await tx.delete('main', 'trips', 'id < 3');
        await tx.createTableAs('main', 'more', 'SELECT 42 AS answer');
      });
      await other.lake.transaction((tx) => tx.delete('main', 'trips', 'id = 14'));
      expect(await t.lake.refresh()).toBe(true);
      expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips')).toBe(11);
      expect(await scalar(t.connection, 'SELECT answer FROM lake.main.more')).toBe(42);
    } finally {
      await other.close();
    }
  });

  it('commits concurrent writers of different tables and refuses a true conflict', async () => {
    await t.lake.transaction(async (tx) => {
      await tx.createTableAs('main', 'a', tripsQuery(0, 20));
      await tx.createTableAs('main', 'b', tripsQuery(0, 20));
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const begun = new Promise<void>((resolve) => (started = resolve));
    const slow = t.lake.transaction(async (tx) => {
      await tx.delete('main', 'a', 'id < 5');
      started();
      await gate;
    });
    await begun;
    await t.lake.transaction((tx) => tx.delete('main', 'b', 'id < 5'));
    release();
    expect((await slow).snapshotId).toBe(3);

    // Both delete from the same data file of a: the later commit fails and writes nothing.
    let release2!: () => void;
    const gate2 = new Promise<void>((resolve) => (release2 = resolve));
    let started2!: () => void;
    const begun2 = new Promise<void>((resolve) => (started2 = resolve));
    const loser = t.lake.transaction(async (tx) => {
      await tx.delete('main', 'a', 'id = 10');
      started2();
      await gate2;
    });
    await begun2;
    const winner = await t.lake.transaction((tx) => tx.delete('main', 'a', 'id = 11'));
    expect(winner.snapshotId).toBe(4);
    const before = await catalogRows('SELECT count(*) AS n FROM {MD}.ducklake_delete_file');
    const filesBefore = await t.lake.storage.list('');
    release2();
    const error = await loser.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LakeConflictError);
    expect(String((error as Error).message)).toMatch(/table main\.a.*snapshot 4.*began at snapshot 3/);
    expect(await catalogRows('SELECT max(snapshot_id) AS s FROM {MD}.ducklake_snapshot')).toEqual([{ s: 4 }]);
    expect(await catalogRows('SELECT count(*) AS n FROM {MD}.ducklake_delete_file')).toEqual(before);
    expect(await t.lake.storage.list('')).toEqual(filesBefore);
    expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.a')).toBe(14);
  });

  it('expires snapshots and cleans up their files and orphans, with a dry run first', async () => {
    await t.lake.transaction((tx) => tx.createTableAs('main', 'trips', tripsQuery(0, 50)));
    await t.lake.transaction((tx) => tx.delete('main', 'trips', 'id < 10'));
    await t.lake.transaction((tx) => tx.delete('main', 'trips', 'id < 20'));
    await t.lake.transaction(async (tx) => {
      await tx.createTableAs('main', 'scratch', tripsQuery(0, 5));
    });
    await t.lake.transaction((tx) => tx.dropTable('main', 'scratch'));
    const orphanKey = 'main/trips/ducklake-01890000-0000-7000-8000-000000000000.parquet';
    const orphanPath = path.join(t.dataDir, 'main', 'trips', 'ducklake-01890000-0000-7000-8000-000000000000.parquet');
    await t.connection.run(`COPY (SELECT 1 AS x) TO '${orphanPath}' (FORMAT parquet)`);

    const dry = await t.lake.expire({ keepLast: 1, dryRun: true });
    expect(dry.expired).toEqual([0, 1, 2, 3, 4]);
    expect(await t.lake.snapshots()).toHaveLength(6);
    const expired = await t.lake.expire({ keepLast: 1 });
    expect(expired.scheduledFiles).toHaveLength(2); // the first delete file and scratch's data file
    expect((await t.lake.snapshots()).map((s) => s.id)).toEqual([5]);
    expect(await catalogRows("SELECT count(*) AS n FROM {MD}.ducklake_table WHERE table_name = 'scratch'")).toEqual([{ n: 0 }]);

    const listing = await t.lake.cleanup({ dryRun: true });
    expect(listing.scheduled.sort()).toEqual([...expired.scheduledFiles].sort());
    expect(listing.orphans.map((o) => o.key)).toEqual([orphanKey]);
    expect(existsSync(orphanPath)).toBe(true);
    await t.lake.cleanup();
    expect(existsSync(orphanPath)).toBe(false);
    for (const key of expired.scheduledFiles) expect(await t.lake.storage.exists(key)).toBe(false);
    expect(await catalogRows('SELECT count(*) AS n FROM {MD}.ducklake_files_scheduled_for_deletion')).toEqual([{ n: 0 }]);
    expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips')).toBe(30);
    await t.lake.refresh();
    expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.trips')).toBe(30);
  });
});

describe('inlined rows in a PostgreSQL catalog (as the extension stores them)', () => {
  it('reads, deletes and counts them', async () => {
    const t = await openTestLake('postgres', pg());
    try {
      await t.lake.transaction((tx) =>
        tx.createTable('main', 'people', [
          { name: 'id', type: 'BIGINT' },
          { name: 'name', type: 'VARCHAR' },
          { name: 'd', type: 'DATE' },
          { name: 'tags', type: 'VARCHAR[]' },
        ]),
      );
      // What the extension writes for a small insert: VARCHAR as BYTEA, dates and lists as text.
      await t.lake.store.transaction((db) =>
        db.query(`
          CREATE TABLE {MD}.ducklake_inlined_data_1_1 (row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, id BIGINT, name BYTEA, d VARCHAR, tags VARCHAR);
          INSERT INTO {MD}.ducklake_inlined_data_tables VALUES (1, 'ducklake_inlined_data_1_1', 1);
          INSERT INTO {MD}.ducklake_inlined_data_1_1 VALUES (0, 2, NULL, 1, 'alpha'::bytea, '2024-01-02', '[a, b]'), (1, 2, NULL, 2, 'beta'::bytea, NULL, NULL);
          INSERT INTO {MD}.ducklake_snapshot VALUES (2, NOW(), 2, 2, 1);
          INSERT INTO {MD}.ducklake_snapshot_changes VALUES (2, 'inlined_insert:1', NULL, NULL, NULL);
          INSERT INTO {MD}.ducklake_table_stats VALUES (1, 2, 2, 0);`),
      );
      await t.lake.attach(t.connection, 'lake');
      expect(await rows(t.connection, 'SELECT * FROM lake.main.people ORDER BY id')).toEqual([
        { id: 1, name: 'alpha', d: '2024-01-02', tags: ['a', 'b'] },
        { id: 2, name: 'beta', d: null, tags: null },
      ]);
      await t.lake.transaction(async (tx) => {
        expect(await tx.delete('main', 'people', 'id = 1')).toBe(1);
        await tx.append('main', 'people', "SELECT 3 AS id, 'gamma' AS name");
      });
      expect(await rows(t.connection, 'SELECT id, name FROM lake.main.people ORDER BY id')).toEqual([
        { id: 2, name: 'beta' },
        { id: 3, name: 'gamma' },
      ]);
      expect(await t.lake.store.query('SELECT row_id, end_snapshot FROM {MD}.ducklake_inlined_data_1_1 ORDER BY row_id')).toEqual([
        { row_id: 0, end_snapshot: 3 },
        { row_id: 1, end_snapshot: null },
      ]);
      expect(await t.lake.store.query('SELECT row_id_start FROM {MD}.ducklake_data_file')).toEqual([{ row_id_start: 2 }]);
      expect((await t.lake.tables())[0]).toMatchObject({ rowCount: 2, inlinedRowCount: 1, fileCount: 1 });
      await t.lake.attach(t.connection, 'at2', { snapshot: 2 });
      expect(await scalar(t.connection, 'SELECT count(*) FROM at2.main.people')).toBe(2);
    } finally {
      await t.close();
    }
  });
});

describe('reading files of the current layout by name', () => {
  it('keeps catalog types and answers aggregates from Parquet statistics', async () => {
    const t = await openTestLake('duckdb');
    try {
      await t.lake.attach(t.connection, 'lake');
      await t.lake.transaction((tx) =>
        tx.createTableAs('main', 'h', "SELECT range::HUGEINT AS big, ('00000000-0000-0000-0000-00000000000' || range)::UUID AS u FROM range(5)"),
      );
      expect(await rows(t.connection, 'SELECT typeof(big) AS t, typeof(u) AS ut, sum(big)::BIGINT AS s FROM lake.main.h GROUP BY ALL')).toEqual([
        { t: 'HUGEINT', ut: 'UUID', s: 10 },
      ]);
      // The same table once a column was renamed: the old file is read by field id, the new one by name.
      await t.lake.transaction((tx) => tx.renameColumn('main', 'h', 'big', 'huge'));
      await t.lake.transaction((tx) => tx.append('main', 'h', "SELECT 100 AS huge, '00000000-0000-0000-0000-000000000009'::UUID AS u"));
      expect(await rows(t.connection, 'SELECT typeof(huge) AS t, sum(huge)::BIGINT AS s, count(DISTINCT u)::BIGINT AS n FROM lake.main.h GROUP BY ALL')).toEqual([
        { t: 'HUGEINT', s: 110, n: 6 },
      ]);
    } finally {
      await t.close();
    }
  });
});

/**
 * Reads the lake written by the official DuckLake extension (shared/fixtures/ducklake-official)
 * at every snapshot and compares with what the extension itself read; then writes on top of it.
 */
import { rmSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lake } from './lake';
import { formatChanges } from './maintenance';
import { LocalStorage } from './storage/local';
import { copyOfficialFixture, type OfficialFixture } from './testing/fixture';
import { rows, scalar } from './testing/harness';

describe('the lake written by the official extension', () => {
  let fx: OfficialFixture;
  let instance: DuckDBInstance;
  let lake: Lake;
  let connection: DuckDBConnection;

  beforeAll(async () => {
    fx = copyOfficialFixture();
    instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    lake = await Lake.open({ instance, catalog: { type: 'duckdb', path: fx.catalogPath }, storage: new LocalStorage(fx.dataDir), create: false });
    connection = await instance.connect();
  });
  afterAll(async () => {
    await lake?.close();
    connection?.closeSync();
    instance?.closeSync();
    if (fx) rmSync(fx.dir, { recursive: true, force: true });
  });

  it('lists the snapshots with the extension’s change summaries', async () => {
    const snapshots = await lake.snapshots();
    expect(snapshots.map((s) => ({ snapshot_id: s.id, changes: formatChanges(s.changes) }))).toEqual(fx.expected.snapshots);
  });

  it('reads every table and view at every snapshot exactly as the extension does', async () => {
    const names = Object.keys(fx.expected.tables);
    let compared = 0;
    for (const { snapshot_id: s } of fx.expected.snapshots) {
      const alias = `at_${s}`;
      const attachment = await lake.attach(connection, alias, { snapshot: s });
      const present = new Set(
        (await rows(connection, `SELECT table_schema || '.' || table_name AS n FROM information_schema.tables WHERE table_catalog = '${alias}'`)).map((r) => String(r.n)),
      );
      for (const name of names) {
        const expected = fx.expected.tables[name]![String(s)];
        if (!expected) {
          expect(present.has(name), `${name} should not exist at snapshot ${s}`).toBe(false);
          continue;
        }
        const got = await rows(connection, `SELECT * FROM ${alias}.${name} ORDER BY ALL`);
        expect(got, `${name} at snapshot ${s}`).toEqual(expected);
        compared += 1;
      }
      await attachment.detach();
    }
    expect(compared).toBe(Object.values(fx.expected.tables).reduce((n, bySnapshot) => n + Object.keys(bySnapshot).length, 0));
  });

  it('counts rows from the catalog as the extension does (files − deletes − inlined deletes + inlined rows)', async () => {
    const tables = await lake.tables();
    expect(tables.map((t) => `${t.schema}.${t.name}:${t.rowCount}`)).toEqual(['main.trips:2301', 'marts.by_boro:5']);
  });

  it('takes our writes on top: deletes across files, inlined rows and inlined deletes, appends and alters', async () => {
    await lake.attach(connection, 'lake');
    await connection.run('CREATE TABLE before AS SELECT * FROM lake.main.trips');
    const predicate = "id % 7 = 0 OR id IN (1, 2, 5001) OR boro = 'STATEN ISLAND' AND id % 3 = 0";
    const { result, snapshotId } = await lake.transaction(async (tx) => {
      const deleted = await tx.delete('main', 'trips', predicate);
      const inserted = await tx.append('main', 'trips', "SELECT 9000 + i AS id, 'NEW' AS boro, 1 AS injured, 2 AS killed FROM range(10) t(i)");
      return { deleted, inserted };
    });
    expect(snapshotId).toBe(16);
    const expectedDeleted = Number(await scalar(connection, `SELECT count(*) FROM before WHERE ${predicate}`));
    expect(result).toEqual({ deleted: expectedDeleted, inserted: 10 });
    const expected = await rows(
      connection,
      `SELECT * FROM before WHERE NOT (${predicate}) UNION ALL SELECT 9000 + i, 'NEW', 1, NULL, NULL, NULL, NULL, NULL, 2 FROM range(10) t(i) ORDER BY ALL`,
    );
    expect(await rows(connection, 'SELECT * FROM lake.main.trips ORDER BY ALL')).toEqual(expected);
    const [trips] = await lake.tables();
    expect(trips!.rowCount).toBe(expected.length);

    await lake.transaction(async (tx) => {
      await tx.addColumn('main', 'trips', { name: 'note', type: 'VARCHAR', default: 'none' });
      tx.renameColumn('main', 'trips', 'injured', 'hurt');
    });
    expect(await rows(connection, "SELECT count(*) AS n, min(note) AS lo, max(note) AS hi FROM lake.main.trips WHERE hurt IS NOT NULL")).toEqual([
      { n: expected.length, lo: 'none', hi: 'none' },
    ]);
    // As the extension does on ALTER, the table gets an inlined-data table for its new layout.
    expect(await lake.store.query('SELECT table_name, schema_version FROM {MD}.ducklake_inlined_data_tables WHERE table_id = 1 ORDER BY schema_version DESC LIMIT 1')).toEqual([
      { table_name: 'ducklake_inlined_data_1_10', schema_version: 10 },
    ]);
    const layout = await lake.store.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'ducklake_inlined_data_1_10' ORDER BY ordinal_position",
    );
    expect(layout.map((r) => r.column_name)).toEqual(['row_id', 'begin_snapshot', 'end_snapshot', 'id', 'boro', 'hurt', 'fare', 'd', 'ts', 'tags', 'loc', 'killed', 'note']);
    expect(await scalar(connection, 'SELECT count(*) FROM lake.main.trips')).toBe(expected.length);
    // The extension's own snapshot history still reads as before.
    const old = await lake.attach(connection, 'old', { snapshot: 9 });
    expect(await scalar(connection, 'SELECT count(*) FROM old.main.trips')).toBe(2301);
    await old.detach();
    const stats = await lake.store.query('SELECT record_count, next_row_id FROM {MD}.ducklake_table_stats WHERE table_id = 1');
    expect(stats).toEqual([{ record_count: 2516, next_row_id: 2511 }]);
  });
});

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { predictFieldIds, preparedCopyOptions, type PreparedDataFile } from './prepared-file';
import { openTestLake, rows, type TestLake } from './testing/harness';

let t: TestLake;
beforeEach(async () => {
  t = await openTestLake('duckdb');
  await t.lake.attach(t.connection, 'lake');
});
afterEach(async () => {
  await t.close();
});

let written = 0;

/** Writes `select` to a file outside any transaction, as ingestion does, in the lake's form. */
async function prepare(connection: DuckDBConnection, select: string, fieldIds: Record<string, number>, parquetOptions = ''): Promise<PreparedDataFile> {
  const file = path.join(t.dir, `prepared-${++written}.parquet`);
  const reader = await connection.runAndReadAll(`COPY (${select}) TO '${file}' (${preparedCopyOptions(fieldIds, parquetOptions, { rowGroupSize: 8192 })})`);
  return { path: file, stats: reader.getRowObjectsJS()[0] as Record<string, unknown> };
}

/** The columns of ITEMS as a lake table's. */
const ITEM_COLUMNS = [
  { name: 'id', type: 'BIGINT' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'd', type: 'DATE' },
];
const ITEMS = `SELECT i::BIGINT AS id, 'n' || i AS name, DATE '2024-01-01' + i::INT AS d FROM range(0, 100) r(i)`;

describe('prepared data files', () => {
  it('adopts a file written before the table existed, with the catalog statistics the lake’s own files get', async () => {
    const { tables, parquetOptions } = await t.lake.preparedLayouts('main');
    expect(tables.has('items')).toBe(false);
    const file = await prepare(t.connection, ITEMS, predictFieldIds(tables.get('items'), ['id', 'name', 'd']), parquetOptions);
    await t.lake.transaction(async (tx) => {
      await tx.createTable('main', 'items', ITEM_COLUMNS);
      expect(await tx.adoptDataFile('main', 'items', file)).toBe(100);
      await tx.createTable('main', 'copy', ITEM_COLUMNS);
      await tx.append('main', 'copy', ITEMS);
    });
    expect(existsSync(file.path)).toBe(false);
    expect(await rows(t.connection, 'SELECT * FROM lake.main.items ORDER BY id')).toEqual(await rows(t.connection, `${ITEMS} ORDER BY id`));
    const stats = (table: string) =>
      t.lake.store.query(
        `SELECT s.column_id, s.value_count, s.null_count, s.min_value, s.max_value FROM {MD}.ducklake_file_column_stats s JOIN {MD}.ducklake_table t USING (table_id) WHERE t.table_name = '${table}' ORDER BY s.column_id`,
      );
    expect(await stats('items')).toEqual(await stats('copy'));
  });

  it('predicts the ids ADD COLUMN gives after a dropped column, and adopts the file after the add', async () => {
    await t.lake.transaction(async (tx) => {
      await tx.createTable('main', 'items', [
        { name: 'id', type: 'BIGINT' },
        { name: 'gone', type: 'VARCHAR' },
      ]);
    });
    await t.lake.transaction((tx) => tx.dropColumn('main', 'items', 'gone'));
    const { tables } = await t.lake.preparedLayouts('main');
    const ids = predictFieldIds(tables.get('items'), ['id', 'name', 'd']);
    expect(ids).toEqual({ id: 1, name: 3, d: 4 });
    const file = await prepare(t.connection, ITEMS, ids);
    await t.lake.transaction(async (tx) => {
      await tx.addColumn('main', 'items', { name: 'name', type: 'VARCHAR' });
      await tx.addColumn('main', 'items', { name: 'd', type: 'DATE' });
      expect(await tx.adoptDataFile('main', 'items', file)).toBe(100);
    });
    expect(await rows(t.connection, "SELECT count(*) AS n, max(d) AS d FROM lake.main.items WHERE name LIKE 'n%'")).toEqual([{ n: 100, d: '2024-04-09' }]);
  });

  it('leaves a file that does not fit the table untouched (wrong field ids, a missing column, another type)', async () => {
    await t.lake.transaction((tx) => tx.createTable('main', 'items', ITEM_COLUMNS));
    const misfits = [
      await prepare(t.connection, ITEMS, { id: 1, name: 3, d: 2 }),
      await prepare(t.connection, `SELECT id, name FROM (${ITEMS})`, { id: 1, name: 2 }),
      await prepare(t.connection, `SELECT id, name, d::VARCHAR AS d FROM (${ITEMS})`, { id: 1, name: 2, d: 3 }),
    ];
    const { snapshotId } = await t.lake.transaction(async (tx) => {
      for (const file of misfits) expect(await tx.adoptDataFile('main', 'items', file)).toBeUndefined();
    });
    expect(snapshotId).toBeNull();
    for (const file of misfits) expect(existsSync(file.path)).toBe(true);
    expect(await rows(t.connection, 'SELECT count(*) AS n FROM lake.main.items')).toEqual([{ n: 0 }]);
  });

  it('adopts several files at once, in their order, leaving the misfits among them untouched', async () => {
    await t.lake.transaction((tx) => tx.createTable('main', 'items', ITEM_COLUMNS));
    const ids = { id: 1, name: 2, d: 3 };
    const files = [
      await prepare(t.connection, `${ITEMS} WHERE id < 10`, ids),
      await prepare(t.connection, `SELECT id, name, d::VARCHAR AS d FROM (${ITEMS})`, ids),
      await prepare(t.connection, `${ITEMS} WHERE id >= 10 AND id < 30`, ids),
      await prepare(t.connection, ITEMS, { id: 1, name: 3, d: 2 }),
      await prepare(t.connection, `${ITEMS} WHERE id >= 30`, ids),
    ];
    await t.lake.transaction(async (tx) => {
      expect(await tx.adoptDataFiles('main', 'items', files)).toEqual([10, undefined, 20, undefined, 70]);
    });
    expect(files.map((file) => existsSync(file.path))).toEqual([false, true, false, true, false]);
    expect(await rows(t.connection, 'SELECT count(*) AS n, sum(id)::INTEGER AS s FROM lake.main.items')).toEqual([{ n: 100, s: 4950 }]);
  });
});

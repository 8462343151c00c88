/**
 * Test support for lake tests: a fresh lake on a DuckDB-file or PostgreSQL catalog with data in
 * a temporary folder, and a helper that reads query results as plain JSON-like rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection } from '@duckdb/node-api';
import type { TestPostgres } from '../../testing/postgres';
import { Lake, type CatalogConfig, type LakeOpenOptions } from '../lake';
import { LocalStorage } from '../storage/local';

export type CatalogKind = 'duckdb' | 'postgres';

export interface TestLake {
  lake: Lake;
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  dir: string;
  dataDir: string;
  catalog: CatalogConfig;
  /** Opens another Lake (own DuckDB instance) on the same catalog and data, as another process would. */
  reopen(options?: Partial<LakeOpenOptions>): Promise<{ lake: Lake; instance: DuckDBInstance; close(): Promise<void> }>;
  close(): Promise<void>;
}

let databases = 0;

export async function catalogFor(kind: CatalogKind, dir: string, pg?: TestPostgres): Promise<CatalogConfig> {
  if (kind === 'duckdb') return { type: 'duckdb', path: path.join(dir, 'metadata.ducklake') };
  if (!pg) throw new Error('A PostgreSQL server is needed.');
  const url = await pg.createDatabase(`lake_${process.pid}_${++databases}_${Date.now() % 100000}`);
  return { type: 'postgres', connectionString: url };
}

export async function openTestLake(kind: CatalogKind, pg?: TestPostgres, options: Partial<LakeOpenOptions> = {}): Promise<TestLake> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pas-lake-test-'));
  const dataDir = path.join(dir, 'data');
  const catalog = await catalogFor(kind, dir, pg);
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const lake = await Lake.open({ instance, catalog, storage: new LocalStorage(dataDir), stagingDir: path.join(dir, 'staging'), ...options });
  const connection = await instance.connect();
  return {
    lake,
    instance,
    connection,
    dir,
    dataDir,
    catalog,
    async reopen(extra = {}) {
      const other = await DuckDBInstance.create(':memory:', { threads: '1' });
      const second = await Lake.open({
        instance: other,
        catalog,
        storage: new LocalStorage(dataDir),
        stagingDir: path.join(dir, `staging-${Math.random().toString(36).slice(2)}`),
        ...extra,
      });
      return {
        lake: second,
        instance: other,
        async close() {
          await second.close();
          other.closeSync();
        },
      };
    },
    async close() {
      await lake.close();
      connection.closeSync();
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Rows as DuckDB's JSON output writes them, except BIGINT/INTEGER-like values as numbers. */
export async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  const names = reader.columnNames();
  const types = reader.columnTypes();
  return reader.getRowObjectsJson().map((row) => {
    const out: Record<string, unknown> = { ...row };
    names.forEach((n, i) => {
      if ((types[i]!.typeId === DuckDBTypeId.BIGINT || types[i]!.typeId === DuckDBTypeId.UBIGINT) && out[n] !== null) out[n] = Number(out[n]);
    });
    return out;
  });
}

export async function scalar(connection: DuckDBConnection, sql: string): Promise<unknown> {
  const r = await rows(connection, sql);
  return Object.values(r[0] ?? {})[0];
}

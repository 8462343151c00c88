import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestProject, writeFiles } from '../plan/test-project';
import { PasService } from './service';

let service: PasService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function rows(s: PasService, sql: string): Promise<unknown[][]> {
  const handle = await s.invoke('query.run', { sql });
  return (await s.invoke('query.page', { resultId: handle.resultId, offset: 0, limit: 100 })).columns;
}

describe('a service that opens its project on demand (a one-shot CLI command)', () => {
  it('answers `select 1` without opening the lake, and opens it for a query that reads it', async () => {
    const root = await createTestProject({}, { kind: 'lake-local' });
    service = await PasService.create({ projectDir: root, watch: false, deferOpen: true });
    expect(await rows(service, 'select 1 as one')).toEqual([[1]]);
    // Attaching the lake makes its view cache: not made yet.
    expect(existsSync(path.join(root, '.pas', 'cache'))).toBe(false);
    expect(await rows(service, 'select count(*)::INTEGER from raw.events')).toEqual([[40]]);
    expect(existsSync(path.join(root, '.pas', 'cache'))).toBe(true);
  });

  it('opens the project for a statement that asks about catalogs, so it answers as before', async () => {
    const root = await createTestProject({}, { kind: 'lake-local' });
    service = await PasService.create({ projectDir: root, watch: false, deferOpen: true });
    expect(await rows(service, 'select current_database()')).toEqual([['lake']]);
  });

  it('re-runs with the project open a statement that uses a macro of the warehouse', async () => {
    const root = await createTestProject();
    const instance = await DuckDBInstance.create(path.join(root, 'warehouse.db'));
    const connection = await instance.connect();
    await connection.run('CREATE MACRO twice(x) AS x * 2');
    connection.closeSync();
    instance.closeSync();
    service = await PasService.create({ projectDir: root, watch: false, deferOpen: true });
    expect(await rows(service, 'select twice(21)::INTEGER')).toEqual([[42]]);
  });

  it('opens at once a project whose connection sets DuckDB settings (they change what SQL prints)', async () => {
    const root = await createTestProject();
    writeFiles(root, {
      'config.yaml': `gateways:
  local:
    connection:
      type: duckdb
      database: warehouse.db
      connector_config:
        TimeZone: Asia/Tokyo
default_gateway: local
model_defaults:
  dialect: duckdb
`,
    });
    service = await PasService.create({ projectDir: root, watch: false, deferOpen: true });
    expect(await rows(service, "select (TIMESTAMPTZ '2024-01-01 00:00:00+00')::VARCHAR")).toEqual([['2024-01-01 09:00:00+09']]);
  });
});

import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lake } from '../lake/lake';
import { useRemoteLake } from '../plan/test-backends';
import { createTestProject, remoteStorage, type TestBackend } from '../plan/test-project';
import { PasService } from './service';

const remoteLake = useRemoteLake();
let service: PasService;
let backend: Extract<TestBackend, { kind: 'lake-remote' }>;

beforeAll(async () => {
  backend = (await remoteLake()) as Extract<TestBackend, { kind: 'lake-remote' }>;
  service = await PasService.create({ projectDir: await createTestProject({}, backend) });
});
afterAll(async () => service.close());

describe('a shared lake', () => {
  it("shows another writer's commit on the console's next query", async () => {
    const count = async () => {
      const handle = await service.invoke('query.run', { sql: 'select count(*) as n from raw.events' });
      return (await service.invoke('query.page', { resultId: handle.resultId, offset: 0, limit: 1 })).columns[0]?.[0];
    };
    expect(await count()).toBe(40);
    // Another writer (its own DuckDB, as another process would have) appends to the same lake.
    const instance = await DuckDBInstance.create(':memory:');
    const other = await Lake.open({
      instance,
      catalog: { type: 'postgres', connectionString: backend.postgresUrl },
      storage: remoteStorage(backend),
    });
    await other.transaction((tx) => tx.append('raw', 'events', "SELECT 1000 AS id, '2024-01-06 00:00:00' AS ts, '1' AS amount, 'z' AS category"));
    await other.close();
    instance.closeSync();
    expect(await count()).toBe(41);
  });
});

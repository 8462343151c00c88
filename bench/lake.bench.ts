/**
 * The lake (src-main/lake) against bare DuckDB and against the targets of
 * shared/docs/performance-anchors.md §4, in the same process and run:
 *  - an aggregation, and count(*)/max (answered from Parquet statistics), over a 2,000,000-row
 *    lake table vs the same queries over read_parquet of the same files (the lake's read
 *    overhead; target ≤ 1.10x, the DataFusion anchor is 0.94–0.99x);
 *  - commit latency of a small append (one Parquet file + snapshot) on a local PostgreSQL
 *    catalog, p50 and p99 over 60 commits (T4.1: p50 ≤ 15 ms, p99 ≤ 50 ms), and on a DuckDB file;
 *  - the cheap refresh check (latest snapshot id) when nothing changed;
 *  - 1,000 views published in one transaction (T4.4: ≤ 2 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Lake, type CatalogConfig } from '../src-main/lake/lake';
import { LocalStorage } from '../src-main/lake/storage/local';
import { startPostgres } from '../src-main/testing/postgres';
import { medianMs, type Figure } from './harness';

const ROWS = 2_000_000;
const FILES = 4;
const QUERY = (from: string) => `SELECT boro, count(*) AS n, sum(fare) AS fare, max(d) AS d FROM ${from} GROUP BY boro`;

/** Medians of `a` and `b` timed in alternation (so machine noise hits both alike), after a warm-up. */
async function alternating(a: () => Promise<unknown>, b: () => Promise<unknown>, runs: number): Promise<[number, number]> {
  await a();
  await b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [fn, into] of [
      [a, ta],
      [b, tb],
    ] as const) {
      const start = performance.now();
      await fn();
      into.push(performance.now() - start);
    }
  }
  return [percentile(ta, 50), percentile(tb, 50)];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function commitLatencies(catalog: CatalogConfig, dir: string, commits: number): Promise<number[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const lake = await Lake.open({ instance, catalog, storage: new LocalStorage(path.join(dir, 'data')), stagingDir: path.join(dir, 'staging') });
  try {
    await lake.transaction((tx) => tx.createTable('main', 'events', [{ name: 'id', type: 'BIGINT' }, { name: 'kind', type: 'VARCHAR' }, { name: 'at', type: 'TIMESTAMP' }]));
    const times: number[] = [];
    for (let i = 0; i < commits + 3; i++) {
      const start = performance.now();
      await lake.transaction((tx) => tx.append('main', 'events', `SELECT ${i} * 10 + range AS id, 'click' AS kind, now()::TIMESTAMP AS at FROM range(10)`));
      if (i >= 3) times.push(performance.now() - start);
    }
    return times;
  } finally {
    await lake.close();
    instance.closeSync();
  }
}

export async function run(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'pas-lake-bench-'));
  const pg = await startPostgres();
  try {
    // Reads: lake view vs read_parquet over the same files.
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const lake = await Lake.open({
      instance,
      catalog: { type: 'duckdb', path: path.join(dir, 'read', 'metadata.ducklake') },
      storage: new LocalStorage(path.join(dir, 'read', 'data')),
    });
    const connection = await instance.connect();
    const per = ROWS / FILES;
    await lake.transaction(async (tx) => {
      await tx.createTable('main', 'trips', [
        { name: 'id', type: 'BIGINT' },
        { name: 'boro', type: 'VARCHAR' },
        { name: 'fare', type: 'DECIMAL(9,2)' },
        { name: 'd', type: 'DATE' },
      ]);
      for (let f = 0; f < FILES; f++) {
        await tx.append(
          'main',
          'trips',
          `SELECT range AS id, ['QUEENS','BRONX','BROOKLYN','MANHATTAN'][range % 4 + 1] AS boro, (range % 10000) / 100 AS fare, DATE '2024-01-01' + (range % 365)::INT AS d FROM range(${f * per}, ${(f + 1) * per})`,
        );
      }
    });
    await lake.attach(connection, 'lake');
    const files = (await lake.state()).tables[0]!.files.map((f) => path.join(lake.storage.displayRoot, f.key));
    const bare = `read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`;
    const [lakeMs, bareMs] = await alternating(
      () => connection.run(QUERY('lake.main.trips')),
      () => connection.run(QUERY(bare)),
      15,
    );
    figures.push({
      name: `aggregate ${ROWS / 1e6}M-row lake table`,
      value: lakeMs,
      unit: 'ms',
      baseline: `read_parquet of the same ${FILES} files ${bareMs.toFixed(1)} ms (${(lakeMs / bareMs).toFixed(2)}x)`,
      target: '<= 1.10x read_parquet',
      met: lakeMs / bareMs <= 1.1,
    });
    const [statsLakeMs, statsBareMs] = await alternating(
      () => connection.run('SELECT count(*), max(id) FROM lake.main.trips'),
      () => connection.run(`SELECT count(*), max(id) FROM ${bare}`),
      15,
    );
    figures.push({
      name: `count(*), max(id) over the ${ROWS / 1e6}M-row lake table`,
      value: statsLakeMs,
      unit: 'ms',
      baseline: `read_parquet ${statsBareMs.toFixed(2)} ms (${(statsLakeMs / statsBareMs).toFixed(2)}x)`,
      target: '<= 1.10x read_parquet',
      met: statsLakeMs / statsBareMs <= 1.1,
    });
    const refreshMs = await medianMs(() => lake.refresh(), 20);
    figures.push({ name: 'refresh check, nothing changed (DuckDB-file catalog)', value: refreshMs, unit: 'ms' });

    const viewsStart = performance.now();
    await lake.transaction((tx) => {
      tx.createSchema('views');
      for (let i = 0; i < 1000; i++) tx.createView('views', `v${i}`, `SELECT * FROM main.trips WHERE id = ${i}`);
    });
    const viewsMs = performance.now() - viewsStart;
    figures.push({ name: '1,000 views in one transaction (DuckDB-file catalog)', value: viewsMs, unit: 'ms', target: '<= 2000 ms (T4.4)', met: viewsMs <= 2000 });
    await lake.close();
    connection.closeSync();
    instance.closeSync();

    // Commits.
    const pgTimes = await commitLatencies({ type: 'postgres', connectionString: await pg.createDatabase('lake_bench') }, path.join(dir, 'pg'), 60);
    const p50 = percentile(pgTimes, 50);
    const p99 = percentile(pgTimes, 99);
    figures.push({ name: 'small append commit, PostgreSQL catalog: p50', value: p50, unit: 'ms', target: '<= 15 ms (T4.1)', met: p50 <= 15 });
    figures.push({ name: 'small append commit, PostgreSQL catalog: p99', value: p99, unit: 'ms', target: '<= 50 ms (T4.1)', met: p99 <= 50 });
    const duckTimes = await commitLatencies({ type: 'duckdb', path: path.join(dir, 'duck', 'metadata.ducklake') }, path.join(dir, 'duck'), 60);
    figures.push({ name: 'small append commit, DuckDB-file catalog: p50', value: percentile(duckTimes, 50), unit: 'ms' });
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

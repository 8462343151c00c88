/**
 * The CLI as a user runs it (`bin/pas.mjs`, one process per command) on a generated 1,000-model
 * lake project (bench/generate-project.ts):
 * - first apply (`pas plan --auto-apply`) beside DuckDB alone creating the same 1,000 tables as
 *   Parquet files in the same run (each model's query COPY'd to a file, parents read through
 *   views over their files); target < 30 s;
 * - then, on the applied project: `fetchdf "select 1"` (target < 300 ms), a no-change `plan`
 *   (< 1 s), `lineage MODEL --json` (< 1 s) and `lineage --all --json` (< 2 s), each the median
 *   of 3 beside `node -e ""` and `fetchdf` in an empty folder;
 * - `plan` of a 10,000-model project (planned only), first and next run: < 5 s and < 1 GB
 *   (PAS_BENCH_10K=0 leaves it out).
 * PAS_BENCH_CLI_MODELS changes the size of the first project.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateProject } from './generate-project';
import type { Figure } from './harness';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BIN = path.join(here, '..', 'bin', 'pas.mjs');

/** DuckDB alone: every model of the generated project written to its own Parquet file, parents first. */
export async function duckdbAlone(root: string, models: string[]): Promise<number> {
  const out = path.join(root, 'duckdb-alone');
  mkdirSync(out, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const started = performance.now();
  try {
    for (const name of models) {
      const [schema, table] = name.split('.') as [string, string];
      const file = path.join(out, `${schema}__${table}.parquet`);
      const source = readFileSync(path.join(root, 'models', schema, `${table}.sql`), 'utf8');
      const seed = /kind SEED \(path '([^']+)'\)/.exec(source);
      const query = seed
        ? `SELECT * FROM read_csv('${path.join(root, 'models', schema, seed[1]!)}', header = true, columns = {'id': 'INTEGER', 'v': 'DOUBLE', 'w': 'INTEGER'})`
        : source.slice(source.indexOf(';') + 1);
      await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await connection.run(`COPY (${query}) TO '${file}' (FORMAT parquet)`);
      await connection.run(`CREATE VIEW ${schema}.${table} AS SELECT * FROM read_parquet('${file}')`);
    }
    return performance.now() - started;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export function timedCli(args: string[], cwd: string): { ms: number; stdout: string; stderr: string; status: number | null } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { ms: performance.now() - started, stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** Median wall time of `runs` runs of a command (after one warm-up), failing loudly if it fails. */
function medianCli(args: string[], cwd: string, runs = 3): number {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const r = timedCli(args, cwd);
    if (r.status !== 0) throw new Error(`pas ${args.join(' ')} failed:\n${r.stderr.slice(-2000)}`);
    if (i > 0) times.push(r.ms);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

function medianNode(runs = 3): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '']);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** Wall time and peak RSS (GNU time) of one command. */
function measuredCli(args: string[], cwd: string): { ms: number; peakMb: number } {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`pas ${args.join(' ')} failed:\n${result.stderr.slice(-2000)}`);
  // GNU time's figure ends stderr, after whatever the command wrote there without a newline (plan's prompt).
  const kb = Number(/(\d+)\s*$/.exec(result.stderr)?.[1]);
  return { ms, peakMb: kb / 1024 };
}

export async function run(): Promise<Figure[]> {
  const count = Number(process.env.PAS_BENCH_CLI_MODELS ?? 1000);
  const { root, models } = generateProject(count);
  const empty = mkdtempSync(path.join(tmpdir(), 'pas-bench-empty-'));
  const figures: Figure[] = [];
  try {
    const alone = await duckdbAlone(root, models);
    const apply = timedCli(['plan', '--auto-apply'], root);
    if (apply.status !== 0) throw new Error(`pas plan --auto-apply failed:\n${apply.stderr.slice(-2000)}`);
    figures.push({
      name: `first apply, ${count} models (pas plan --auto-apply, concurrent_tasks 4)`,
      value: apply.ms,
      unit: 'ms',
      baseline: `DuckDB alone, same ${count} tables as Parquet: ${alone.toFixed(0)} ms`,
      target: '< 30000 ms',
      met: apply.ms < 30000,
    });

    const node = medianNode();
    const emptyFetch = medianCli(['fetchdf', 'select 1'], empty);
    const fetch = medianCli(['fetchdf', 'select 1'], root);
    figures.push({ name: `fetchdf "select 1", applied ${count}-model project`, value: fetch, unit: 'ms', baseline: `node -e "": ${node.toFixed(0)} ms; empty folder: ${emptyFetch.toFixed(0)} ms`, target: '< 300 ms', met: fetch < 300 });
    const plan = medianCli(['plan'], root);
    figures.push({ name: `no-change plan, applied ${count}-model project`, value: plan, unit: 'ms', baseline: `node -e "": ${node.toFixed(0)} ms`, target: '< 1000 ms', met: plan < 1000 });
    const model = models[Math.floor(models.length / 2) + 1]!; // a SQL model (every 20th is a seed)
    const lineage = medianCli(['lineage', model, '--json'], root);
    figures.push({ name: `lineage ${model} --json, ${count} models`, value: lineage, unit: 'ms', baseline: `node -e "": ${node.toFixed(0)} ms`, target: '< 1000 ms', met: lineage < 1000 });
    const all = timedCli(['lineage', '--all', '--json'], root);
    if (all.status === 0) {
      const lineageAll = medianCli(['lineage', '--all', '--json'], root);
      figures.push({ name: `lineage --all --json, ${count} models`, value: lineageAll, unit: 'ms', baseline: `node -e "": ${node.toFixed(0)} ms`, target: '< 2000 ms', met: lineageAll < 2000 });
    } else {
      figures.push({ name: 'lineage --all --json (not in this build: the cli branch adds it)', value: Number.NaN, unit: 'ms', target: '< 2000 ms' });
    }

    if (process.env.PAS_BENCH_10K !== '0') {
      const big = generateProject(10_000);
      try {
        const cold = measuredCli(['plan'], big.root);
        const warm = measuredCli(['plan'], big.root);
        figures.push({ name: 'plan, 10,000 models (planned only), first run', value: cold.ms, unit: 'ms', baseline: `peak RSS ${cold.peakMb.toFixed(0)} MB` });
        figures.push({ name: 'plan, 10,000 models (planned only), next run', value: warm.ms, unit: 'ms', baseline: `peak RSS ${warm.peakMb.toFixed(0)} MB; node -e "": ${node.toFixed(0)} ms`, target: '< 5000 ms and < 1024 MB', met: warm.ms < 5000 && warm.peakMb < 1024 });
      } finally {
        rmSync(big.root, { recursive: true, force: true });
      }
    }
    return figures;
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
}

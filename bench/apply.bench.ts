/**
 * First apply of a generated 1,000-model lake project (`pas plan --auto-apply`, the CLI as a
 * user runs it), beside DuckDB alone creating the same 1,000 tables as Parquet files in the
 * same run (each model's query COPY'd to a file, parents read through views over their files).
 * Target: < 30 s. PAS_BENCH_APPLY_MODELS changes the size.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
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

export async function run(): Promise<Figure[]> {
  const count = Number(process.env.PAS_BENCH_APPLY_MODELS ?? 1000);
  const { root, models } = generateProject(count);
  try {
    const alone = await duckdbAlone(root, models);
    const apply = timedCli(['plan', '--auto-apply'], root);
    if (apply.status !== 0) throw new Error(`pas plan --auto-apply failed:\n${apply.stderr.slice(-2000)}`);
    return [
      {
        name: `first apply, ${count} models (pas plan --auto-apply)`,
        value: apply.ms,
        unit: 'ms',
        baseline: `DuckDB alone, same ${count} tables as Parquet: ${alone.toFixed(0)} ms`,
        target: '< 30000 ms',
        met: apply.ms < 30000,
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

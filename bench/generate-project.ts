/**
 * A generated SQLMesh-style project for the CLI, plan and apply benchmarks: `models` models on
 * a DuckLake lake (as the example project), of which one in twenty is a 20-row CSV seed and the
 * rest small FULL models joining two upstream models with a CTE, an aggregate and a window
 * function. Layered (`layer_N` schemas of 100 models), deterministic, written into a temp dir.
 *
 * Run on its own: `npx tsx bench/generate-project.ts [MODELS] [DIR]` prints the folder.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CONFIG_YAML = `gateways:
  local:
    connection:
      type: duckdb
      catalogs:
        lake:
          type: ducklake
          path: lake/metadata.ducklake
          data_path: lake/data/
      concurrent_tasks: 4
    state_connection:
      type: duckdb
      database: .pas/state.duckdb
default_gateway: local
model_defaults:
  dialect: duckdb
  start: '2024-01-01'
  cron: '@daily'
`;

export interface GeneratedProject {
  root: string;
  models: string[];
}

export function generateProject(models: number, root = mkdtempSync(path.join(tmpdir(), `pas-bench-${models}-`))): GeneratedProject {
  mkdirSync(path.join(root, 'seeds'), { recursive: true });
  writeFileSync(path.join(root, 'config.yaml'), CONFIG_YAML);
  const names: string[] = [];
  const seeds: string[] = [];
  for (let i = 0; i < models; i++) {
    const layer = Math.floor(i / 100);
    const dir = path.join(root, 'models', `layer_${layer}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const name = `layer_${layer}.m_${i}`;
    let sql: string;
    if (i % 20 === 0) {
      const csv = ['id,v,w', ...Array.from({ length: 20 }, (_, r) => `${r},${(r * 1.5 + i).toFixed(1)},${(r + i) % 7}`)].join('\n');
      writeFileSync(path.join(root, 'seeds', `s_${i}.csv`), `${csv}\n`);
      sql = `MODEL (name ${name}, kind SEED (path '../../seeds/s_${i}.csv'), columns (id INTEGER, v DOUBLE, w INTEGER), grain id);\n`;
      seeds.push(name);
    } else {
      // Two upstream models: a recent one (deep chains) and one further back or a seed.
      const a = names[i - 1 - ((i * 7) % Math.min(i, 10))]!;
      const b = i % 3 === 0 ? seeds[(i * 13) % seeds.length]! : names[(i * 31) % i]!;
      sql = `MODEL (name ${name}, kind FULL, grain id);
WITH base AS (
  SELECT a.id, a.v, b.w FROM ${a} AS a JOIN ${b} AS b USING (id)
), agg AS (
  SELECT id, sum(v) AS v, max(w) AS w FROM base GROUP BY id
)
SELECT id, v, w, row_number() OVER (PARTITION BY id % 10 ORDER BY v) AS rn FROM agg
`;
    }
    writeFileSync(path.join(dir, `m_${i}.sql`), sql);
    names.push(name);
  }
  return { root, models: names };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const count = Number(process.argv[2] ?? 1000);
  const { root } = generateProject(count, process.argv[3] ? (mkdirSync(process.argv[3], { recursive: true }), path.resolve(process.argv[3])) : undefined);
  console.log(root);
}

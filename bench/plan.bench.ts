/**
 * The modeling engine on a generated 1,000-model project (CTEs, joins, aggregates, window
 * functions): load-and-plan cold (fresh engine and workspace) and warm (the same again), and
 * a no-change plan after the project has been applied. Targets: no-change plan < 1 s; cold
 * load-and-plan < 3 s.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckEngine } from '../src-main/duck/engine';
import { Workspace } from '../src-main/plan/workspace';
import type { Figure } from './harness';

const MODELS = 1000;
const SOURCES = 10;

export async function generate(): Promise<string> {
  const root = mkdtempSync(path.join(tmpdir(), 'pas-bench-plan-'));
  writeFileSync(path.join(root, 'config.yaml'), "gateways:\n  local:\n    connection:\n      type: duckdb\n      database: warehouse.db\nmodel_defaults:\n  dialect: duckdb\n  start: '2024-01-01'\n  cron: '@daily'\n");
  const names: string[] = [];
  for (let i = 0; i < MODELS; i++) {
    const layer = Math.floor(i / 100);
    const name = `layer_${layer}.m_${i}`;
    const pick = (k: number) => (i < 20 ? `raw.src_${(i + k) % SOURCES}` : names[(i * 7 + k * 13) % Math.max(1, i - 1)]);
    const sql = `MODEL (name ${name}, kind FULL, grain id);
WITH base AS (
  SELECT a.id, a.v, b.w FROM ${pick(1)} AS a JOIN ${pick(2)} AS b USING (id)
), agg AS (
  SELECT id, sum(v) AS v, max(w) AS w FROM base GROUP BY id
)
SELECT id, v, w, row_number() OVER (PARTITION BY id % 10 ORDER BY v) AS rn FROM agg
`;
    mkdirSync(path.join(root, 'models', `layer_${layer}`), { recursive: true });
    writeFileSync(path.join(root, 'models', `layer_${layer}`, `m_${i}.sql`), sql);
    names.push(name);
  }
  const instance = await DuckDBInstance.create(path.join(root, 'warehouse.db'));
  const connection = await instance.connect();
  await connection.run('CREATE SCHEMA raw');
  for (let s = 0; s < SOURCES; s++) await connection.run(`CREATE TABLE raw.src_${s} AS SELECT range AS id, range * 1.5 AS v, range % 7 AS w FROM range(100)`);
  connection.closeSync();
  instance.closeSync();
  return root;
}

async function timedPlan(root: string, keepOpen?: (ws: Workspace, plan: Awaited<ReturnType<Workspace['plan']>>) => Promise<void>): Promise<number> {
  const engine = await DuckEngine.open();
  const started = performance.now();
  const ws = await Workspace.open({ projectDir: root, engine });
  const result = await ws.plan({ environment: 'prod' });
  const elapsed = performance.now() - started;
  if (keepOpen) await keepOpen(ws, result);
  await ws.close();
  await engine.close();
  return elapsed;
}

export async function run(): Promise<Figure[]> {
  const root = await generate();
  const cold = await timedPlan(root);
  const warm = await timedPlan(root, async (ws, { plan, graph }) => {
    await ws.apply(plan, graph);
  });
  let noChange = 0;
  let changes = -1;
  await timedPlan(root, async (ws) => {
    const started = performance.now();
    const { plan } = await ws.plan({ environment: 'prod' });
    noChange = performance.now() - started;
    changes = plan.changes.length + plan.backfills.length;
  });
  return [
    { name: `load + plan, ${MODELS} models, cold`, value: cold, unit: 'ms', target: '< 3000 ms', met: cold < 3000 },
    { name: `load + plan, ${MODELS} models, warm`, value: warm, unit: 'ms', baseline: `cold ${cold.toFixed(0)} ms` },
    { name: `no-change plan, ${MODELS} models (${changes} changes)`, value: noChange, unit: 'ms', target: '< 1000 ms', met: noChange < 1000 },
  ];
}

/**
 * The workbench's live preview: keystroke-to-first-preview-rows latency through the service
 * (`workbench.preview` of the unsaved text — read, render, parse, preview catalog, capped run —
 * then the first page of rows), over 50 edits of a model reading a 1,000,000-row lake table that
 * was never built (so it is inlined). Two models: a row-wise projection and a GROUP BY that
 * scans every row. Baseline in the same run: the same query on a plain DuckDB table of the same
 * rows in a bare in-memory DuckDB. Targets: median < 150 ms, p95 < 400 ms.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Lake } from '../src-main/lake/lake';
import { LocalStorage } from '../src-main/lake/storage/local';
import { PasService } from '../src-main/service/service';
import type { Figure } from './harness';

const ROWS = 1_000_000;
const EDITS = 50;
const GENERATE = `SELECT range AS id, TIMESTAMP '2024-01-01' + to_seconds(range * 30) AS ts, range % 97 AS amount, ['a', 'b', 'c', 'd'][1 + range % 4] AS category FROM range(${ROWS})`;

const MODELS = {
  projection: (n: number) => `MODEL (name marts.events_wide, kind FULL);\nSELECT id, ts, category, amount * ${n} AS scaled, amount > ${n % 90} AS big FROM raw.events`,
  aggregate: (n: number) => `MODEL (name marts.events_daily, kind FULL);\nSELECT date_trunc('day', ts) AS day, category, count(*) AS n, sum(amount * ${n}) AS total FROM raw.events GROUP BY ALL`,
};

const BASELINE = {
  projection: (n: number) => `SELECT id, ts, category, amount * ${n} AS scaled, amount > ${n % 90} AS big FROM events LIMIT 500`,
  aggregate: (n: number) => `SELECT date_trunc('day', ts) AS day, category, count(*) AS n, sum(amount * ${n}) AS total FROM events GROUP BY ALL LIMIT 500`,
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

async function createProject(): Promise<string> {
  const root = mkdtempSync(path.join(tmpdir(), 'pas-preview-bench-'));
  mkdirSync(path.join(root, 'models/marts'), { recursive: true });
  writeFileSync(
    path.join(root, 'config.yaml'),
    'gateways:\n  local:\n    connection:\n      type: duckdb\n      catalogs:\n        lake:\n          type: ducklake\n          path: lake/metadata.ducklake\n          data_path: lake/data/\ndefault_gateway: local\nmodel_defaults:\n  dialect: duckdb\n  start: 2024-01-01\n',
  );
  writeFileSync(path.join(root, 'models/marts/events_wide.sql'), MODELS.projection(1));
  writeFileSync(path.join(root, 'models/marts/events_daily.sql'), MODELS.aggregate(1));
  const instance = await DuckDBInstance.create(':memory:');
  const lake = await Lake.open({ instance, catalog: { type: 'duckdb', path: path.join(root, 'lake/metadata.ducklake') }, storage: new LocalStorage(path.join(root, 'lake/data')) });
  await lake.transaction(async (tx) => {
    tx.createSchema('raw');
    await tx.createTableAs('raw', 'events', GENERATE);
  });
  await lake.close();
  instance.closeSync();
  return root;
}

export async function run(): Promise<Figure[]> {
  const root = await createProject();
  const service = await PasService.create({ projectDir: root });
  const bareInstance = await DuckDBInstance.create(':memory:');
  const bare = await bareInstance.connect();
  await bare.run(`CREATE TABLE events AS ${GENERATE}`);
  const figures: Figure[] = [];
  for (const kind of ['projection', 'aggregate'] as const) {
    const file = kind === 'projection' ? 'models/marts/events_wide.sql' : 'models/marts/events_daily.sql';
    const times: number[] = [];
    const baseline: number[] = [];
    let previous: string | undefined;
    // One warm-up edit each, then EDITS timed edits (each a new constant, so nothing is reused).
    for (let i = 0; i <= EDITS; i++) {
      const started = performance.now();
      const preview = await service.invoke('workbench.preview', { path: file, text: MODELS[kind](i + 2), session: 'bench', limit: 500 });
      const page = await service.invoke('query.page', { resultId: preview.handle.resultId, offset: 0, limit: 256 });
      const elapsed = performance.now() - started;
      if (page.rowCount === 0) throw new Error(`the ${kind} preview returned no rows`);
      if (previous) await service.invoke('query.close', { resultId: previous });
      previous = preview.handle.resultId;
      const bareStarted = performance.now();
      const reader = await bare.runAndReadAll(BASELINE[kind](i + 2));
      reader.getColumnsJson();
      const bareElapsed = performance.now() - bareStarted;
      if (i === 0) continue;
      times.push(elapsed);
      baseline.push(bareElapsed);
    }
    times.sort((a, b) => a - b);
    baseline.sort((a, b) => a - b);
    const median = percentile(times, 0.5);
    const p95 = percentile(times, 0.95);
    const baseText = `bare DuckDB, same query on a plain table: median ${percentile(baseline, 0.5).toFixed(1)} ms, p95 ${percentile(baseline, 0.95).toFixed(1)} ms`;
    figures.push({ name: `${kind} over ${ROWS.toLocaleString('en-US')} lake rows: keystroke to first rows, median`, value: median, unit: 'ms', baseline: baseText, target: '< 150 ms', met: median < 150 });
    figures.push({ name: `${kind} over ${ROWS.toLocaleString('en-US')} lake rows: keystroke to first rows, p95`, value: p95, unit: 'ms', baseline: baseText, target: '< 400 ms', met: p95 < 400 });
  }
  bare.closeSync();
  bareInstance.closeSync();
  await service.close();
  return figures;
}

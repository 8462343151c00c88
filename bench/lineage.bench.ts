/**
 * Column-lineage benchmark: a generated 1,000-model project (CTEs, joins, aggregates,
 * window functions, some stars) over 20 source tables. Measures the batched parse, full
 * lineage of every column (direct upstream, transitive sources, users), and one-model
 * updates, both an edit that keeps the column list and one that adds a column.
 */
import { DuckEngine } from '../src-main/duck/engine';
import { LineageGraph } from '../src-main/lineage/graph';
import { lineageRecords, parseModels } from '../src-main/lineage/records';
import { SqlParser } from '../src-main/sql/parse';
import type { Figure } from './harness';

const MODEL_COUNT = 1000;
const SOURCE_COUNT = 20;
const SOURCE_COLUMNS = ['id', 'k', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10'];

/** Deterministic pseudo-random numbers (mulberry32), so every run measures the same project. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function modelSql(i: number, a: string, b: string, extra = ''): string {
  if (i % 10 === 9) {
    // A pass-through model: star with EXCLUDE over one upstream.
    return `SELECT * EXCLUDE (v5), v5 * 2 AS v5${extra} FROM ${a} WHERE v1 IS NOT NULL`;
  }
  return `WITH base AS (
  SELECT a.id, a.k, a.v1, a.v2 + b.v1 AS v2, b.v3, a.v4, a.v5
  FROM ${a} a JOIN ${b} b ON a.id = b.id
  WHERE a.v1 > ${i % 7}
),
agg AS (
  SELECT k, sum(v2) AS total, count(*) AS n, max(v3) AS v3 FROM base GROUP BY k
)
SELECT base.id, base.k, base.v1, base.v2, agg.v3, base.v4, base.v5,
  agg.total, agg.n,
  row_number() OVER (PARTITION BY base.k ORDER BY agg.total DESC) AS rk,
  CASE WHEN base.v1 > 0 THEN base.v1 ELSE base.v2 END AS v6${extra}
FROM base JOIN agg USING (k)`;
}

export function generateProject(count = MODEL_COUNT): { sources: Record<string, string[]>; models: { name: string; sql: string }[] } {
  const next = random(42);
  const sources: Record<string, string[]> = {};
  for (let s = 0; s < SOURCE_COUNT; s++) sources[`raw.src_${s}`] = SOURCE_COLUMNS;
  const models: { name: string; sql: string }[] = [];
  const pick = (i: number): string => {
    // Mostly recent models (deep chains), sometimes a source.
    if (i === 0 || next() < 0.15) return `raw.src_${Math.floor(next() * SOURCE_COUNT)}`;
    const back = 1 + Math.floor(next() * Math.min(i, 50));
    return `analytics.m_${i - back}`;
  };
  for (let i = 0; i < count; i++) models.push({ name: `analytics.m_${i}`, sql: modelSql(i, pick(i), pick(i)) });
  return { sources, models };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function run(): Promise<Figure[]> {
  const engine = await DuckEngine.open();
  try {
    const parser = new SqlParser(await engine.connect());
    const project = generateProject();
    await parseModels(parser, project.models.slice(0, 20)); // warm-up

    const t0 = performance.now();
    const inputs = await parseModels(parser, project.models);
    const t1 = performance.now();
    const graph = new LineageGraph(project.sources);
    graph.setModels(inputs);
    const t2 = performance.now();
    const records = lineageRecords(graph);
    const t3 = performance.now();
    const columnCount = records.length;

    // Same-run comparison for the batched parse: one DuckDB call per model.
    const s0 = performance.now();
    for (const model of project.models) await parser.parse(model.sql);
    const separateParse = performance.now() - s0;

    // One-model updates in the middle of the DAG.
    const keepTimes: number[] = [];
    const widenTimes: number[] = [];
    const widenRecomputed: number[] = [];
    for (let round = 0; round < 9; round++) {
      const index = 400 + round * 7 + (round % 10 === 9 ? 1 : 0);
      const model = project.models[index];
      if (!model) continue;
      const keep = model.sql.replace('WHERE a.v1 >', 'WHERE a.v1 + 0 >').replace('WHERE v1 IS NOT NULL', 'WHERE v1 > 0');
      let start = performance.now();
      graph.updateModel({ name: model.name, sql: keep, parsed: await parser.parse(keep) });
      lineageRecords(graph, model.name);
      keepTimes.push(performance.now() - start);

      const widened = model.sql.replace('\nFROM base JOIN agg', ', base.v4 + 1 AS v7\nFROM base JOIN agg').replace(/ FROM (\S+) WHERE v1/, ', 1 AS extra FROM $1 WHERE v1');
      start = performance.now();
      const summary = graph.updateModel({ name: model.name, sql: widened, parsed: await parser.parse(widened) });
      lineageRecords(graph, model.name);
      widenTimes.push(performance.now() - start);
      widenRecomputed.push(summary.recomputed.length);
    }

    return [
      {
        name: 'lineage: batched parse of 1,000 models (one parseMany call)',
        value: round1(t1 - t0),
        unit: 'ms',
        baseline: `1,000 separate parse() calls: ${round1(separateParse)} ms`,
      },
      {
        name: `lineage: column lineage of all ${columnCount} columns (1,000 models)`,
        value: round1(t2 - t1),
        unit: 'ms',
      },
      { name: 'lineage: transitive sources + users for every column', value: round1(t3 - t2), unit: 'ms' },
      {
        name: 'lineage: full project, parse + lineage + sources/users (1,000 models)',
        value: round1(t3 - t0),
        unit: 'ms',
        target: '< 2000 ms',
        met: t3 - t0 < 2000,
      },
      {
        name: 'lineage: one-model update, same columns (parse + recompute + records), median of 9',
        value: round1(median(keepTimes)),
        unit: 'ms',
        target: '< 50 ms',
        met: median(keepTimes) < 50,
      },
      {
        name: `lineage: one-model update adding a column (median ${median(widenRecomputed)} models recomputed), median of 9`,
        value: round1(median(widenTimes)),
        unit: 'ms',
        target: '< 50 ms',
        met: median(widenTimes) < 50,
      },
    ];
  } finally {
    await engine.close();
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

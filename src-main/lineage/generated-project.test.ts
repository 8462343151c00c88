/**
 * Lineage checked by DuckDB itself on a generated project: ~80 models (stars with EXCLUDE /
 * REPLACE / RENAME, COLUMNS, lateral aliases, joins with ON / USING / ASOF, aggregates,
 * GROUP BY ALL, windows, QUALIFY, DISTINCT, CASE, subqueries, EXISTS, UNION BY NAME,
 * EXCEPT ALL, recursive CTEs, PIVOT, UNPIVOT, struct and list access, unnest) over four
 * source tables, each model materialized in DuckDB. For every column of every relation a
 * model reads, the column is replaced by other values (new random values per row) and the
 * model is run again: the model's output columns whose values change are exactly the ones
 * whose lineage lists that column (as a value or a filter dependency). Zero missing, zero
 * extra. `PAS_LINEAGE_MODELS=200 PAS_LINEAGE_SEED=8` runs a bigger project. (Other seeds
 * can draw data where a dependency cannot show, e.g. a CASE whose branches are equal there:
 * an "extra" then names it; a "missing" is always a lineage bug.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckEngine } from '../duck/engine';
import { SqlParser } from '../sql/parse';
import { LineageGraph } from './graph';
import { parseModels } from './records';

const MODEL_COUNT = Number(process.env.PAS_LINEAGE_MODELS ?? 80);
const SOURCES = ['raw.s0', 'raw.s1', 'raw.s2', 'raw.s3'];
const SOURCE_COLUMNS = ['id', 'k', 'a', 'b', 't', 'st', 'li'];

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Model templates over upstream relations A and B. Every relation has at least the columns
 * id, k, a, b (numbers) and t (text); sources also have st STRUCT(x, y) and li INT[].
 * `source: true` templates read a source (for st and li).
 */
type Template = { sql: (a: string, b: string) => string; source?: true };
const TEMPLATES: Template[] = [
  { sql: (a) => `SELECT id, k, a + b AS a, b, t FROM ${a} WHERE a > -3` },
  { sql: (a) => `SELECT * EXCLUDE (b), b * 2 AS b FROM ${a}` },
  { sql: (a) => `SELECT * REPLACE (a + k AS a) FROM ${a}` },
  { sql: (a, b) => `SELECT x.id, x.k, x.a, y.b, x.t FROM ${a} x JOIN ${b} y ON x.id = y.id` },
  { sql: (a) => `SELECT k AS id, k, sum(a) AS a, max(b) AS b, min(t) AS t FROM ${a} GROUP BY k` },
  { sql: (a) => `SELECT id, k, round(a - avg(a) OVER (PARTITION BY k), 3) AS a, rank() OVER (PARTITION BY t ORDER BY b) AS b, t FROM ${a}` },
  { sql: (a) => `SELECT id, k, a * 2 AS a2, a2 + b AS a, b, t FROM ${a}` },
  { sql: (a) => `SELECT id, k, COLUMNS('^[ab]$') + 1, t FROM ${a}` },
  { sql: (a) => `SELECT id, k, a, b, t FROM ${a} QUALIFY rank() OVER (PARTITION BY k ORDER BY a) = 1` },
  { sql: (a) => `SELECT k AS id, k, sum(a) AS a, count(*) AS b, t FROM ${a} GROUP BY ALL` },
  { sql: (a, b) => `SELECT id, k, a, b, t FROM ${a} UNION ALL BY NAME SELECT t, b, a, k, id FROM ${b}` },
  { sql: (a, b) => `WITH x AS (SELECT id, k, a FROM ${a}), y AS (SELECT id, b, t FROM ${b}) SELECT * FROM x JOIN y USING (id)` },
  { sql: (a) => `SELECT id, k, CASE WHEN k % 2 = 0 THEN b ELSE a END AS a, b, t FROM ${a}` },
  { sql: (a) => `SELECT id, k, st.x + a AS a, len(li) AS b, st['y'] AS t FROM ${a}`, source: true },
  { sql: (a) => `SELECT id, k, a, unnest(li) AS b, t FROM ${a}`, source: true },
  { sql: (a) => `SELECT k AS id, k, coalesce(p.x, 0) AS a, coalesce(p.y, 0) AS b, 'x' AS t FROM (PIVOT ${a} ON t IN ('x', 'y') USING sum(a) GROUP BY k) p` },
  { sql: (a) => `SELECT id, k, v AS a, v * 2 AS b, CASE name WHEN 'a' THEN 'x' ELSE 'y' END AS t FROM (UNPIVOT (SELECT id, k, a, b FROM ${a}) ON a, b INTO NAME name VALUE v)` },
  { sql: (a, b) => `SELECT x.id, x.k, y.a, x.b, x.t FROM ${a} x ASOF JOIN (SELECT k, id, max(a) AS a FROM ${b} GROUP BY k, id) y ON x.k = y.k AND x.id >= y.id + 6` },
  { sql: (a, b) => `SELECT id, k, a + (SELECT count(*) FROM ${b} y WHERE y.k = x.k) AS a, b, t FROM ${a} x` },
  { sql: (a, b) => `SELECT id, k, a, b, t FROM ${a} x WHERE EXISTS (SELECT 1 FROM ${b} y WHERE y.id = x.id AND y.a = x.a)` },
  { sql: (a) => `SELECT DISTINCT k AS id, k, k AS a, k AS b, t FROM ${a}` },
  { sql: (a) => `WITH RECURSIVE r(id, k, a, b, t, n) AS (SELECT id, k, a, b, t, 0 FROM ${a} UNION ALL SELECT id, k, a + 1, b, t, n + 1 FROM r WHERE n < 2) SELECT id, k, a, b, t FROM r` },
  { sql: (a, b) => `SELECT id, k, k AS a, k AS b, t FROM (SELECT id, k, t FROM ${a} EXCEPT ALL SELECT id, k, t FROM ${b})` },
  { sql: (a) => `SELECT id, k, a * 3 AS a3, a3 AS a, b, t FROM ${a} WHERE a3 > 0` },
  { sql: (a) => `SELECT id, k, a_old AS a, b, t FROM (SELECT * RENAME (a AS a_old) FROM ${a})` },
  { sql: (a, b) => `SELECT x.*, y.t AS t2 FROM ${a} x LEFT JOIN ${b} y ON x.id = y.id AND y.b > 0` },
  { sql: (a) => `SELECT id, k, list_sum(list_transform([a, b], v -> v * k)) AS a, b, t FROM ${a}` },
  { sql: (a, b) => `SELECT id, k, a, b, t FROM ${a} WHERE id IN (SELECT id FROM ${b} WHERE k = 1)` },
];

interface GeneratedModel {
  name: string;
  template: Template;
  upstream: [string, string];
}

/**
 * Models in order; each reads sources or earlier models with enough rows (`rows`), so that
 * chains of aggregates and filters do not leave too few rows to see a dependency in.
 */
async function generate(count: number, rows: (name: string, sql: string) => Promise<number>): Promise<GeneratedModel[]> {
  const next = random(Number(process.env.PAS_LINEAGE_SEED ?? 7));
  const models: GeneratedModel[] = [];
  const usable: string[] = [];
  const pick = (source: boolean): string => {
    if (source || usable.length === 0 || next() < 0.3) return SOURCES[Math.floor(next() * SOURCES.length)] as string;
    return usable[usable.length - 1 - Math.floor(next() * Math.min(usable.length, 12))] as string;
  };
  for (let i = 0; i < count; i++) {
    const template = TEMPLATES[i % TEMPLATES.length] as Template;
    const model: GeneratedModel = { name: `gen.m${i}`, template, upstream: [pick(!!template.source), pick(false)] };
    models.push(model);
    let count = await rows(model.name, template.sql(...model.upstream));
    // A model left with (almost) no rows shows nothing: read sources instead.
    if (count < 5) {
      model.upstream = [pick(true), pick(true)];
      count = await rows(model.name, template.sql(...model.upstream));
    }
    if (count >= 20 && count <= 150) usable.push(model.name);
  }
  return models;
}

const SOURCE_SQL = (seed: number): string => `SELECT
  (1 + (hash(i, ${seed}, 1) >> 20) % 12)::INT AS id,
  ((hash(i, ${seed}, 2) >> 20) % 4)::INT AS k,
  ((hash(i, ${seed}, 3) >> 20) % 11)::INT - 5 AS a,
  ((hash(i, ${seed}, 4) >> 20) % 11)::INT - 5 AS b,
  ['x', 'y', 'z'][1 + ((hash(i, ${seed}, 5) >> 20) % 3)::INT] AS t,
  {'x': ((hash(i, ${seed}, 6) >> 20) % 9)::INT - 4, 'y': ['x', 'y', 'z'][1 + ((hash(i, ${seed}, 7) >> 20) % 3)::INT]} AS st,
  [((hash(i, ${seed}, 8) >> 20) % 5)::INT, ((hash(i, ${seed}, 9) >> 20) % 5)::INT][1:((hash(i, ${seed}, 10) >> 20) % 3)::INT] AS li
FROM (SELECT i % 40 AS i FROM range(60) r(i))`;

/** Other values for a column, drawn per row (so groups and join matches change too). */
function perturbation(column: string, type: string, salt: number): string {
  const h = (n: number) => `(hash(rowid, ${salt}, ${n}) >> 20)`;
  const upper = type.toUpperCase();
  if (upper.startsWith('STRUCT')) return `{'x': (${h(1)} % 9)::INT - 4, 'y': ['x', 'y', 'z'][1 + (${h(2)} % 3)::INT]}`;
  if (upper.endsWith('[]')) return `[(${h(1)} % 5)::INT, (${h(2)} % 5)::INT, 7][1:(${h(3)} % 4)::INT]`;
  // Some NULLs too: they decide rows where NULLs are dropped (UNPIVOT, inner joins).
  const nullable = (value: string) => `CASE WHEN ${h(9)} % 4 = 0 THEN NULL ELSE ${value} END`;
  if (upper === 'VARCHAR') return nullable(`['x', 'y', 'z', 'w'][1 + (${h(1)} % 4)::INT]`);
  if (upper === 'BOOLEAN') return `${h(1)} % 2 = 0`;
  void column;
  return nullable(`CAST((${h(1)} % 25)::INT - 6 AS ${type})`);
}

/** Each output column's values, as a sorted list: a column's multiset of values. */
function columnValues(names: string[], rows: unknown[][]): Map<string, string> {
  const out = new Map<string, string>();
  names.forEach((name, j) => {
    const values = rows.map((row) => {
      const value = row[j];
      return typeof value === 'number' ? value.toFixed(6) : JSON.stringify(value);
    });
    out.set(name.toLowerCase(), values.sort().join('\n'));
  });
  return out;
}

let engine: DuckEngine;
let connection: DuckDBConnection;
let parser: SqlParser;

beforeAll(async () => {
  engine = await DuckEngine.open();
  connection = await engine.connect();
  parser = new SqlParser(connection);
  await connection.run('SET threads = 1');
  await connection.run('CREATE SCHEMA raw; CREATE SCHEMA gen; CREATE SCHEMA pert');
});
afterAll(async () => {
  await engine.close();
});

describe('lineage of a generated project, checked by DuckDB', () => {
  it(`finds exactly the columns each of ${MODEL_COUNT} models reads`, { timeout: 600_000 }, async () => {
    for (const [i, name] of SOURCES.entries()) await connection.run(`CREATE TABLE ${name} AS ${SOURCE_SQL(i + 1)}`);
    const models = await generate(MODEL_COUNT, async (name, sql) => {
      await connection.run(`CREATE OR REPLACE TABLE ${name} AS ${sql}`);
      return Number((await connection.runAndReadAll(`SELECT count(*) FROM ${name}`)).getRows()[0]?.[0]);
    });
    const sqlOf = (m: GeneratedModel, rename: (relation: string) => string = (r) => r): string => m.template.sql(rename(m.upstream[0]), rename(m.upstream[1]));

    const graph = new LineageGraph(Object.fromEntries(SOURCES.map((s) => [s, SOURCE_COLUMNS])));
    graph.setModels(await parseModels(parser, models.map((m) => ({ name: m.name, sql: sqlOf(m) }))));

    // Lineage says: model column -> the upstream columns it depends on (value or filter).
    const expected = new Map<string, Set<string>>();
    for (const m of models) {
      const state = graph.model(m.name);
      expect(state?.error, m.name).toBeUndefined();
      for (const column of state?.lineage.columns ?? []) {
        expect(column.unknown, `${m.name}.${column.column}`).toBeUndefined();
        expected.set(`${m.name}.${column.column}`.toLowerCase(), new Set(column.upstream.map((d) => `${d.relation}.${d.column}`.toLowerCase())));
      }
    }

    // DuckDB says: perturb each upstream column, see which output columns change.
    const baseline = new Map<string, Map<string, string>>();
    for (const m of models) {
      const reader = await connection.runAndReadAll(sqlOf(m));
      const names = reader.columnNames();
      expect(names.map((n) => n.toLowerCase()), m.name).toEqual(graph.model(m.name)?.lineage.columns.map((c) => c.column.toLowerCase()));
      baseline.set(m.name, columnValues(names, reader.getRowsJson() as unknown[][]));
    }
    const observed = new Map<string, Set<string>>([...expected.keys()].map((k) => [k, new Set<string>()]));
    const types = new Map<string, [string, string][]>();
    for (const relation of new Set(models.flatMap((m) => m.upstream))) {
      const described = await connection.runAndReadAll(`DESCRIBE ${relation}`);
      types.set(relation, described.getRows().map((r) => [String(r[0]), String(r[1])]));
    }
    let salt = 100;
    /** Runs each model with one upstream column replaced, and notes the output columns that changed. */
    const perturb = async (relation: string, column: string, type: string, users: GeneratedModel[]): Promise<void> => {
      await connection.run(`CREATE OR REPLACE TABLE pert.r AS SELECT * REPLACE (${perturbation(column, type, salt++)} AS "${column}") FROM ${relation}`);
      for (const m of users) {
        const reader = await connection.runAndReadAll(sqlOf(m, (r) => (r === relation ? 'pert.r' : r)));
        const after = columnValues(reader.columnNames(), reader.getRowsJson() as unknown[][]);
        for (const [name, values] of after) {
          if (baseline.get(m.name)?.get(name) !== values) observed.get(`${m.name}.${name}`)?.add(`${relation}.${column}`.toLowerCase());
        }
      }
    };
    for (const [relation, columns] of types) {
      const users = models.filter((m) => m.upstream.includes(relation));
      for (const [column, type] of columns) await perturb(relation, column, type, users);
    }
    // A dependency the data did not show (the values drawn changed nothing): draw again, a few times.
    for (let attempt = 0; attempt < 4; attempt++) {
      for (const [relation, columns] of types) {
        for (const [column, type] of columns) {
          const dep = `${relation}.${column}`.toLowerCase();
          const pending = models.filter(
            (m) => m.upstream.includes(relation) && [...expected].some(([key, deps]) => key.startsWith(`${m.name}.`) && deps.has(dep) && !observed.get(key)?.has(dep)),
          );
          if (pending.length > 0) await perturb(relation, column, type, pending);
        }
      }
    }

    const missing: string[] = [];
    const extra: string[] = [];
    for (const [column, deps] of expected) {
      const seen = observed.get(column) ?? new Set();
      for (const dep of seen) if (!deps.has(dep)) missing.push(`${column} <- ${dep}`);
      for (const dep of deps) if (!seen.has(dep)) extra.push(`${column} <- ${dep}`);
    }
    expect({ columns: expected.size, missing, extra }).toEqual({ columns: expected.size, missing: [], extra: [] });
    expect(expected.size).toBeGreaterThan(MODEL_COUNT * 4);
  });
});

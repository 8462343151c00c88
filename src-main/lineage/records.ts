/**
 * The JSON shape of column lineage for the CLI and the UI: one record per model column
 * with its direct upstream columns (with kind and expression), its transitive source
 * columns and the columns that use it; the report `pas lineage` prints (upstream and
 * downstream to a depth, and the whole impact of a change with hop counts, for a model's or
 * a root's column); plus the batched parse that feeds a graph.
 */
import type { ParseResult, SqlParser } from '../sql/parse';
import { nameKey } from '../sql/names';
import type { ColumnRef, ImpactRef, LineageGraph, ModelInput } from './graph';
import type { DependencyKind, UnknownLineage } from './types';

export interface LineageRecord {
  model: string;
  column: string;
  upstream: { model: string; column: string; kind: DependencyKind; expression?: string }[];
  sources: ColumnRef[];
  downstream: ColumnRef[];
  /** Present when the column's lineage is (partly) unknown. */
  unknown?: UnknownLineage;
}

export function lineageRecord(graph: LineageGraph, model: string, column: string): LineageRecord | undefined {
  const state = graph.model(model);
  const lineage = graph.column(model, column);
  if (!state || !lineage) return undefined;
  return {
    model: state.name,
    column: lineage.column,
    upstream: lineage.upstream.map((dep) => ({
      model: dep.relation,
      column: dep.column,
      kind: dep.kind,
      ...(dep.expression !== undefined ? { expression: dep.expression } : {}),
    })),
    sources: graph.sources(state.name, lineage.column),
    downstream: graph.downstream(state.name, lineage.column),
    ...(lineage.unknown ? { unknown: lineage.unknown } : {}),
  };
}

/** Records for every column of one model, or of every model. */
export function lineageRecords(graph: LineageGraph, model?: string): LineageRecord[] {
  const names = model === undefined ? graph.modelNames() : [model];
  const records: LineageRecord[] = [];
  for (const name of names) {
    for (const column of graph.model(name)?.lineage.columns ?? []) {
      const record = lineageRecord(graph, name, column.column);
      if (record) records.push(record);
    }
  }
  return records;
}

type Upstream = LineageRecord['upstream'][number];

export interface ColumnReport {
  model: string;
  column: string;
  /** False for a root: a relation models read that is not a model (external model, lake table). */
  isModel: boolean;
  /** Upstream columns within the depth, each once per kind. */
  upstream: Upstream[];
  /** The final source columns of the value. */
  sources: ColumnRef[];
  /** Columns using this one within the depth (all of them for a downstream report without a depth). */
  downstream: ColumnRef[];
  /** Every column downstream, transitively, with its hop count: the whole impact of a change. */
  impact: ImpactRef[];
  unknown?: UnknownLineage;
}

export interface ReportOptions {
  /** Only one side; both when absent. */
  direction?: 'upstream' | 'downstream';
  /** Hops to follow; default 1 (direct), or every hop downstream for a downstream-only report. */
  depth?: number;
}

function upstreamTo(graph: LineageGraph, model: string, column: string, depth: number): Upstream[] {
  const seen = new Set<string>();
  const out: Upstream[] = [];
  let frontier: ColumnRef[] = [{ model, column }];
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    const next: ColumnRef[] = [];
    for (const ref of frontier) {
      for (const dep of graph.column(ref.model, ref.column)?.upstream ?? []) {
        const key = `${nameKey(dep.relation)}\u0000${nameKey(dep.column)}\u0000${dep.kind}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ model: dep.relation, column: dep.column, kind: dep.kind, ...(dep.expression !== undefined ? { expression: dep.expression } : {}) });
        next.push({ model: dep.relation, column: dep.column });
      }
    }
    frontier = next;
  }
  return out;
}

/** What `pas lineage MODEL COLUMN` reports, for a model's column or a root's; undefined when there is no such column. */
export function columnReport(graph: LineageGraph, relation: string, column: string, options: ReportOptions = {}): ColumnReport | undefined {
  const info = graph.relation(relation);
  const name = info?.columns.find((c) => nameKey(c) === nameKey(column));
  if (!info || name === undefined) return undefined;
  const lineage = info.isModel ? graph.column(info.name, name) : undefined;
  const up = options.direction !== 'downstream';
  const down = options.direction !== 'upstream';
  const impact = down ? graph.impact(info.name, name) : [];
  const downDepth = options.depth ?? (options.direction === 'downstream' ? Infinity : 1);
  return {
    model: info.name,
    column: name,
    isModel: info.isModel,
    upstream: up && info.isModel ? upstreamTo(graph, info.name, name, options.depth ?? 1) : [],
    sources: up && info.isModel ? graph.sources(info.name, name) : [],
    downstream: impact.filter((i) => i.hops <= downDepth).map(({ model, column: c }) => ({ model, column: c })),
    impact,
    ...(lineage?.unknown ? { unknown: lineage.unknown } : {}),
  };
}

const NOT_SELECT = 'Only SELECT statements can be serialized';
const PIVOT_STATEMENT = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(PIVOT|UNPIVOT|PIVOT_WIDER|PIVOT_LONGER)\b/i;
const WRAP = 'SELECT * FROM (\n';

/** Shifts every `query_location` back by `by` characters (a parse of wrapped text). */
function shiftLocations(node: unknown, by: number): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((n) => shiftLocations(n, by));
  const record = node as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (key === 'query_location' && typeof value === 'number') record[key] = Math.max(0, value - by);
    else shiftLocations(value, by);
  }
}

/**
 * Parses every model's SQL in one DuckDB call, ready for `LineageGraph.setModels`. DuckDB's
 * `json_serialize_sql` takes only SELECT statements: a PIVOT/UNPIVOT statement is parsed as
 * `SELECT * FROM (PIVOT ...)` (the same rows), and what it still refuses (a PIVOT without
 * IN values, which DuckDB rewrites into several statements) gets an error saying so.
 */
export async function parseModels(parser: SqlParser, models: readonly Omit<ModelInput, 'parsed'>[]): Promise<ModelInput[]> {
  const parsed = await parser.parseMany(models.map((m) => m.sql));
  const retry = models.flatMap((m, i) => {
    const result = parsed[i];
    return result && !result.ok && result.message.includes(NOT_SELECT) && PIVOT_STATEMENT.test(m.sql) ? [i] : [];
  });
  if (retry.length > 0) {
    const wrapped = await parser.parseMany(retry.map((i) => `${WRAP}${(models[i] as { sql: string }).sql.replace(/;\s*$/, '')}\n)`));
    retry.forEach((index, k) => {
      const result = wrapped[k];
      if (result?.ok) {
        shiftLocations(result.statements, WRAP.length);
        parsed[index] = result;
      }
    });
  }
  return models.map((m, i) => {
    let result: ParseResult = parsed[i] ?? { ok: false, message: 'not parsed' };
    if (!result.ok && result.message.includes(NOT_SELECT)) {
      result = {
        ...result,
        message:
          "DuckDB's parser (json_serialize_sql) gives a tree only for SELECT statements, and DuckDB turns this query into something else " +
          '(a PIVOT without IN (...) values becomes several statements): list the IN values for its lineage to be known.',
      };
    }
    return { ...m, parsed: result };
  });
}

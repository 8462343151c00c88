/**
 * The JSON shape of column lineage for the CLI and the UI: one record per model column
 * with its direct upstream columns (with kind and expression), its transitive source
 * columns and the columns that use it; plus the batched parse that feeds a graph.
 */
import type { SqlParser } from '../sql/parse';
import type { ColumnRef, LineageGraph, ModelInput } from './graph';
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

/** Parses every model's SQL in one DuckDB call, ready for `LineageGraph.setModels`. */
export async function parseModels(parser: SqlParser, models: readonly Omit<ModelInput, 'parsed'>[]): Promise<ModelInput[]> {
  const parsed = await parser.parseMany(models.map((m) => m.sql));
  return models.map((m, i) => ({ ...m, parsed: parsed[i] ?? { ok: false, message: 'not parsed' } }));
}

/**
 * Lineage of a loaded project: every SQL model's rendered query in the lineage graph, the
 * column lists of sources (external models, TypeScript models' declared columns, and tables
 * the warehouse knows), and the way back from a rendered expression to its place in the model
 * file. `refresh` takes a reloaded project and recomputes only the models whose SQL changed
 * (and what depends on them).
 */
import type { ProjectGraph } from '../plan/graph';
import type { ModelDefinition } from '../project/model';
import type { SqlParser } from '../sql/parse';
import { LineageGraph, type ModelInput, type UpdateSummary } from './graph';
import { parseModels } from './records';

export interface FilePosition {
  file: string;
  line: number;
  column: number;
}

/** Columns of a relation that is not a model (a lake or warehouse table), when it exists. */
export type SourceColumns = (name: string) => Promise<readonly string[] | undefined>;

function sourceModelColumns(model: ModelDefinition): readonly string[] | undefined {
  if (model.source === 'sql') return undefined;
  return model.columns?.map((c) => c.name);
}

/** Columns the engine adds to a model's query: an SCD type 2 model's validity columns. */
function engineColumnsOf(model: ModelDefinition): { column: string; expression: string }[] {
  const kind = model.kind;
  if (kind.name !== 'SCD_TYPE_2_BY_TIME' && kind.name !== 'SCD_TYPE_2_BY_COLUMN') return [];
  return [kind.validFromName, kind.validToName].map((column) => ({ column, expression: `${column} (kept by the SCD type 2 history)` }));
}

/** What a model's lineage is computed from: its rendered SQL and the engine-added columns. */
function inputKey(query: string, model: ModelDefinition): string {
  return [query, ...engineColumnsOf(model).map((c) => c.column)].join('\u0000');
}

export class ProjectLineage {
  readonly graph: LineageGraph;
  private models = new Map<string, ModelDefinition>();
  private sql = new Map<string, string>();
  /** `inputKey` of each model as last computed. */
  private keys = new Map<string, string>();

  private constructor(graph: LineageGraph) {
    this.graph = graph;
  }

  static async build(projectGraph: ProjectGraph, parser: SqlParser, sourceColumns?: SourceColumns): Promise<ProjectLineage> {
    const sources: Record<string, readonly string[]> = {};
    for (const node of projectGraph.nodes.values()) {
      const columns = sourceModelColumns(node.model);
      if (columns) sources[node.name] = columns;
    }
    const wanted = new Set([...projectGraph.nodes.values()].flatMap((n) => n.sources).filter((s) => !sources[s]));
    for (const name of wanted) {
      const columns = await sourceColumns?.(name);
      if (columns && columns.length > 0) sources[name] = columns;
    }
    const lineage = new ProjectLineage(new LineageGraph(sources));
    const inputs = await lineage.inputs(projectGraph, parser, [...projectGraph.nodes.keys()]);
    lineage.graph.setModels(inputs);
    return lineage;
  }

  private async inputs(projectGraph: ProjectGraph, parser: SqlParser, names: string[]): Promise<ModelInput[]> {
    const models: Omit<ModelInput, 'parsed'>[] = [];
    for (const name of names) {
      const node = projectGraph.nodes.get(name);
      if (!node) continue;
      this.models.set(name, node.model);
      if (node.query === undefined) continue;
      this.sql.set(name, node.query);
      this.keys.set(name, inputKey(node.query, node.model));
      const engineColumns = engineColumnsOf(node.model);
      models.push({ name, sql: node.query, ...(engineColumns.length > 0 ? { engineColumns } : {}) });
    }
    return parseModels(parser, models);
  }

  /** Recomputes the models whose rendered SQL (or engine-added columns) differ from last time, and their dependents. */
  async refresh(projectGraph: ProjectGraph, parser: SqlParser): Promise<UpdateSummary> {
    const changed = [...projectGraph.nodes.values()].filter((n) => n.query !== undefined && this.keys.get(n.name) !== inputKey(n.query, n.model)).map((n) => n.name);
    const removed = [...this.sql.keys()].filter((name) => !projectGraph.nodes.has(name));
    const summary: UpdateSummary = { recomputed: [], invalidated: [] };
    for (const name of removed) {
      this.sql.delete(name);
      this.keys.delete(name);
      this.models.delete(name);
      merge(summary, this.graph.removeModel(name));
    }
    for (const input of await this.inputs(projectGraph, parser, changed)) merge(summary, this.graph.updateModel(input));
    for (const node of projectGraph.nodes.values()) this.models.set(node.name, node.model);
    return summary;
  }

  model(name: string): ModelDefinition | undefined {
    return this.models.get(name.toLowerCase());
  }

  /**
   * Where an expression of a model's rendered SQL stands in its file. Without macros the
   * rendered query is the file's text; with them, the expression is found by its text.
   */
  filePosition(modelName: string, offset: number | undefined, expression: string | undefined): FilePosition | undefined {
    const model = this.models.get(modelName.toLowerCase());
    if (!model || model.source !== 'sql' || !model.query) return model ? { file: model.file, line: 1, column: 1 } : undefined;
    const section = model.query;
    const rendered = this.sql.get(modelName.toLowerCase()) ?? '';
    let local = -1;
    if (offset !== undefined && rendered === section.sql.trim()) local = offset + (section.sql.length - section.sql.trimStart().length);
    else if (expression) local = section.sql.indexOf(expression);
    if (local < 0) return { file: model.file, line: section.range.start.line, column: section.range.start.column };
    const before = section.sql.slice(0, local);
    const lines = before.split('\n');
    const line = section.range.start.line + lines.length - 1;
    const column = lines.length === 1 ? section.range.start.column + local : (lines[lines.length - 1]?.length ?? 0) + 1;
    return { file: model.file, line, column };
  }
}

function merge(into: UpdateSummary, from: UpdateSummary): void {
  for (const name of from.recomputed) if (!into.recomputed.includes(name)) into.recomputed.push(name);
  for (const name of from.invalidated) if (!into.invalidated.includes(name)) into.invalidated.push(name);
}

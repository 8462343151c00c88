/**
 * Lineage of a loaded project: every SQL model's rendered query and every TypeScript model
 * (its declared columns, read from the models it depends on) in the lineage graph; the
 * column lists of the roots (external models, seeds from their declared columns or CSV
 * header, and tables the warehouse knows that are not models); expressions shown as written
 * (macros, not their values), and the way back from an expression to its place in the model
 * file. `refresh` takes a reloaded project and recomputes only the models whose input changed
 * (and what depends on them).
 */
import type { ProjectGraph } from '../plan/graph';
import type { ModelDefinition } from '../project/model';
import { timeVariables } from '../project/render/time-vars';
import type { SqlParser } from '../sql/parse';
import { asWrittenMapper, renderedVariables, type RenderedVariable } from './as-written';
import { LineageGraph, type ModelInput, type UpdateSummary } from './graph';
import { parseModels } from './records';
import { csvHeader } from './seed-columns';

export interface FilePosition {
  file: string;
  line: number;
  column: number;
}

/** Columns of a relation that is not a model (a lake or warehouse table), when it exists. */
export type SourceColumns = (name: string) => Promise<readonly string[] | undefined>;

export interface ProjectLineageOptions {
  /** User variables (config `variables`), to show `@var` as written. */
  variables?: Record<string, unknown>;
}

/** The times the project graph renders at (see plan/graph.ts): what time macros became. */
const RENDER_TIMES = { start: 0, end: 0, executionTime: 0 } as const;

/** A root's own columns: an external model's declared ones, a seed's declared ones or its CSV header. */
async function rootColumns(model: ModelDefinition): Promise<readonly string[] | undefined> {
  if (model.source === 'external') return model.columns?.map((c) => c.name);
  if (model.source === 'sql' && model.kind.name === 'SEED') {
    if (model.columns?.length) return model.columns.map((c) => c.name);
    return csvHeader(model.kind.resolvedPath, model.kind.csvSettings);
  }
  return undefined;
}

/** Columns the engine adds to a model's query: an SCD type 2 model's validity columns. */
function engineColumnsOf(model: ModelDefinition): { column: string; expression: string }[] {
  const kind = model.kind;
  if (kind.name !== 'SCD_TYPE_2_BY_TIME' && kind.name !== 'SCD_TYPE_2_BY_COLUMN') return [];
  return [kind.validFromName, kind.validToName].map((column) => ({ column, expression: `${column} (kept by the SCD type 2 history)` }));
}

/** What a model's lineage is computed from: its rendered SQL and the engine-added columns, or a code model's declaration. */
function inputKey(query: string | undefined, model: ModelDefinition): string | undefined {
  if (model.source === 'typescript') return JSON.stringify([model.columns?.map((c) => c.name), model.dependsOn]);
  if (query === undefined) return undefined;
  return [query, ...engineColumnsOf(model).map((c) => c.column), ...(model.columns ?? []).map((c) => c.name)].join('\u0000');
}

export class ProjectLineage {
  readonly graph: LineageGraph;
  private models = new Map<string, ModelDefinition>();
  private sql = new Map<string, string>();
  /** `inputKey` of each model as last computed. */
  private keys = new Map<string, string>();
  /** Columns of each root model (seed, external) as last set. */
  private roots = new Map<string, string>();
  private readonly variables: RenderedVariable[];

  private constructor(graph: LineageGraph, options: ProjectLineageOptions) {
    this.graph = graph;
    this.variables = renderedVariables(timeVariables(RENDER_TIMES), options.variables);
  }

  static async build(projectGraph: ProjectGraph, parser: SqlParser, sourceColumns?: SourceColumns, options: ProjectLineageOptions = {}): Promise<ProjectLineage> {
    const sources: Record<string, readonly string[]> = {};
    const rootKeys = new Map<string, string>();
    for (const node of projectGraph.nodes.values()) {
      const columns = await rootColumns(node.model);
      if (columns) {
        sources[node.name] = columns;
        rootKeys.set(node.name, JSON.stringify(columns));
      }
    }
    // Tables that are not models (raw ingested data): their columns as the warehouse has them.
    const wanted = new Set([...projectGraph.nodes.values()].flatMap((n) => n.sources).filter((s) => !sources[s] && !projectGraph.nodes.has(s.toLowerCase())));
    for (const name of wanted) {
      const columns = await sourceColumns?.(name);
      if (columns && columns.length > 0) sources[name] = columns;
    }
    const lineage = new ProjectLineage(new LineageGraph(sources), options);
    lineage.roots = rootKeys;
    const inputs = await lineage.inputs(projectGraph, parser, [...projectGraph.nodes.keys()]);
    lineage.graph.setModels(inputs);
    return lineage;
  }

  private async inputs(projectGraph: ProjectGraph, parser: SqlParser, names: string[]): Promise<ModelInput[]> {
    const models: Omit<ModelInput, 'parsed'>[] = [];
    const parsedAlready: ModelInput[] = [];
    const code: ModelInput[] = [];
    for (const name of names) {
      const node = projectGraph.nodes.get(name);
      if (!node) continue;
      this.models.set(name, node.model);
      const key = inputKey(node.query, node.model);
      if (key === undefined) continue;
      this.keys.set(name, key);
      if (node.model.source === 'typescript') {
        const columns = node.model.columns?.map((c) => c.name) ?? [];
        code.push({ name, sql: '', parsed: { ok: true, statements: [] }, code: { columns, dependsOn: node.model.dependsOn } });
        continue;
      }
      const query = node.query as string;
      this.sql.set(name, query);
      const engineColumns = engineColumnsOf(node.model);
      const declared = node.model.columns?.map((c) => c.name);
      const section = node.model.source === 'sql' ? node.model.query?.sql : undefined;
      const asWritten = section !== undefined && section.trim() !== query.trim() ? asWrittenMapper(section, this.variables) : undefined;
      const input = {
        name,
        sql: query,
        ...(engineColumns.length > 0 ? { engineColumns } : {}),
        ...(declared?.length ? { declaredColumns: declared } : {}),
        ...(asWritten ? { asWritten } : {}),
      };
      // The graph parsed this very query (or read its trees from the model cache): no second
      // DuckDB parse. Those it could not parse go through parseModels (its PIVOT retry, its messages).
      const statements = node.statements;
      if (statements) parsedAlready.push({ ...input, parsed: { ok: true, statements } });
      else models.push(input);
    }
    return [...parsedAlready, ...(await parseModels(parser, models)), ...code];
  }

  /** Recomputes the models whose input differs from last time, and their dependents; roots whose columns changed too. */
  async refresh(projectGraph: ProjectGraph, parser: SqlParser): Promise<UpdateSummary> {
    const summary: UpdateSummary = { recomputed: [], invalidated: [] };
    for (const name of [...this.roots.keys()].filter((n) => !projectGraph.nodes.has(n))) {
      this.roots.delete(name);
      merge(summary, this.graph.setSource(name, undefined));
    }
    for (const node of projectGraph.nodes.values()) {
      const columns = await rootColumns(node.model);
      const key = columns ? JSON.stringify(columns) : undefined;
      if (key === this.roots.get(node.name)) continue;
      if (key === undefined) this.roots.delete(node.name);
      else this.roots.set(node.name, key);
      merge(summary, this.graph.setSource(node.name, columns));
    }
    const changed = [...projectGraph.nodes.values()].filter((n) => {
      const key = inputKey(n.query, n.model);
      return key !== undefined && this.keys.get(n.name) !== key;
    }).map((n) => n.name);
    const removed = [...this.keys.keys()].filter((name) => !projectGraph.nodes.has(name));
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

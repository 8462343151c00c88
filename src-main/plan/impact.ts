/**
 * Column-level impact of a directly modified model: which of its columns change (added,
 * removed, or computed by a different expression than in the environment's version; every
 * column when the change is breaking, since its rows may change), and which downstream columns
 * use them, following column lineage edges down the project.
 */
import type { ColumnChange, ImpactView } from '../../src-shared/environments-contract';
import { LineageGraph } from '../lineage/graph';
import type { ProjectLineage } from '../lineage/project-lineage';
import type { ChangeCategory } from '../state/records';
import type { SqlParser } from '../sql/parse';

function normalized(expression: string | undefined): string {
  return (expression ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Column name -> normalized expression of a query, resolved against the project's models. */
async function expressionsOf(lineage: ProjectLineage, parser: SqlParser, model: string, sql: string): Promise<Map<string, string> | undefined> {
  const sources: Record<string, readonly string[]> = {};
  for (const name of lineage.graph.modelNames()) {
    const columns = lineage.graph.model(name)?.columns;
    if (columns && name.toLowerCase() !== model.toLowerCase()) sources[name] = columns;
  }
  const graph = new LineageGraph(sources);
  const [parsed] = await parser.parseMany([sql]);
  if (!parsed?.ok) return undefined;
  graph.setModels([{ name: model, sql, parsed }]);
  const state = graph.model(model);
  if (!state || state.error) return undefined;
  return new Map(state.lineage.columns.map((c) => [c.column.toLowerCase(), normalized(c.expression)]));
}

export async function columnImpact(
  lineage: ProjectLineage,
  parser: SqlParser,
  options: { environment: string; model: string; previousQuery: string | undefined; category: ChangeCategory | null },
): Promise<ImpactView> {
  const base = { model: options.model, environment: options.environment, category: options.category };
  const current = lineage.graph.model(options.model);
  if (!current || current.error) {
    return { ...base, columns: [], models: [], note: `${options.model} has no column lineage (${current?.error?.message ?? 'not a SQL model'}).` };
  }
  const before = options.previousQuery ? await expressionsOf(lineage, parser, current.name, options.previousQuery) : undefined;
  const columns: ImpactView['columns'] = [];
  const nowColumns = new Set<string>();
  for (const column of current.lineage.columns) {
    const key = column.column.toLowerCase();
    nowColumns.add(key);
    let change: ColumnChange | undefined;
    if (before && !before.has(key)) change = 'added';
    else if (before && before.get(key) !== normalized(column.expression)) change = 'modified';
    else if (!before || options.category === 'breaking') change = 'rows';
    if (change) columns.push({ column: column.column, change, downstream: lineage.graph.downstreamAll(current.name, column.column) });
  }
  for (const key of before?.keys() ?? []) {
    if (!nowColumns.has(key)) columns.push({ column: key, change: 'removed', downstream: lineage.graph.downstreamAll(current.name, key) });
  }
  const perModel = new Map<string, Set<string>>();
  for (const c of columns) {
    for (const d of c.downstream) {
      let set = perModel.get(d.model);
      if (!set) perModel.set(d.model, (set = new Set()));
      set.add(d.column.toLowerCase());
    }
  }
  return {
    ...base,
    columns,
    models: [...perModel].map(([model, set]) => ({ model, columns: set.size })).sort((a, b) => a.model.localeCompare(b.model)),
    ...(before ? {} : { note: `The version in ${options.environment} could not be read column by column; every column is shown.` }),
  };
}

/**
 * `pas lineage MODEL [COLUMN] [--upstream|--downstream] [--depth N] [--json]`: where a
 * column's values come from and what uses it. `--depth N` follows upstream and downstream
 * columns N hops (default 1: the direct ones; `--downstream` alone: every hop); sources are
 * always the final ones, and `impact` every downstream column with its hop count. MODEL may
 * be a root (an external model, a lake table) for a downstream report.
 */
import { ProjectLineage } from '../../lineage/project-lineage';
import { columnReport } from '../../lineage/records';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { withWorkspace } from '../workspace';

export async function lineageCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('lineage', argv, {
    project: { type: 'string', short: 'p' },
    upstream: { type: 'boolean' },
    downstream: { type: 'boolean' },
    depth: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [modelName, columnName] = positionals;
  if (!modelName || positionals.length > 2) throw new CliError('usage: pas lineage MODEL [COLUMN] [--upstream|--downstream] [--depth N] [--json]');
  if (values.upstream && values.downstream) throw new CliError('choose one of --upstream and --downstream (or neither for both)');
  const depth = values.depth === undefined ? 1 : Number(values.depth);
  if (!Number.isInteger(depth) || depth < 1) throw new CliError(`--depth must be a whole number of at least 1, got "${values.depth}"`);
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const projectGraph = await ws.graph();
    const lineage = await ProjectLineage.build(projectGraph, ws.parser, async (name) => {
      const [schema, table] = name.includes('.') ? (name.split('.').slice(-2) as [string, string]) : ['main', name];
      return (await ws.warehouse.columns({ schema, table })).map((c) => c.name);
    }, { variables: ws.project.variables });
    const graph = lineage.graph;
    const relation = graph.relation(modelName);
    if (!relation) throw new CliError(`No model or source table named ${modelName} (models: ${graph.modelNames().slice(0, 8).join(', ')}${graph.modelNames().length > 8 ? ', …' : ''}).`, 1);
    const columns = columnName ? [columnName] : relation.columns;
    const options = {
      ...(values.upstream ? { direction: 'upstream' as const } : values.downstream ? { direction: 'downstream' as const } : {}),
      ...(values.depth !== undefined ? { depth } : {}),
    };
    const records = columns.map((column) => {
      const record = columnReport(graph, relation.name, column, options);
      if (!record) throw new CliError(`${relation.name} has no column ${column} (columns: ${relation.columns.join(', ')}).`, 1);
      return record;
    });
    if (values.json) {
      await write(io.stdout, `${JSON.stringify(columnName ? records[0] : records)}\n`);
      return 0;
    }
    const lines: string[] = [];
    for (const r of records) {
      lines.push(`${r.model}.${r.column}${r.unknown ? `  (lineage partly unknown: ${r.unknown.reason})` : ''}`);
      for (const u of r.upstream) lines.push(`  <- ${u.model}.${u.column} [${u.kind}]${u.expression ? `  ${u.expression}` : ''}`);
      if (r.sources.length) lines.push(`  sources: ${r.sources.map((s) => `${s.model}.${s.column}`).join(', ')}`);
      for (const d of r.downstream) lines.push(`  -> ${d.model}.${d.column}`);
      if (r.impact.length > r.downstream.length) lines.push(`  impact: ${r.impact.length} columns downstream (${Math.max(...r.impact.map((i) => i.hops))} hops; --downstream for all)`);
    }
    await write(io.stdout, `${lines.join('\n')}\n`);
    return 0;
  });
}

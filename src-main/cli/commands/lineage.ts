/**
 * `pas lineage MODEL [COLUMN] [--upstream|--downstream] [--depth N] [--json]`: where a
 * column's values come from and what uses it. `--depth N` follows upstream and downstream
 * columns N hops (default 1: the direct ones); sources are always the final ones.
 */
import type { LineageGraph } from '../../lineage/graph';
import { ProjectLineage } from '../../lineage/project-lineage';
import { lineageRecord, type LineageRecord } from '../../lineage/records';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { withWorkspace } from '../workspace';

type Upstream = LineageRecord['upstream'][number];

function upstreamTo(graph: LineageGraph, model: string, column: string, depth: number): Upstream[] {
  const seen = new Set<string>();
  const out: Upstream[] = [];
  let frontier = [{ model, column }];
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    const next: { model: string; column: string }[] = [];
    for (const ref of frontier) {
      for (const dep of lineageRecord(graph, ref.model, ref.column)?.upstream ?? []) {
        const key = `${dep.model}\u0000${dep.column}\u0000${dep.kind}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(dep);
        next.push({ model: dep.model, column: dep.column });
      }
    }
    frontier = next;
  }
  return out;
}

function downstreamTo(graph: LineageGraph, model: string, column: string, depth: number) {
  const seen = new Set<string>();
  const out: { model: string; column: string }[] = [];
  let frontier = [{ model, column }];
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    const next: { model: string; column: string }[] = [];
    for (const ref of frontier) {
      for (const user of graph.downstream(ref.model, ref.column)) {
        const key = `${user.model}\u0000${user.column}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(user);
        next.push(user);
      }
    }
    frontier = next;
  }
  return out;
}

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
    });
    const graph = lineage.graph;
    const state = graph.model(modelName);
    if (!state) throw new CliError(`No SQL model named ${modelName} (models: ${graph.modelNames().slice(0, 8).join(', ')}${graph.modelNames().length > 8 ? ', …' : ''}).`, 1);
    const columns = columnName ? [columnName] : state.lineage.columns.map((c) => c.column);
    const records = columns.map((column) => {
      const record = lineageRecord(graph, state.name, column);
      if (!record) throw new CliError(`${state.name} has no column ${column} (columns: ${state.lineage.columns.map((c) => c.column).join(', ')}).`, 1);
      const upstream = values.downstream ? [] : upstreamTo(graph, state.name, record.column, depth);
      const downstream = values.upstream ? [] : downstreamTo(graph, state.name, record.column, depth);
      return {
        model: record.model,
        column: record.column,
        upstream,
        sources: values.downstream ? [] : record.sources,
        downstream,
        ...(record.unknown ? { unknown: record.unknown } : {}),
      };
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
    }
    await write(io.stdout, `${lines.join('\n')}\n`);
    return 0;
  });
}

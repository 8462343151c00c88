/** `pas info` and `pas dag [--json]`: what the project holds and how its models connect. */
import { parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { formatDiagnostic, withWorkspace } from '../workspace';

export async function infoCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs('info', argv, { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } });
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const models = Object.values(ws.project.models);
    const problems = await ws.problems();
    const environments = await ws.state.listEnvironments();
    const info = {
      project: ws.project.root,
      gateway: ws.project.gateway ?? null,
      warehouse: ws.warehouse.catalog,
      models: models.length,
      models_by_kind: Object.fromEntries([...new Set(models.map((m) => m.kind.name))].sort().map((k) => [k, models.filter((m) => m.kind.name === k).length])),
      audits: Object.keys(ws.project.audits).length,
      tests: ws.project.tests.length,
      environments: environments.map((e) => ({ name: e.name, models: e.snapshots.length, expires: e.expirationTs ? new Date(e.expirationTs).toISOString() : null })),
      errors: problems.filter((d) => d.severity === 'error').map(formatDiagnostic),
      warnings: problems.filter((d) => d.severity === 'warning').map(formatDiagnostic),
    };
    if (values.json) await write(io.stdout, `${JSON.stringify(info)}\n`);
    else {
      await write(
        io.stdout,
        [
          `Project: ${info.project}`,
          `Gateway: ${info.gateway ?? '(none)'}  Warehouse catalog: ${info.warehouse}`,
          `Models: ${info.models} (${Object.entries(info.models_by_kind).map(([k, n]) => `${n} ${k}`).join(', ')})`,
          `Audits: ${info.audits}  Tests: ${info.tests}`,
          `Environments: ${environments.length ? info.environments.map((e) => `${e.name} (${e.models} models)`).join(', ') : '(none yet: run `pas plan`)'}`,
          ...(info.errors.length ? ['Errors:', ...info.errors.map((e) => `  ${e}`)] : []),
          '',
        ].join('\n'),
      );
    }
    return info.errors.length > 0 ? 1 : 0;
  });
}

export async function dagCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs('dag', argv, { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } });
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const graph = await ws.graph();
    const nodes = graph.order.map((name) => {
      const node = graph.nodes.get(name);
      return { name, kind: node?.model.kind.name ?? null, file: node?.model.file ?? null, parents: node?.parents ?? [], sources: node?.sources ?? [] };
    });
    if (values.json) await write(io.stdout, `${JSON.stringify({ nodes, edges: nodes.flatMap((n) => n.parents.map((p) => ({ from: p, to: n.name }))) })}\n`);
    else await write(io.stdout, `${nodes.map((n) => `${n.name} [${n.kind}]${n.parents.length ? ` <- ${n.parents.join(', ')}` : ''}`).join('\n')}\n`);
    for (const d of graph.diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
    return graph.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  });
}

/** `pas info` and `pas dag [--json]`: what the project holds and how its models connect. */
import { parseCommandArgs, type CommandIo } from '../args';
import { withClient } from '../connect';
import { formatDiagnostic, printDiagnostics } from '../common';
import { write } from '../output';

export const infoOptions = { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } } as const;

export async function infoCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs('info', argv, infoOptions);
  return withClient({ project: values.project }, async (client) => {
    const view = await client.invoke('project.info', {});
    printDiagnostics(io.stderr, view.diagnostics.filter((d) => d.severity === 'warning'));
    const kinds = [...new Set(view.models.map((m) => m.kind))].sort();
    const info = {
      project: view.root,
      gateway: view.gateway,
      warehouse: view.warehouse,
      models: view.models.length,
      models_by_kind: Object.fromEntries(kinds.map((k) => [k, view.models.filter((m) => m.kind === k).length])),
      audits: view.audits ?? 0,
      tests: view.tests,
      environments: view.environments.map((e) => ({ name: e.name, models: e.models, expires: e.expiresAt })),
      errors: view.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
      warnings: view.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
    };
    if (values.json) await write(io.stdout, `${JSON.stringify(info)}\n`);
    else {
      await write(
        io.stdout,
        [
          `Project: ${info.project}`,
          `Gateway: ${info.gateway ?? '(none)'}  Warehouse catalog: ${info.warehouse}`,
          `Models: ${info.models}${info.models ? ` (${Object.entries(info.models_by_kind).map(([k, n]) => `${n} ${k}`).join(', ')})` : ''}`,
          `Audits: ${info.audits}  Tests: ${info.tests}`,
          `Environments: ${info.environments.length ? info.environments.map((e) => `${e.name} (${e.models} models)`).join(', ') : '(none yet: run `pas plan`)'}`,
          ...(info.errors.length ? ['Errors:', ...info.errors.map((e) => `  ${e}`)] : []),
          '',
        ].join('\n'),
      );
    }
    return info.errors.length > 0 ? 1 : 0;
  });
}

export async function dagCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs('dag', argv, infoOptions);
  return withClient({ project: values.project }, async (client) => {
    const { nodes, diagnostics } = await client.invoke('project.dag', {});
    if (values.json) await write(io.stdout, `${JSON.stringify({ nodes, edges: nodes.flatMap((n) => n.parents.map((p) => ({ from: p, to: n.name }))) })}\n`);
    else await write(io.stdout, `${nodes.map((n) => `${n.name} [${n.kind}]${n.parents.length ? ` <- ${n.parents.join(', ')}` : ''}`).join('\n')}\n`);
    printDiagnostics(io.stderr, diagnostics);
    return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  });
}

/**
 * `pas table-diff ENV1:ENV2 MODEL [--json]`: how a model's table differs between two
 * environments: columns added, removed or retyped, and rows matched on the model's grain
 * (or on whole rows when it declares none). The diff itself is `plan/table-diff.ts`.
 */
import { diffTables, environmentRelation, NotFoundError } from '../../plan/table-diff';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { withWorkspace } from '../workspace';

export async function tableDiffCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('table-diff', argv, { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } });
  const [envs, modelName] = positionals;
  const [source, target] = (envs ?? '').split(':');
  if (!source || !target || !modelName) throw new CliError('usage: pas table-diff ENV1:ENV2 MODEL [--json]');
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const model = ws.project.models[modelName.toLowerCase()];
    if (!model) throw new CliError(`No model named ${modelName}.`, 1);
    const relation = (env: string) =>
      environmentRelation(ws, model.name, env).catch((error: unknown) => {
        throw error instanceof NotFoundError ? new CliError(error.message, 1) : error;
      });
    const diff = await diffTables(ws.warehouse, { model: model.name, grain: model.grains, source: await relation(source), target: await relation(target), signal: io.signal });
    const { schema, rows } = diff;
    const result = {
      model: model.name,
      source,
      target,
      grain: diff.grain,
      schema,
      rows: { source_rows: diff.source.rows, target_rows: diff.target.rows, only_in_source: rows.onlyInSource, only_in_target: rows.onlyInTarget, changed_rows: rows.changed, changed_values: rows.changedValues },
      sample: diff.sample,
    };
    if (values.json) await write(io.stdout, `${JSON.stringify(result)}\n`);
    else {
      const lines = [
        `Table diff of ${model.name}: ${source} vs ${target}${diff.grain ? ` (grain: ${diff.grain.join(', ')})` : ' (whole rows)'}`,
        `Schema: ${schema.added.length} added, ${schema.removed.length} removed, ${schema.modified.length} retyped`,
        ...schema.added.map((c) => `  + ${c.column} ${c.type}`),
        ...schema.removed.map((c) => `  - ${c.column} ${c.type}`),
        ...schema.modified.map((c) => `  ~ ${c.column} ${c.from} -> ${c.to}`),
        `Rows: ${diff.source.rows} in ${source}, ${diff.target.rows} in ${target}; ${rows.onlyInSource} only in ${source}, ${rows.onlyInTarget} only in ${target}, ${rows.changed} changed`,
        ...Object.entries(rows.changedValues).filter(([, n]) => n > 0).map(([c, n]) => `  ${c}: ${n} changed values`),
      ];
      await write(io.stdout, `${lines.join('\n')}\n`);
    }
    return 0;
  });
}

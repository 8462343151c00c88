/**
 * `pas table-diff ENV1:ENV2 MODEL [--json]`: how a model's table differs between two
 * environments: columns added, removed or retyped, and rows matched on the model's grain
 * (or on whole rows when it declares none). The diff itself is the service's `env.tableDiff`
 * (`plan/table-diff.ts`), the same the app's plan dialog shows.
 */
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { withClient } from '../connect';
import { write } from '../output';

export const tableDiffOptions = { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } } as const;

export async function tableDiffCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('table-diff', argv, tableDiffOptions);
  const [envs, modelName] = positionals;
  const [source, target] = (envs ?? '').split(':');
  if (!source || !target || !modelName || positionals.length > 2) throw new CliError('usage: pas table-diff ENV1:ENV2 MODEL [--json]');
  return withClient({ project: values.project }, async (client) => {
    const diff = await client.invoke('env.tableDiff', { source, target, model: modelName }, { signal: io.signal });
    const { schema, rows } = diff;
    if (values.json) {
      const result = {
        model: diff.model,
        source,
        target,
        grain: diff.grain,
        schema,
        rows: { source_rows: diff.source.rows, target_rows: diff.target.rows, only_in_source: rows.onlyInSource, only_in_target: rows.onlyInTarget, changed_rows: rows.changed, changed_values: rows.changedValues },
        sample: diff.sample,
      };
      await write(io.stdout, `${JSON.stringify(result)}\n`);
      return 0;
    }
    const lines = [
      `Table diff of ${diff.model}: ${source} vs ${target}${diff.grain ? ` (grain: ${diff.grain.join(', ')})` : ' (whole rows)'}`,
      `Schema: ${schema.added.length} added, ${schema.removed.length} removed, ${schema.modified.length} retyped`,
      ...schema.added.map((c) => `  + ${c.column} ${c.type}`),
      ...schema.removed.map((c) => `  - ${c.column} ${c.type}`),
      ...schema.modified.map((c) => `  ~ ${c.column} ${c.from} -> ${c.to}`),
      `Rows: ${diff.source.rows} in ${source}, ${diff.target.rows} in ${target}; ${rows.onlyInSource} only in ${source}, ${rows.onlyInTarget} only in ${target}, ${rows.changed} changed`,
      ...Object.entries(rows.changedValues).filter(([, n]) => n > 0).map(([c, n]) => `  ${c}: ${n} changed values`),
    ];
    await write(io.stdout, `${lines.join('\n')}\n`);
    return 0;
  });
}

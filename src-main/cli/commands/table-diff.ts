/**
 * `pas table-diff ENV1:ENV2 MODEL [--json]`: how a model's table differs between two
 * environments: columns added, removed or retyped, and rows matched on the model's grain
 * (or on whole rows when it declares none).
 */
import { environmentView } from '../../plan/naming';
import { quoteIdentifier } from '../../plan/warehouse';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { knownEnvironment, withWorkspace } from '../workspace';

export const tableDiffOptions = { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } } as const;

export async function tableDiffCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('table-diff', argv, tableDiffOptions);
  const [envs, modelName] = positionals;
  const [source, target] = (envs ?? '').split(':');
  if (!source || !target || !modelName) throw new CliError('usage: pas table-diff ENV1:ENV2 MODEL [--json]');
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const model = ws.project.models[modelName.toLowerCase()];
    if (!model) throw new CliError(`No model named ${modelName}.`, 1);
    await knownEnvironment(ws, source);
    await knownEnvironment(ws, target);
    const resolve = async (env: string) => {
      const view = environmentView(model.name, env);
      // A dev environment only has views for the models it changed; the rest are prod's.
      return (await ws.warehouse.exists(view)) ? view : environmentView(model.name, 'prod');
    };
    const a = await resolve(source);
    const b = await resolve(target);
    const [colsA, colsB] = await Promise.all([ws.warehouse.columns(a), ws.warehouse.columns(b)]);
    if (colsA.length === 0 || colsB.length === 0) throw new CliError(`${model.name} does not exist in ${colsA.length === 0 ? source : target}.`, 1);
    const typesA = new Map(colsA.map((c) => [c.name, c.type]));
    const typesB = new Map(colsB.map((c) => [c.name, c.type]));
    const schema = {
      added: colsB.filter((c) => !typesA.has(c.name)).map((c) => ({ column: c.name, type: c.type })),
      removed: colsA.filter((c) => !typesB.has(c.name)).map((c) => ({ column: c.name, type: c.type })),
      modified: colsA.filter((c) => typesB.has(c.name) && typesB.get(c.name) !== c.type).map((c) => ({ column: c.name, from: c.type, to: typesB.get(c.name) })),
    };
    const shared = colsA.filter((c) => typesB.has(c.name)).map((c) => c.name);
    const grain = model.grains.filter((g) => shared.includes(g));
    const keys = grain.length > 0 ? grain : shared;
    const q = (c: string) => quoteIdentifier(c);
    const tA = ws.warehouse.qualify(a);
    const tB = ws.warehouse.qualify(b);
    const on = keys.map((k) => `s.${q(k)} IS NOT DISTINCT FROM t.${q(k)}`).join(' AND ');
    const others = shared.filter((c) => !keys.includes(c));
    const [counts] = await ws.warehouse.query(`SELECT
      (SELECT count(*) FROM ${tA}) AS source_rows,
      (SELECT count(*) FROM ${tB}) AS target_rows,
      (SELECT count(*) FROM ${tA} s WHERE NOT EXISTS (SELECT 1 FROM ${tB} t WHERE ${on})) AS only_in_source,
      (SELECT count(*) FROM ${tB} t WHERE NOT EXISTS (SELECT 1 FROM ${tA} s WHERE ${on})) AS only_in_target`);
    const changed: Record<string, number> = {};
    if (grain.length > 0 && others.length > 0) {
      const [row] = await ws.warehouse.query(
        `SELECT ${others.map((c) => `count(*) FILTER (WHERE s.${q(c)} IS DISTINCT FROM t.${q(c)}) AS ${q(c)}`).join(', ')} FROM ${tA} s JOIN ${tB} t ON ${on}`,
      );
      for (const c of others) changed[c] = Number(row?.[c] ?? 0);
    }
    const result = { model: model.name, source, target, grain: grain.length > 0 ? grain : null, schema, rows: { ...counts, changed_values: changed } };
    if (values.json) await write(io.stdout, `${JSON.stringify(result)}\n`);
    else {
      const lines = [
        `Table diff of ${model.name}: ${source} vs ${target}${grain.length ? ` (grain: ${grain.join(', ')})` : ' (whole rows)'}`,
        `Schema: ${schema.added.length} added, ${schema.removed.length} removed, ${schema.modified.length} retyped`,
        ...schema.added.map((c) => `  + ${c.column} ${c.type}`),
        ...schema.removed.map((c) => `  - ${c.column} ${c.type}`),
        ...schema.modified.map((c) => `  ~ ${c.column} ${c.from} -> ${c.to}`),
        `Rows: ${counts?.source_rows} in ${source}, ${counts?.target_rows} in ${target}; ${counts?.only_in_source} only in ${source}, ${counts?.only_in_target} only in ${target}`,
        ...Object.entries(changed).filter(([, n]) => n > 0).map(([c, n]) => `  ${c}: ${n} changed values`),
      ];
      await write(io.stdout, `${lines.join('\n')}\n`);
    }
    return 0;
  });
}

/**
 * `pas render MODEL [--start D] [--end D]` prints a model's rendered SQL; `pas evaluate MODEL
 * [--start D] [--end D] [--limit N]` runs it (reading upstream models from prod) and prints rows.
 */
import type { SqlModelDefinition } from '../../project/model';
import { renderModel } from '../../project/render/render-model';
import { parseTime } from '../../plan/intervals';
import { modelRuntimeError } from '../../plan/model-errors';
import type { Workspace } from '../../plan/workspace';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { formatDiagnostic, withWorkspace } from '../workspace';

const options = {
  project: { type: 'string', short: 'p' },
  start: { type: 'string', short: 's' },
  end: { type: 'string', short: 'e' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function sqlModel(ws: Workspace, name: string | undefined): SqlModelDefinition {
  if (!name) throw new CliError('usage: pas render|evaluate MODEL [--start D] [--end D]');
  const model = ws.project.models[name.toLowerCase()];
  if (!model) throw new CliError(`No model named ${name} in ${ws.project.root}.`, 1);
  if (model.source !== 'sql') throw new CliError(`${name} is a ${model.source} model: it has no SQL to render.`, 1);
  return model;
}

async function render(ws: Workspace, model: SqlModelDefinition, values: { start?: string; end?: string }) {
  await refuseModelErrors(ws, model);
  const start = values.start ? parseTime(values.start) : parseTime(String(model.start ?? ws.project.config.modelDefaults?.start ?? 'yesterday'));
  const rendered = renderModel(model, {
    start,
    ...(values.end ? { end: values.end } : {}),
    executionTime: Date.now(),
    variables: ws.project.variables,
    ...(ws.project.gateway ? { gateway: ws.project.gateway } : {}),
  });
  if (rendered.diagnostics.length > 0) throw new CliError(rendered.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'), 1);
  return rendered;
}

export async function renderCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('render', argv, options);
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const rendered = await render(ws, sqlModel(ws, positionals[0]), values as { start?: string; end?: string });
    await write(io.stdout, `${[...rendered.preStatements, rendered.query ?? '', ...rendered.postStatements].filter(Boolean).join(';\n')}\n`);
    return 0;
  });
}

export async function evaluateCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('evaluate', argv, options);
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new CliError(`--limit must be a whole number, got "${values.limit}"`);
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const rendered = await render(ws, sqlModel(ws, positionals[0]), values as { start?: string; end?: string });
    const model = sqlModel(ws, positionals[0]);
    const query = rendered.query ?? '';
    const rows = await ws.warehouse.query(`SELECT * FROM (${query}) AS __q LIMIT ${limit}`, io.signal).catch((error: unknown) => {
      throw modelRuntimeError(model, 'evaluating', error, { rendered: query, ...(rendered.queryMap ? { map: rendered.queryMap } : {}) });
    });
    if (values.json) await write(io.stdout, `${JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
    else {
      const columns = Object.keys(rows[0] ?? {});
      await write(io.stdout, `${[columns.join('\t'), ...rows.map((r) => columns.map((c) => String(r[c] ?? 'NULL')).join('\t'))].join('\n')}\n(${rows.length} rows)\n`);
    }
    return 0;
  });
}

/** A model whose file has errors is not rendered or run: its problems are printed instead. */
async function refuseModelErrors(ws: Workspace, model: SqlModelDefinition): Promise<void> {
  const errors = (await ws.problems()).filter((d) => d.severity === 'error' && d.file === model.file);
  if (errors.length > 0) throw new CliError(`${errors.map(formatDiagnostic).join('\n')}\n${model.name} has ${errors.length} error(s); fix them first.`, 1);
}

/**
 * `pas lineage MODEL [COLUMN] [--upstream|--downstream] [--depth N] [--json]`, or
 * `pas lineage --all --json` for every column of every model: where a column's values come
 * from and what uses it. `--depth N` follows upstream and downstream columns N hops (default 1:
 * the direct ones; `--downstream` alone: every hop); sources are always the final ones, and
 * `impact` every downstream column with its hop count. MODEL may be a root (an external model,
 * a lake table) for a downstream report.
 */
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { wholeNumber } from '../common';
import { withClient } from '../connect';
import { write } from '../output';

export const lineageOptions = {
  project: { type: 'string', short: 'p' },
  upstream: { type: 'boolean' },
  downstream: { type: 'boolean' },
  depth: { type: 'string' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export async function lineageCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('lineage', argv, lineageOptions);
  const [modelName, columnName] = positionals;
  if (values.all ? positionals.length > 0 : !modelName || positionals.length > 2) {
    throw new CliError('usage: pas lineage MODEL [COLUMN] [--upstream|--downstream] [--depth N] [--json], or pas lineage --all [--json]');
  }
  if (values.upstream && values.downstream) throw new CliError('choose one of --upstream and --downstream (or neither for both)');
  const depth = values.depth === undefined ? undefined : wholeNumber('--depth', values.depth, 1, 1);
  const direction = values.upstream ? 'upstream' : values.downstream ? 'downstream' : 'both';
  return withClient({ project: values.project }, async (client) => {
    const { records } = await client.invoke('lineage.query', {
      ...(values.all ? { all: true } : { model: modelName }),
      ...(columnName ? { column: columnName } : {}),
      direction,
      ...(depth !== undefined ? { depth } : {}),
    });
    if (values.json) {
      const json = records.map(({ isModel, ...rest }) => ({ ...rest, is_model: isModel }));
      await write(io.stdout, `${JSON.stringify(columnName ? json[0] : json)}\n`);
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

/**
 * `pas render MODEL [--start D] [--end D]` prints a model's rendered SQL (a TypeScript model has
 * none: said on stderr, exit 0); `pas evaluate MODEL [--start D] [--end D] [--limit N]
 * [--json|--csv]` runs it (reading upstream models from prod) and prints rows as fetchdf does.
 */
import { isPasException } from '../../../src-shared/errors';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { wholeNumber } from '../common';
import { withClient } from '../connect';
import { write, type OutputFormat } from '../output';
import { printResult } from './fetchdf';

export const renderOptions = {
  project: { type: 'string', short: 'p' },
  start: { type: 'string', short: 's' },
  end: { type: 'string', short: 'e' },
} as const;

export const evaluateOptions = {
  ...renderOptions,
  limit: { type: 'string' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
} as const;

export async function renderCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('render', argv, renderOptions);
  const model = positionals[0];
  if (!model || positionals.length > 1) throw new CliError('usage: pas render MODEL [--start D] [--end D]');
  return withClient({ project: values.project }, async (client) => {
    try {
      const { sql } = await client.invoke('project.render', { model, ...(values.start ? { start: values.start } : {}), ...(values.end ? { end: values.end } : {}) });
      await write(io.stdout, `${sql}\n`);
    } catch (error) {
      // A TypeScript or external model has no SQL: say so plainly; it is not a failure.
      if (isPasException(error) && error.error.code === 'not_found' && error.error.what === 'sql') {
        io.stderr.write(`${error.error.message} Use \`pas evaluate ${model}\` to see its rows.\n`);
        return 0;
      }
      throw error;
    }
    return 0;
  });
}

export async function evaluateCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('evaluate', argv, evaluateOptions);
  const model = positionals[0];
  if (!model || positionals.length > 1) throw new CliError('usage: pas evaluate MODEL [--start D] [--end D] [--limit N] [--json|--csv]');
  if (values.json && values.csv) throw new CliError('choose one of --json and --csv');
  const limit = wholeNumber('--limit', values.limit, 100);
  const format: OutputFormat = values.json ? 'json' : values.csv ? 'csv' : 'table';
  return withClient({ project: values.project }, async (client) => {
    const handle = await client.invoke(
      'project.evaluate',
      { model, limit, ...(values.start ? { start: values.start } : {}), ...(values.end ? { end: values.end } : {}) },
      { signal: io.signal },
    );
    await printResult(client, handle, format, io.stdout);
    return 0;
  });
}

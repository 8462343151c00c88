/**
 * `pas janitor [--ignore-ttl]` and `pas invalidate ENV`: clean up environments and tables,
 * through the service's `env.janitor` and `env.invalidate` (the environments panel's too).
 */
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { withClient } from '../connect';
import { write } from '../output';

export const janitorOptions = { project: { type: 'string', short: 'p' }, 'ignore-ttl': { type: 'boolean' }, json: { type: 'boolean' } } as const;
export const invalidateOptions = { project: { type: 'string', short: 'p' } } as const;

export async function janitorCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs('janitor', argv, janitorOptions);
  return withClient({ project: values.project }, async (client) => {
    const result = await client.invoke('env.janitor', { ignoreTtl: values['ignore-ttl'] === true }, { signal: io.signal });
    await write(
      io.stdout,
      values.json
        ? `${JSON.stringify({ dropped_environments: result.droppedEnvironments, dropped_tables: result.droppedTables })}\n`
        : `Dropped ${result.droppedEnvironments.length} environment(s)${result.droppedEnvironments.length ? `: ${result.droppedEnvironments.join(', ')}` : ''} and ${result.droppedTables.length} table(s).\n`,
    );
    return 0;
  });
}

export async function invalidateCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('invalidate', argv, invalidateOptions);
  if (positionals.length !== 1) throw new CliError('usage: pas invalidate ENV');
  return withClient({ project: values.project }, async (client) => {
    const { environment } = await client.invoke('env.invalidate', { environment: positionals[0] ?? '' });
    await write(io.stdout, `Environment \`${environment}\` is invalidated; the next \`pas janitor\` removes it.\n`);
    return 0;
  });
}

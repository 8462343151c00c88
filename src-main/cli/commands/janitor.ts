/** `pas janitor [--ignore-ttl]` and `pas invalidate ENV`: clean up environments and tables. */
import { invalidateEnvironment } from '../../plan/janitor';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { knownEnvironment, withWorkspace } from '../workspace';

export const janitorOptions = { project: { type: 'string', short: 'p' }, 'ignore-ttl': { type: 'boolean' }, json: { type: 'boolean' } } as const;
export const invalidateOptions = { project: { type: 'string', short: 'p' } } as const;

export async function janitorCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs('janitor', argv, janitorOptions);
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const result = await ws.janitor({ ignoreTtl: values['ignore-ttl'] === true });
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
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const name = await knownEnvironment(ws, positionals[0] ?? '');
    await invalidateEnvironment(ws.state, name);
    await write(io.stdout, `Environment \`${name}\` is invalidated; the next \`pas janitor\` removes it.\n`);
    return 0;
  });
}

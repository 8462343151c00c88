/**
 * `pas run [ENV] [--skip-janitor] [--json]`: evaluate the environment's models whose cron has
 * elapsed. As SQLMesh does, the janitor runs first (expired environments, tables nothing uses).
 */
import { parseTime } from '../../plan/intervals';
import { parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { withWorkspace } from '../workspace';

export async function runCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', argv, {
    project: { type: 'string', short: 'p' },
    json: { type: 'boolean' },
    'execution-time': { type: 'string' },
    'skip-janitor': { type: 'boolean' },
  });
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    // SQLMesh's default_target_environment names the environment when none is given.
    const environment = positionals[0] ?? ws.project.config.defaultTargetEnvironment;
    const janitor = values['skip-janitor'] ? undefined : await ws.janitor();
    const cleaned = janitor && janitor.droppedEnvironments.length + janitor.droppedTables.length > 0;
    if (cleaned && !values.json) {
      await write(
        io.stdout,
        `Janitor: dropped ${janitor.droppedEnvironments.length} expired environment(s)${janitor.droppedEnvironments.length ? ` (${janitor.droppedEnvironments.join(', ')})` : ''} and ${janitor.droppedTables.length} unused table(s).\n`,
      );
    }
    const result = await ws.run(environment, {
      signal: io.signal,
      ...(values['execution-time'] ? { executionTime: parseTime(values['execution-time'] as string) } : {}),
    });
    if (values.json) await write(io.stdout, `${JSON.stringify(janitor ? { ...result, janitor } : result)}\n`);
    else if (result.message) await write(io.stdout, `${result.message}\n`);
    else {
      const lines = result.evaluated.map((e) => `${e.model}: ${e.intervals.map((i) => `[${i.join(' - ')}]`).join(', ')}`);
      await write(io.stdout, `Ran ${result.evaluated.length} model(s) in \`${result.environment}\`:\n${lines.join('\n')}\n`);
    }
    return 0;
  });
}

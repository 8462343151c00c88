/**
 * `pas run [ENV] [--skip-janitor] [--json]`: evaluate the environment's models whose cron has
 * elapsed. As SQLMesh does, the janitor runs first (expired environments, tables nothing uses).
 */
import { parseCommandArgs, type CommandIo } from '../args';
import { withClient } from '../connect';
import { isoTime } from '../common';
import { write } from '../output';

export const runOptions = {
  project: { type: 'string', short: 'p' },
  json: { type: 'boolean' },
  'execution-time': { type: 'string' },
  'skip-janitor': { type: 'boolean' },
} as const;

export async function runCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', argv, runOptions);
  // Unset: the project's default_target_environment (prod unless config.yaml says otherwise).
  const environment = positionals[0];
  const executionTime = isoTime('--execution-time', values['execution-time']);
  return withClient({ project: values.project }, async (client) => {
    const result = await client.invoke(
      'plan.run',
      { ...(environment ? { environment } : {}), ...(executionTime ? { executionTime } : {}), ...(values['skip-janitor'] ? { skipJanitor: true } : {}) },
      { signal: io.signal },
    );
    const janitor = result.janitor;
    if (values.json) {
      const json = {
        environment: result.environment,
        evaluated: result.evaluated,
        ...(result.message ? { message: result.message } : {}),
        ...(janitor ? { janitor: { dropped_environments: janitor.droppedEnvironments, dropped_tables: janitor.droppedTables } } : {}),
      };
      await write(io.stdout, `${JSON.stringify(json)}\n`);
      return 0;
    }
    if (janitor && janitor.droppedEnvironments.length + janitor.droppedTables.length > 0) {
      await write(
        io.stdout,
        `Janitor: dropped ${janitor.droppedEnvironments.length} expired environment(s)${janitor.droppedEnvironments.length ? ` (${janitor.droppedEnvironments.join(', ')})` : ''} and ${janitor.droppedTables.length} unused table(s).\n`,
      );
    }
    if (result.message) await write(io.stdout, `${result.message}\n`);
    else {
      const lines = result.evaluated.map((e) => `${e.model}: ${e.intervals.map((i) => `[${i.join(' - ')}]`).join(', ')}`);
      await write(io.stdout, `Ran ${result.evaluated.length} model(s) in \`${result.environment}\`:\n${lines.join('\n')}\n`);
    }
    return 0;
  });
}

/** `pas run [ENV] [--json]`: evaluate the environment's models whose cron has elapsed. */
import { parseTime } from '../../plan/intervals';
import { parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { withWorkspace } from '../workspace';

export async function runCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', argv, {
    project: { type: 'string', short: 'p' },
    json: { type: 'boolean' },
    'execution-time': { type: 'string' },
  });
  const environment = positionals[0] ?? 'prod';
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const result = await ws.run(environment, {
      signal: io.signal,
      ...(values['execution-time'] ? { executionTime: parseTime(values['execution-time'] as string) } : {}),
    });
    if (values.json) await write(io.stdout, `${JSON.stringify(result)}\n`);
    else if (result.message) await write(io.stdout, `${result.message}\n`);
    else {
      const lines = result.evaluated.map((e) => `${e.model}: ${e.intervals.map((i) => `[${i.join(' - ')}]`).join(', ')}`);
      await write(io.stdout, `Ran ${result.evaluated.length} model(s) in \`${result.environment}\`:\n${lines.join('\n')}\n`);
    }
    return 0;
  });
}

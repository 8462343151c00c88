/** `pas test [PATTERN] [--json]`: run the project's model unit tests. */
import { formatTestReport } from '../../plan/unit-tests';
import { parseCommandArgs, type CommandIo } from '../args';
import { withClient } from '../connect';
import { write } from '../output';

export const testOptions = { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } } as const;

export async function testCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('test', argv, testOptions);
  return withClient({ project: values.project }, async (client) => {
    const report = await client.invoke('project.test', positionals[0] !== undefined ? { pattern: positionals[0] } : {}, { signal: io.signal });
    const json = { passed: report.passed, failed: report.failed, elapsed_ms: Math.round(report.elapsedMs) };
    await write(io.stdout, values.json ? `${JSON.stringify(json)}\n` : formatTestReport(report));
    return report.failed.length > 0 ? 1 : 0;
  });
}

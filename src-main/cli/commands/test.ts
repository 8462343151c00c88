/** `pas test [PATTERN]`: run the project's model unit tests. */
import { formatTestReport, runModelTests } from '../../plan/unit-tests';
import { parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { withWorkspace } from '../workspace';

export async function testCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('test', argv, { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } });
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const report = await runModelTests(ws.project, ws.parser, positionals[0]);
    await write(io.stdout, values.json ? `${JSON.stringify(report)}\n` : formatTestReport(report));
    return report.failed.length > 0 ? 1 : 0;
  });
}

/** `pas audit [MODEL] [--json]`: run models' audits against the tables prod points at. */
import { parseCommandArgs, type CommandIo } from '../args';
import { withClient } from '../connect';
import { write } from '../output';

export const auditOptions = { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } } as const;

export async function auditCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('audit', argv, auditOptions);
  return withClient({ project: values.project }, async (client) => {
    const { results } = await client.invoke('project.audit', positionals[0] ? { model: positionals[0] } : {}, { signal: io.signal });
    const failed = results.filter((r) => r.failedRows > 0);
    if (values.json) await write(io.stdout, `${JSON.stringify(results.map((r) => ({ model: r.model, audit: r.audit, blocking: r.blocking, failed_rows: r.failedRows })))}\n`);
    else {
      const lines = results.map((r) => `${r.failedRows > 0 ? 'FAIL' : 'PASS'} ${r.model}: ${r.audit}${r.failedRows > 0 ? ` (${r.failedRows} rows${r.blocking ? '' : ', non-blocking'})` : ''}`);
      await write(io.stdout, `${lines.join('\n')}\n${results.length - failed.length} passed, ${failed.length} failed\n`);
    }
    return failed.some((r) => r.blocking) ? 1 : 0;
  });
}

/** `pas audit [MODEL]`: run models' audits against the tables prod points at. */
import { runAudit } from '../../plan/audits';
import { physicalTable, PROD } from '../../plan/naming';
import { parseCommandArgs, CliError, type CommandIo } from '../args';
import { write } from '../output';
import { withWorkspace } from '../workspace';

export async function auditCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('audit', argv, { project: { type: 'string', short: 'p' }, json: { type: 'boolean' } });
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const env = await ws.state.getEnvironment(PROD);
    if (!env) throw new CliError('Nothing to audit: prod has no models yet (run `pas plan` first).', 1);
    const wanted = positionals[0]?.toLowerCase();
    if (wanted && !ws.project.models[wanted]) throw new CliError(`No model named ${positionals[0]}.`, 1);
    const results = [];
    for (const snapshot of env.snapshots) {
      const model = ws.project.models[snapshot.name];
      if (!model || (wanted && snapshot.name !== wanted)) continue;
      for (const call of model.audits) {
        const result = await runAudit(ws.warehouse, call, ws.project.audits, {
          table: ws.warehouse.qualify(physicalTable(snapshot.name, snapshot.version)),
          modelName: model.name,
          start: 0,
          end: Date.now(),
          executionTime: Date.now(),
          variables: ws.project.variables,
        });
        results.push({ model: model.name, ...result });
      }
    }
    const failed = results.filter((r) => r.failedRows > 0);
    if (values.json) await write(io.stdout, `${JSON.stringify(results.map(({ query: _q, ...r }) => r))}\n`);
    else {
      const lines = results.map((r) => `${r.failedRows > 0 ? 'FAIL' : 'PASS'} ${r.model}: ${r.audit}${r.failedRows > 0 ? ` (${r.failedRows} rows${r.blocking ? '' : ', non-blocking'})` : ''}`);
      await write(io.stdout, `${lines.join('\n')}\n${results.length - failed.length} passed, ${failed.length} failed\n`);
    }
    return failed.some((r) => r.blocking) ? 1 : 0;
  });
}

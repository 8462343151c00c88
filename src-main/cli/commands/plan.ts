/**
 * `pas plan [ENV] [--start D] [--end D] [--auto-apply] [--skip-tests] [--forward-only]
 * [--restate-model M]... [--json]`: prints the plan as SQLMesh does and asks before applying;
 * `--json` prints one JSON document on stdout and nothing else there.
 */
import { createInterface } from 'node:readline/promises';
import { formatTestReport } from '../../plan/unit-tests';
import { parseCommandArgs, CliError, type CommandIo } from '../args';
import { newRequestId } from '../client';
import { withClient } from '../connect';
import { isoTime, printDiagnostics } from '../common';
import { write } from '../output';
import { formatPlan, planJson } from '../plan-format';

async function confirm(question: string, io: CommandIo): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: io.stderr, terminal: false });
  try {
    io.stderr.write(question);
    const answer = await Promise.race([
      rl.question(''),
      new Promise<string>((resolve) => rl.once('close', () => resolve(''))),
    ]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export const planOptions = {
  project: { type: 'string', short: 'p' },
  start: { type: 'string', short: 's' },
  end: { type: 'string', short: 'e' },
  'auto-apply': { type: 'boolean' },
  'skip-tests': { type: 'boolean' },
  'forward-only': { type: 'boolean' },
  'restate-model': { type: 'string', short: 'r', multiple: true },
  'execution-time': { type: 'string' },
  unlock: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function planCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('plan', argv, planOptions);
  if (positionals.length > 1) throw new CliError('usage: pas plan [ENV] [--start D] [--end D] [--auto-apply] [--skip-tests] [--forward-only] [--restate-model M]... [--json]');
  if (values.unlock !== undefined) return unlockPlan(values.project, values.unlock, io);
  // Unset: the project's default_target_environment (prod unless config.yaml says otherwise).
  const environment = positionals[0];
  const executionTime = isoTime('--execution-time', values['execution-time']);
  const log = values.json ? io.stderr : io.stdout;
  return withClient({ project: values.project }, async (client) => {
    const info = await client.invoke('project.info', {});
    const errors = info.diagnostics.filter((d) => d.severity === 'error');
    printDiagnostics(io.stderr, info.diagnostics.filter((d) => d.severity === 'warning'));
    if (errors.length > 0) {
      printDiagnostics(io.stderr, errors);
      io.stderr.write(`${errors.length} error(s) in the project; nothing was planned.\n`);
      return 1;
    }
    if (!values['skip-tests'] && info.tests > 0) {
      const report = await client.invoke('project.test', {}, { signal: io.signal });
      await write(log, formatTestReport(report));
      if (report.failed.length > 0) return 1;
    }
    const plan = await client.invoke(
      'plan.create',
      {
        ...(environment ? { environment } : {}),
        ...(values.start !== undefined ? { start: values.start } : {}),
        ...(values.end !== undefined ? { end: values.end } : {}),
        ...(executionTime !== undefined ? { executionTime } : {}),
        forwardOnly: values['forward-only'] === true,
        restateModels: values['restate-model'] ?? [],
      },
      { signal: io.signal },
    );
    if (!values.json) await write(io.stdout, formatPlan(plan));
    let apply = values['auto-apply'] === true;
    if (!apply && !values.json && plan.changes.length + plan.backfills.length > 0) {
      apply = await confirm(plan.virtualUpdate ? 'Apply - Virtual Update [y/n]: ' : 'Apply - Backfill Tables [y/n]: ', io);
      if (!apply) await write(io.stdout, 'Not applied.\n');
    }
    const nothingToDo = plan.changes.length === 0 && plan.backfills.length === 0 && (plan.previousPlanId ?? null) !== null;
    if (apply && !nothingToDo) {
      const requestId = newRequestId();
      const off = client.subscribe('plan.progress', (e) => {
        if (e.requestId !== requestId) return;
        if (e.stage === 'backfill') log.write(`[${e.batch}/${e.batches}] ${e.model}  [insert ${e.interval.join(' - ')}]  ${(e.elapsedMs / 1000).toFixed(2)}s\n`);
        if (e.stage === 'lock') io.stderr.write(`${e.message}\n`);
        if (e.stage === 'promote') log.write(`Updated the virtual layer of \`${e.environment}\` (${e.views} views)\n`);
      });
      try {
        await client.invoke('plan.apply', { planId: plan.planId }, { signal: io.signal, requestId });
      } finally {
        off();
      }
      await write(log, plan.virtualUpdate ? 'Virtual update applied.\n' : 'Plan applied.\n');
    }
    if (values.json) await write(io.stdout, `${JSON.stringify(planJson(plan, apply && !nothingToDo))}\n`);
    return 0;
  });
}

/** `pas plan --unlock ENV`: removes the environment's plan lock whoever holds it, saying what that risks. */
async function unlockPlan(project: string | undefined, environment: string, io: CommandIo): Promise<number> {
  return withClient({ project }, async (client) => {
    const { removed } = await client.invoke('plan.unlock', { environment });
    if (!removed) {
      await write(io.stdout, `Environment "${environment}" has no plan lock.\n`);
      return 0;
    }
    const where = removed.host ? ` on ${removed.host}${removed.pid !== undefined ? `, process ${removed.pid}` : ''}` : '';
    await write(
      io.stdout,
      `Removed the plan lock of environment "${environment}" held by plan ${removed.planId} (${removed.owner}${where}) since ${removed.since}.\n` +
        'If that apply is still running, it and the next plan may now write the same tables, and the last to promote wins; plan again to bring the environment up to date.\n',
    );
    return 0;
  });
}

/**
 * `pas plan [ENV] [--start D] [--end D] [--auto-apply] [--skip-tests] [--forward-only]
 * [--restate-model M]... [--json]`: prints the plan as SQLMesh does and asks before applying;
 * `--json` prints one JSON document on stdout and nothing else there.
 */
import { createInterface } from 'node:readline/promises';
import { normalizeEnvironment } from '../../plan/naming';
import { planJson } from '../../plan/plan';
import { parseCommandArgs, CliError, type CommandIo } from '../args';
import { write } from '../output';
import { formatPlan } from '../plan-format';
import { formatDiagnostic, withWorkspace } from '../workspace';
import { runModelTests, formatTestReport } from '../../plan/unit-tests';

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

export async function planCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('plan', argv, {
    project: { type: 'string', short: 'p' },
    start: { type: 'string', short: 's' },
    end: { type: 'string', short: 'e' },
    'auto-apply': { type: 'boolean' },
    'skip-tests': { type: 'boolean' },
    'forward-only': { type: 'boolean' },
    'restate-model': { type: 'string', short: 'r', multiple: true },
    'execution-time': { type: 'string' },
    json: { type: 'boolean' },
    unlock: { type: 'string' },
  });
  if (values.unlock !== undefined) return unlockPlan(values.project as string | undefined, values.unlock as string, io);
  if (positionals.length > 1) throw new CliError('usage: pas plan [ENV] [--start D] [--end D] [--auto-apply] [--skip-tests] [--forward-only] [--restate-model M]... [--json]');
  const log = values.json ? io.stderr : io.stdout;
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    // SQLMesh's default_target_environment names the environment when none is given.
    const environment = positionals[0] ?? ws.project.config.defaultTargetEnvironment;
    const errors = (await ws.problems()).filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      io.stderr.write(`${errors.map(formatDiagnostic).join('\n')}\n${errors.length} error(s) in the project; nothing was planned.\n`);
      return 1;
    }
    if (!values['skip-tests'] && ws.project.tests.length > 0) {
      const report = await runModelTests(ws.project, ws.parser);
      await write(log, formatTestReport(report));
      if (report.failed.length > 0) return 1;
    }
    const { plan, graph } = await ws.plan({
      environment,
      ...(values.start !== undefined ? { start: values.start as string } : {}),
      ...(values.end !== undefined ? { end: values.end as string } : {}),
      ...(values['execution-time'] !== undefined ? { executionTime: Date.parse(values['execution-time'] as string) } : {}),
      forwardOnly: values['forward-only'] === true,
      restateModels: (values['restate-model'] as string[] | undefined) ?? [],
    });
    if (!values.json) await write(io.stdout, formatPlan(plan, graph));
    let apply = values['auto-apply'] === true;
    if (!apply && !values.json && plan.changes.length + plan.backfills.length > 0) {
      apply = await confirm(plan.virtualUpdate ? 'Apply - Virtual Update [y/n]: ' : 'Apply - Backfill Tables [y/n]: ', io);
      if (!apply) await write(io.stdout, 'Not applied.\n');
    }
    const nothingToDo = plan.changes.length === 0 && plan.backfills.length === 0 && plan.previousPlanId !== null;
    if (apply && !nothingToDo) {
      await ws.apply(plan, graph, {
        signal: io.signal,
        onEvent: (e) => {
          if (e.stage === 'backfill') log.write(`[${e.batch}/${e.batches}] ${e.model}  [insert ${e.interval.join(' - ')}]  ${(e.elapsedMs / 1000).toFixed(2)}s\n`);
          if (e.stage === 'lock') io.stderr.write(`${e.message}\n`);
          if (e.stage === 'promote') log.write(`Updated the virtual layer of \`${e.environment}\` (${e.views} views)\n`);
        },
      });
      await write(log, plan.virtualUpdate ? 'Virtual update applied.\n' : 'Plan applied.\n');
    }
    if (values.json) await write(io.stdout, `${JSON.stringify(planJson(plan, apply && !nothingToDo))}\n`);
    return 0;
  });
}

/** `pas plan --unlock ENV`: removes the environment's plan lock whoever holds it, saying what that risks. */
async function unlockPlan(projectDir: string | undefined, environment: string, io: CommandIo): Promise<number> {
  return withWorkspace(projectDir, io.stderr, async (ws) => {
    const lock = await ws.state.unlockPlan(normalizeEnvironment(environment));
    if (!lock) {
      await write(io.stdout, `Environment "${environment}" has no plan lock.\n`);
      return 0;
    }
    const where = lock.host ? ` on ${lock.host}${lock.pid !== undefined ? `, process ${lock.pid}` : ''}` : '';
    await write(
      io.stdout,
      `Removed the plan lock of environment "${environment}" held by plan ${lock.planId} (${lock.owner}${where}) since ${new Date(lock.acquiredTs).toISOString()}.\n` +
        'If that apply is still running, it and the next plan may now write the same tables, and the last to promote wins; plan again to bring the environment up to date.\n',
    );
    return 0;
  });
}

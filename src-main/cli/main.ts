/**
 * `pas`: the command-line door onto the service. Each command is a module under
 * `commands/`; this file dispatches, prints errors and sets the exit code.
 */
import packageJson from '../../package.json' with { type: 'json' };
import { formatPasError, isPasException } from '../../src-shared/errors';
import { CliError, type CommandIo } from './args';
import { auditCommand } from './commands/audit';
import { createExternalModelsCommand } from './commands/create-external-models';
import { fetchdfCommand } from './commands/fetchdf';
import { dagCommand, infoCommand } from './commands/info';
import { ingestCommand, pipelineCommand } from './commands/ingest';
import { invalidateCommand, janitorCommand } from './commands/janitor';
import { lakeCommand } from './commands/lake';
import { lineageCommand } from './commands/lineage';
import { planCommand } from './commands/plan';
import { evaluateCommand, renderCommand } from './commands/render';
import { runCommand } from './commands/run';
import { serveCommand } from './commands/serve';
import { tableDiffCommand } from './commands/table-diff';
import { testCommand } from './commands/test';

type Command = (argv: string[], io: CommandIo) => Promise<number>;

const commands: Record<string, { run: Command; summary: string }> = {
  ingest: { run: ingestCommand, summary: 'ingest PIPELINE [--json]           load a pipeline into the lake' },
  pipeline: { run: pipelineCommand, summary: 'pipeline info|drop PIPELINE [--json] [--drop-tables] [--yes]' },
  plan: { run: planCommand, summary: 'plan [ENV] [--start D] [--end D] [--auto-apply] [--skip-tests] [--forward-only] [--restate-model M]... [--json] | plan --unlock ENV' },
  run: { run: runCommand, summary: 'run [ENV] [--skip-janitor] [--json] janitor, then evaluate models whose cron has elapsed' },
  render: { run: renderCommand, summary: 'render MODEL [--start D] [--end D]   print the rendered SQL' },
  evaluate: { run: evaluateCommand, summary: 'evaluate MODEL [--start D] [--end D] [--limit N]   run a model, print rows' },
  test: { run: testCommand, summary: 'test [PATTERN]                    run model unit tests' },
  audit: { run: auditCommand, summary: 'audit [MODEL]                     run audits against prod' },
  info: { run: infoCommand, summary: 'info [--json]                     project summary' },
  dag: { run: dagCommand, summary: 'dag [--json]                      models and their dependencies' },
  lineage: { run: lineageCommand, summary: 'lineage MODEL [COLUMN] [--upstream|--downstream] [--depth N] [--json]' },
  'table-diff': { run: tableDiffCommand, summary: 'table-diff ENV1:ENV2 MODEL [--json]   schema and row differences' },
  'create-external-models': { run: createExternalModelsCommand, summary: 'create-external-models            write external_models.yaml' },
  lake: { run: lakeCommand, summary: 'lake snapshots|tables|expire|cleanup [--json]   the DuckLake lake (expire --older-than 7d, cleanup --dry-run)' },
  janitor: { run: janitorCommand, summary: 'janitor [--ignore-ttl]            drop expired environments and tables' },
  invalidate: { run: invalidateCommand, summary: 'invalidate ENV                    expire an environment' },
  fetchdf: { run: fetchdfCommand, summary: 'fetchdf "SQL" [--json|--csv]      run a query, print its rows' },
  serve: { run: serveCommand, summary: 'serve [--port N]                  open the app in a browser (127.0.0.1 only)' },
};

function usage(): string {
  const lines = Object.values(commands).map((c) => `  pas ${c.summary}`);
  return `Portable Analytics Studio ${packageJson.version}\n\nUsage (every command takes -p/--project DIR):\n${lines.join('\n')}\n  pas --version\n`;
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${packageJson.version}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`pas: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    if (isPasException(error)) {
      io.stderr.write(`Error: ${formatPasError(error.error)}\n`);
      return error.error.code === 'cancelled' ? 130 : 1;
    }
    // One line that says what failed; the stack only when asked for (PAS_DEBUG=1).
    const text = error instanceof Error ? (process.env.PAS_DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
    io.stderr.write(`Error: ${text.replace(/^(Error: )+/, '')}\n`);
    return 1;
  }
}

/** Process entry: wires stdio and Ctrl+C, then exits with the command's code. */
export async function runCli(): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
  process.exitCode = code;
}

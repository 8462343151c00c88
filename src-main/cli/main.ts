/**
 * `pas`: the command-line door onto the service. Each command is a module under
 * `commands/`; this file dispatches, prints errors and sets the exit code.
 */
import packageJson from '../../package.json' with { type: 'json' };
import { formatPasError, isPasException } from '../../src-shared/errors';
import { CliError, type CommandIo } from './args';
import { fetchdfCommand } from './commands/fetchdf';
import { serveCommand } from './commands/serve';

type Command = (argv: string[], io: CommandIo) => Promise<number>;

const commands: Record<string, { run: Command; summary: string }> = {
  fetchdf: { run: fetchdfCommand, summary: 'fetchdf "SQL" [--json|--csv] [--project DIR]   run a query, print its rows' },
  serve: { run: serveCommand, summary: 'serve [--port N] [--project DIR]             open the app in a browser (127.0.0.1 only)' },
};

function usage(): string {
  const lines = Object.values(commands).map((c) => `  pas ${c.summary}`);
  return `Portable Analytics Studio ${packageJson.version}\n\nUsage:\n${lines.join('\n')}\n  pas --version\n`;
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
    io.stderr.write(`Error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
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

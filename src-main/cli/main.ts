/**
 * `pas`: the command-line door onto the service. Each command is a module under `commands/`
 * (listed with its help in `command-table.ts`); this file dispatches, answers `--help` and
 * `--version`, prints errors (a stack only with PAS_DEBUG=1) and sets the exit code:
 * 0 ok, 1 failure, 2 usage, 130 cancelled.
 */
import packageJson from '../../package.json' with { type: 'json' };
import { formatPasError, isPasException } from '../../src-shared/errors';
import { CliError, type CommandIo } from './args';
import { commandHelp, commands } from './command-table';
import { mark } from '../process/timing';

function usage(): string {
  const lines = Object.values(commands).map((c) => `  pas ${c.usage}\n      ${c.summary}`);
  return `Portable Analytics Studio ${packageJson.version}\n\nUsage (every command takes -p/--project DIR and --help):\n${lines.join('\n')}\n  pas help COMMAND\n  pas --version\n`;
}

/** `--help`/`-h` among a command's arguments (before a `--`). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      io.stdout.write(usage());
      return 0;
    }
    const spec = commands[topic];
    if (!spec) {
      io.stderr.write(`pas: unknown command "${topic}"\n\n${usage()}`);
      return 2;
    }
    io.stdout.write(commandHelp(topic, spec));
    return 0;
  }
  if (name === '--version' || name === '-v' || name === '-V') {
    io.stdout.write(`${packageJson.version}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`pas: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (asksForHelp(rest)) {
    io.stdout.write(commandHelp(name, command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    if (isPasException(error)) {
      const e = error.error;
      // Problems at file positions print one per line, as `pas info` lists them.
      if (e.code === 'validation' && e.issues.length > 0 && e.issues.every((i) => /:\d+:\d+$/.test(i.path))) {
        io.stderr.write(`${e.issues.map((i) => `${i.path}: error: ${i.message}`).join('\n')}\n${e.message}.\n`);
      } else io.stderr.write(`Error: ${formatPasError(e)}\n`);
      if (process.env.PAS_DEBUG === '1' && error.stack) io.stderr.write(`${error.stack}\n`);
      return error.error.code === 'cancelled' ? 130 : 1;
    }
    if (io.signal.aborted) {
      io.stderr.write('Cancelled.\n');
      return 130;
    }
    // One line that says what failed; the stack only when asked for (PAS_DEBUG=1).
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`Error: ${message.replace(/^(Error: )+/, '')}\n`);
    if (process.env.PAS_DEBUG === '1' && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

/** Process entry: wires stdio and Ctrl+C, then exits with the command's code. */
export async function runCli(): Promise<void> {
  mark('cli module loaded');
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
  process.exitCode = code;
  mark('command done');
  process.once('exit', () => mark('exit'));
}

/** Shared argument handling for `pas` commands: parsing with clear usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Writable } from 'node:stream';

export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
  signal: AbortSignal;
}

/** A user mistake on the command line: printed without a stack, exit code 2. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: O,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`pas ${command}: ${(error as Error).message}`);
  }
}

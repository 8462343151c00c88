/**
 * The environment a project sees: the project's `.env` file layered under the real process
 * environment, and `{{ env_var('NAME'[, default]) }}` / `{{ user() }}` substitution in YAML text
 * (SQLMesh renders its YAML with Jinja before parsing, so substitution is textual, before YAML).
 * Substitution keeps an offset map so YAML positions map back to the file as written.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotEnv } from 'dotenv';
import { type Diagnostics, LineIndex } from './diagnostics';

export type ProjectEnv = Readonly<Record<string, string | undefined>>;

/** Reads `<dir>/.env` (missing file → empty). */
export async function readDotEnvFile(dir: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(join(dir, '.env'), 'utf8');
  } catch {
    return {};
  }
  return parseDotEnv(text);
}

/** `.env` values with the real environment on top (the real environment wins). */
export async function loadProjectEnv(
  dir: string,
  processEnv: ProjectEnv = process.env,
): Promise<Record<string, string>> {
  const merged: Record<string, string> = { ...(await readDotEnvFile(dir)) };
  for (const [key, value] of Object.entries(processEnv)) {
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** One replaced span: `[from, to)` in the original text became `[outFrom, outTo)` in the output. */
interface Replacement {
  from: number;
  to: number;
  outFrom: number;
  outTo: number;
}

export interface SubstitutedText {
  text: string;
  /** Maps an offset of the substituted text back to an offset of the original text. */
  originalOffset(offset: number): number;
}

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*\}\}/g;
const ARG = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^,\s]+))\s*(?:,|$)/y;

function parseArgs(text: string): string[] | undefined {
  const args: string[] = [];
  if (text.trim() === '') return args;
  ARG.lastIndex = 0;
  while (ARG.lastIndex < text.length) {
    const start = ARG.lastIndex;
    const m = ARG.exec(text);
    if (!m || ARG.lastIndex === start) return undefined;
    args.push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  return args;
}

/**
 * Replaces `{{ env_var('NAME') }}`, `{{ env_var('NAME', 'default') }}` and `{{ user() }}` in
 * `text`. A variable that is missing and has no default is an error naming file, line, column
 * and the variable; it is replaced by an empty string so the rest of the file still loads.
 */
export function substituteEnvVars(
  text: string,
  file: string,
  env: ProjectEnv,
  diagnostics: Diagnostics,
): SubstitutedText {
  const lines = new LineIndex(text);
  const replacements: Replacement[] = [];
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TEMPLATE)) {
    const from = m.index;
    const to = from + m[0].length;
    const fn = m[1] ?? '';
    const args = parseArgs(m[2] ?? '');
    const range = lines.range(from, to);
    let value: string | undefined;
    if (fn === 'env_var' && args && args.length >= 1 && args.length <= 2) {
      const name = args[0] ?? '';
      value = env[name] ?? args[1];
      if (value === undefined) {
        diagnostics.error(
          file,
          range,
          'env.missing_variable',
          `Environment variable '${name}' is not set and has no default (set it in the environment or in .env, or write env_var('${name}', 'default'))`,
        );
        // Keep the YAML valid: an empty string where the value stood unquoted.
        value = unquotedContext(text, from) ? "''" : '';
      }
    } else if (fn === 'user' && args && args.length === 0) {
      value = safeUserName();
    } else {
      diagnostics.error(
        file,
        range,
        'env.unsupported_template',
        `Unsupported template expression '${m[0]}': only env_var('NAME'[, 'default']) and user() are supported`,
      );
      continue;
    }
    out += text.slice(last, from);
    replacements.push({ from, to, outFrom: out.length, outTo: out.length + value.length });
    out += value;
    last = to;
  }
  out += text.slice(last);
  return {
    text: out,
    originalOffset(offset: number): number {
      let shift = 0;
      for (const r of replacements) {
        if (offset < r.outFrom) break;
        if (offset < r.outTo) return r.from;
        shift = r.to - r.outTo;
      }
      return offset + shift;
    },
  };
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'user';
  }
}

/** True when the template at `offset` is a bare YAML value (not inside a quoted string). */
function unquotedContext(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /(:|^\s*-)\s*$/.test(before);
}

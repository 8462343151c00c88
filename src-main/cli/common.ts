/** Small helpers the commands share: printing diagnostics, reading times and numbers from options. */
import type { Writable } from 'node:stream';
import type { DiagnosticView } from '../../src-shared/modeling';
import { parseTime } from '../plan/intervals';
import { CliError } from './args';

export function formatDiagnostic(d: DiagnosticView): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

export function printDiagnostics(out: Writable, diagnostics: DiagnosticView[]): void {
  if (diagnostics.length > 0) out.write(`${diagnostics.map(formatDiagnostic).join('\n')}\n`);
}

/** An option given as a time (`2024-01-05T12:00:00Z`, `2024-01-05`, `yesterday`) as ISO text; undefined when absent. */
export function isoTime(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let ms: number;
  try {
    ms = parseTime(value);
  } catch {
    ms = Number.NaN;
  }
  if (!Number.isFinite(ms)) throw new CliError(`${option}: "${value}" is not a time (e.g. 2024-01-05 or 2024-01-05T12:00:00Z)`);
  return new Date(ms).toISOString();
}

/** A whole-number option at least `min`; `fallback` when absent. */
export function wholeNumber(option: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${option} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${value}"`);
  return n;
}

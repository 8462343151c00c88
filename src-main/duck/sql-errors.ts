/**
 * Turns a DuckDB error into the contract's `sql` error, with the position of the fault in
 * the SQL text when DuckDB tells it: either the `LINE n:` context and caret DuckDB appends
 * to its message, or (for parse errors without context) the offset from its own parser.
 */
import type { PasError, SourcePosition } from '../../src-shared/errors';

const ERROR_PREFIX = /^([A-Za-z ]+?) Error: /;
const CONTEXT = /\n?LINE (\d+): (.*)\n( *)\^\s*$/;

export function isInterrupt(message: string): boolean {
  return message.startsWith('INTERRUPT Error') || message.includes('Interrupted!');
}

export function positionFromOffset(sql: string, offset: number): SourcePosition {
  const clamped = Math.max(0, Math.min(offset, sql.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    if (sql.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: clamped - lineStart + 1, offset: clamped };
}

/** Finds where DuckDB's caret points, by locating its context snippet in the SQL text. */
export function positionFromContext(sql: string, message: string): SourcePosition | undefined {
  const match = CONTEXT.exec(message);
  if (!match) return undefined;
  const lineNo = Number(match[1]);
  let snippet = match[2] ?? '';
  let caret = (match[3] ?? '').length - `LINE ${match[1]}: `.length;
  if (snippet.startsWith('...')) {
    snippet = snippet.slice(3);
    caret -= 3;
  }
  if (snippet.endsWith('...')) snippet = snippet.slice(0, -3);
  const lines = sql.split('\n');
  const lineStarts: number[] = [];
  let acc = 0;
  for (const l of lines) {
    lineStarts.push(acc);
    acc += l.length + 1;
  }
  const candidates = [lineNo - 1, ...lines.map((_, i) => i).filter((i) => i !== lineNo - 1)];
  for (const i of candidates) {
    const text = lines[i];
    if (text === undefined) continue;
    const at = snippet.length > 0 ? text.indexOf(snippet) : 0;
    if (at >= 0) return positionFromOffset(sql, (lineStarts[i] ?? 0) + at + Math.max(0, caret));
  }
  return undefined;
}

/** The message without DuckDB's context lines, which the editor shows as a marker instead. */
export function stripContext(message: string): string {
  return message.replace(CONTEXT, '').trimEnd();
}

export function sqlError(sql: string, raw: unknown, parserOffset?: number): PasError {
  const message = raw instanceof Error ? raw.message : String(raw);
  if (isInterrupt(message)) return { code: 'cancelled', message: 'The query was cancelled.' };
  const errorType = ERROR_PREFIX.exec(message)?.[1] ?? 'Unknown';
  const position =
    positionFromContext(sql, message) ??
    (parserOffset !== undefined ? positionFromOffset(sql, parserOffset) : undefined);
  return { code: 'sql', message: stripContext(message), errorType, ...(position ? { position } : {}) };
}

/**
 * Problems found while loading a project, and the source positions they point at.
 * Loading never stops at the first problem: every loader pushes into a `Diagnostics`
 * collector and the caller gets all of them at once, each naming file, line and column.
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Path of the file, relative to the project root, with `/` separators. */
  file: string;
  /** 1-based line of the start of the problem. */
  line: number;
  /** 1-based column (in UTF-16 code units) of the start of the problem. */
  column: number;
  endLine?: number;
  endColumn?: number;
  severity: Severity;
  message: string;
  /** Stable machine-readable kind, e.g. `config.unknown_key`, `model.dialect`. */
  code: string;
}

/** A 1-based line/column plus the 0-based character offset in the file text. */
export interface SourcePoint {
  line: number;
  column: number;
  offset: number;
}

/** A half-open range `[start, end)` inside one file's text. */
export interface SourceRange {
  start: SourcePoint;
  end: SourcePoint;
}

/** Maps character offsets of one text to 1-based line/column positions. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  point(offset: number): SourcePoint {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: clamped - (this.lineStarts[lo] ?? 0) + 1, offset: clamped };
  }

  range(start: number, end: number): SourceRange {
    return { start: this.point(start), end: this.point(Math.max(start, end)) };
  }
}

/** Collects diagnostics from every loader of a project. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  add(diagnostic: Diagnostic): void {
    this.items.push(diagnostic);
  }

  /** Records a problem located by a source range of `file`. */
  at(file: string, range: SourceRange | undefined, severity: Severity, code: string, message: string): void {
    this.items.push({
      file,
      line: range?.start.line ?? 1,
      column: range?.start.column ?? 1,
      ...(range ? { endLine: range.end.line, endColumn: range.end.column } : {}),
      severity,
      message,
      code,
    });
  }

  error(file: string, range: SourceRange | undefined, code: string, message: string): void {
    this.at(file, range, 'error', code, message);
  }

  warning(file: string, range: SourceRange | undefined, code: string, message: string): void {
    this.at(file, range, 'warning', code, message);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** `file:line:column: severity: message [code]`, the one-line form used by the CLI and tests. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]`;
}

/** Orders diagnostics by file, then position, so reports are stable. */
export function sortDiagnostics(items: readonly Diagnostic[]): Diagnostic[] {
  return [...items].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
}

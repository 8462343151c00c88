/**
 * A piece of SQL text taken from a project file (a model query, a pre/post statement, an audit
 * query), with where it came from so later stages can point back into the file.
 */
import { LineIndex, type SourcePoint, type SourceRange } from './diagnostics';

export interface SqlSection {
  /** The SQL as written (no terminating `;`). */
  sql: string;
  /** Offset of `sql` in the file text (a statement from another file has its own offset range). */
  offset: number;
  range: SourceRange;
  /** Set when the SQL comes from another file than the model's (`model_defaults` in config.yaml). */
  file?: string;
}

/**
 * Offsets of sections taken from config.yaml start here, so that they never fall inside a model
 * file's own sections (positions are computed from `range`, not from the offset).
 */
export const CONFIG_SECTION_BASE = 1_000_000_000;

export function sectionOf(text: string, start: number, end: number, lines: LineIndex): SqlSection {
  return { sql: text.slice(start, end), offset: start, range: lines.range(start, end) };
}

/** Line/column in the file of a file offset that falls inside `section`. */
export function pointInSection(section: SqlSection, offset: number): SourcePoint {
  const local = new LineIndex(section.sql).point(offset - section.offset);
  const base = section.range.start;
  return {
    line: base.line + local.line - 1,
    column: local.line === 1 ? base.column + local.column - 1 : local.column,
    offset,
  };
}

export function rangeInSection(section: SqlSection, start: number, end: number): SourceRange {
  return { start: pointInSection(section, start), end: pointInSection(section, end) };
}

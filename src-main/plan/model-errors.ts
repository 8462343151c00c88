/**
 * Errors while running a model's SQL (apply, run, evaluate, audits, unit tests), named after the
 * model, its file and the line in that file: DuckDB's position in the SQL it ran is found in the
 * rendered query and mapped back through the macro expansion, never left as a line of the
 * rendered SQL alone.
 */
import { isInterrupt, positionFromContext, stripContext } from '../duck/sql-errors';
import type { ModelDefinition } from '../project/model';
import type { RenderMap } from '../project/render/evaluator';
import { queryPosition } from '../project/render/render-model';

export class ModelRuntimeError extends Error {
  constructor(
    readonly model: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** What was being done: `evaluating`, `creating the table of`, `auditing`, `testing`. */
    readonly stage: string,
    /** DuckDB's message without its context lines. */
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${model} failed while ${stage}: ${detail}`);
    this.name = 'ModelRuntimeError';
  }
}

/** The texts of the failed SQL: the rendered query (and its map to the file), and what ran when references were rewritten. */
export interface FailedSql {
  rendered: string;
  map?: RenderMap;
  /** The query as executed after reference rewriting; its lines are the rendered query's lines. */
  executed?: string;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Offset in `rendered` of DuckDB's position, or of the name it complains about. */
function renderedOffset(raw: string, sql: FailedSql): number | undefined {
  const executed = sql.executed ?? sql.rendered;
  const at = positionFromContext(executed, raw) ?? positionFromContext(sql.rendered, raw);
  const lines = sql.rendered.split('\n');
  const lineStart = (n: number) => lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
  const quoted = /"([^"\n]+)"/.exec(stripContext(raw))?.[1];
  if (at) {
    const text = lines[at.line - 1] ?? '';
    if (quoted) {
      const i = text.toLowerCase().indexOf(quoted.toLowerCase());
      if (i >= 0) return lineStart(at.line) + i;
    }
    return lineStart(at.line) + Math.min(Math.max(0, at.column - 1), Math.max(0, text.length - 1));
  }
  if (quoted) {
    const found = new RegExp(`(^|[^A-Za-z0-9_])(${quoted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(?![A-Za-z0-9_])`, 'i').exec(sql.rendered);
    if (found) return found.index + (found[1]?.length ?? 0);
  }
  return undefined;
}

/** The error named after the model and the line of its file; interrupts and already-named errors pass through. */
export function modelRuntimeError(model: ModelDefinition, stage: string, error: unknown, sql?: FailedSql): unknown {
  if (error instanceof ModelRuntimeError) return error;
  const raw = message(error);
  if (isInterrupt(raw) || (error instanceof Error && error.name === 'AbortError')) return error;
  const detail = stripContext(raw).replace(/^(Error: )+/, '').replace(/\s*\n\s*/g, ' ');
  let line = 1;
  let column = 1;
  if (model.source === 'sql') {
    const offset = sql ? renderedOffset(raw, sql) : undefined;
    const point = offset !== undefined ? queryPosition(model, sql?.map, offset) : undefined;
    line = point?.line ?? model.query?.range.start.line ?? model.headerRange.start.line;
    column = point?.column ?? model.query?.range.start.column ?? 1;
  } else if (model.source === 'external') {
    line = model.range.start.line;
    column = model.range.start.column;
  }
  return new ModelRuntimeError(model.name, model.file, line, column, stage, detail);
}

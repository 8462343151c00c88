/**
 * Public surface of the problem list: `checkProject` for a loaded project, and `problemsFor`
 * for the editor: the same list with one file's unsaved text in place of what is on disk.
 */
import { PasException } from '../../src-shared/errors';
import type { ProblemView } from '../../src-shared/problems-contract';
import type { Diagnostic } from '../project/diagnostics';
import { loadProject, type Project } from '../project/project';
import type { SqlParser } from '../sql/parse';
import { checkProject } from './check';

export { checkProject, type ProjectCheck } from './check';
export { LINT_RULES, linterSettings, type LintRule, type LinterSettings } from './linter';

/** What `problemsFor` needs of an opened workspace. */
export interface ProblemSource {
  project: Project;
  problems(): Promise<Diagnostic[]>;
  parser: SqlParser;
  warehouse: { catalog: string };
}

/**
 * The project's problems; with `overlay`, as if the file at `overlay.path` (project-relative,
 * under models/, audits/, tests/, or an external models file) held `overlay.text`.
 * config.yaml cannot be overlaid (its problems are those on disk).
 */
export async function problemsFor(ws: ProblemSource, overlay?: { path: string; text: string }): Promise<Diagnostic[]> {
  if (!overlay) return ws.problems();
  const path = overlay.path.split('\\').join('/').replace(/^\.\//, '');
  const { project, diagnostics } = await loadProject(ws.project.root, {
    ...(ws.project.gateway ? { gateway: ws.project.gateway } : {}),
    overlay: { path, text: overlay.text },
  });
  return (await checkProject(project, diagnostics, ws.parser, [ws.warehouse.catalog])).diagnostics;
}

/**
 * Refuses to render or run a model whose file has errors: a `validation` error whose issues are
 * those errors, each at `file:line:column`.
 */
export async function refuseModelErrors(ws: Pick<ProblemSource, 'problems'>, model: { name: string; file: string }): Promise<void> {
  const errors = (await ws.problems()).filter((d) => d.severity === 'error' && d.file === model.file);
  if (errors.length === 0) return;
  throw new PasException({
    code: 'validation',
    message: `${model.name} has ${errors.length} error(s); fix them first`,
    issues: errors.map((d) => ({ path: `${d.file}:${d.line}:${d.column}`, message: d.message })),
  });
}

/** A problem as the contract carries it (`project.problems`, `workbench.problems`). */
export function problemView(d: Diagnostic): ProblemView {
  return {
    file: d.file,
    line: d.line,
    column: d.column,
    ...(d.endLine !== undefined ? { endLine: d.endLine } : {}),
    ...(d.endColumn !== undefined ? { endColumn: d.endColumn } : {}),
    severity: d.severity,
    message: d.message,
    code: d.code,
  };
}

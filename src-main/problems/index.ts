/**
 * Public surface of the problem list: `checkProject` for a loaded project, and `problemsFor`
 * for the editor: the same list with one file's unsaved text in place of what is on disk.
 */
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

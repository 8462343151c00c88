/**
 * `project.problems` (the project's problem list, optionally with one file's unsaved text, for
 * editor markers) and `plan.unlock` (remove an environment's plan lock whoever holds it).
 */
import path from 'node:path';
import { PasException } from '../../../src-shared/errors';
import { normalizeEnvironment } from '../../plan/naming';
import { problemsFor, problemView } from '../../problems';
import type { ProjectSession } from '../project-session';
import type { Handlers } from './types';

export function problemsHandlers(project: ProjectSession): Handlers<'project.problems' | 'plan.unlock'> {
  return {
    'project.problems': async ({ path: file, text }) => {
      const ws = await project.workspace();
      let overlay: { path: string; text: string } | undefined;
      if (file !== undefined && text !== undefined) {
        const resolved = path.resolve(ws.project.root, file);
        const relative = path.relative(ws.project.root, resolved);
        if (relative.startsWith('..') || path.isAbsolute(relative)) {
          throw new PasException({ code: 'validation', message: `${file} is outside the project`, issues: [{ path: 'path', message: 'must be inside the project folder' }] });
        }
        overlay = { path: relative.split(path.sep).join('/'), text };
      }
      const problems = await problemsFor(ws, overlay);
      return {
        problems: problems.map(problemView),
      };
    },
    'plan.unlock': async ({ environment }) => {
      const ws = await project.workspace();
      const removed = await ws.state.unlockPlan(normalizeEnvironment(environment));
      return { environment, removed: removed ? { planId: removed.planId, owner: removed.owner, ...(removed.host ? { host: removed.host } : {}), ...(removed.pid !== undefined ? { pid: removed.pid } : {}), since: new Date(removed.acquiredTs).toISOString() } : null };
    },
  };
}

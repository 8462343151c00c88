/**
 * Contract methods of the project's problem list and of plan locks: `project.problems` (the
 * list, optionally with one file's unsaved text, for editor markers) and `plan.unlock`.
 */
import { z } from 'zod';
import type { DiagnosticView } from './modeling';

export const problemsMethodParams = {
  /** The project's problems; with `path` and `text`, as if that file held `text` (unsaved edits). */
  'project.problems': z
    .object({
      path: z.string().min(1).max(1000).optional(),
      text: z.string().max(5_000_000).optional(),
    })
    .strict()
    .refine((p) => (p.path === undefined) === (p.text === undefined), 'give both path and text, or neither'),
  /** Removes an environment's plan lock whatever holds it; the holder's apply, if alive, may then conflict. */
  'plan.unlock': z.object({ environment: z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only') }).strict(),
} as const;

export interface ProblemView extends DiagnosticView {
  /** Stable kind, e.g. `model.parse`, `lint.ambiguousorinvalidcolumn`. */
  code: string;
  endLine?: number;
  endColumn?: number;
}

export interface UnlockView {
  environment: string;
  /** The lock that was removed (owner, since when), or null when there was none. */
  removed: { planId: string; owner: string; host?: string; pid?: number; since: string } | null;
}

export interface ProblemsMethodResults {
  'project.problems': { problems: ProblemView[] };
  'plan.unlock': UnlockView;
}

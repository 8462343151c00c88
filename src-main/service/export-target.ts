/**
 * Where an exported result may be written: inside the project folder (by default its
 * `exports/` folder) or inside a folder the user chose (a desktop save dialog adds it to the
 * allowed roots). A path that leaves them, directly or through a symbolic link, is refused.
 */
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { PasException } from '../../src-shared/errors';
import type { ExportFormat } from '../../src-shared/results-contract';

export const EXPORTS_DIR = 'exports';

export interface ExportTarget {
  /** Absolute path of the file to write. */
  path: string;
  /** The path relative to the project, when inside it. */
  projectPath?: string;
}

function inside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function refuse(message: string): PasException {
  return new PasException({ code: 'validation', message, issues: [{ path: 'params.path', message }] });
}

function timestamp(now: Date): string {
  return now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

/**
 * The file an export writes. `requested` is relative to the project or absolute; without it,
 * `exports/result-<time>.<format>`. The extension is added when missing. The parent folder is
 * created (only once the path is known to be allowed).
 */
export function resolveExportTarget(options: {
  projectDir: string;
  allowedRoots?: string[];
  requested?: string;
  format: ExportFormat;
  overwrite?: boolean;
  now?: Date;
}): ExportTarget {
  const { projectDir, format } = options;
  const roots = [projectDir, ...(options.allowedRoots ?? [])].map((r) => path.resolve(r));
  let file = path.resolve(projectDir, options.requested ?? path.join(EXPORTS_DIR, `result-${timestamp(options.now ?? new Date())}`));
  if (path.extname(file).toLowerCase() !== `.${format}`) file += `.${format}`;
  const root = roots.find((r) => inside(r, file));
  if (!root) {
    throw refuse(`Cannot export to ${file}: exports are written inside the project (${projectDir}) or a folder chosen in a save dialog.`);
  }
  const parent = path.dirname(file);
  mkdirSync(parent, { recursive: true });
  // A symbolic link inside the root may point elsewhere: check where the folder really is.
  const realRoot = realpathSync(root);
  const realParent = realpathSync(parent);
  if (realParent !== realRoot && !inside(realRoot, realParent)) {
    throw refuse(`Cannot export to ${file}: its folder is a link to ${realParent}, outside ${root}.`);
  }
  if (existsSync(file) && !options.overwrite) {
    throw refuse(`${file} already exists; choose another name or allow overwriting.`);
  }
  const projectPath = inside(path.resolve(projectDir), file) ? path.relative(projectDir, file).split(path.sep).join('/') : undefined;
  return { path: file, ...(projectPath !== undefined ? { projectPath } : {}) };
}

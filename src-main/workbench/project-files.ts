/**
 * Writing project files from the editor: a path relative to the project folder that must stay
 * inside it, also after following symbolic links (of the file or of any folder on the way).
 */
import { existsSync } from 'node:fs';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PasException } from '../../src-shared/errors';

function outside(relative: string): PasException {
  return new PasException({ code: 'validation', message: `Cannot write ${relative}: the path leaves the project folder`, issues: [{ path: 'params.path', message: 'must stay inside the project folder' }] });
}

/** The absolute path of `relative` inside `root`, or a validation error when it would leave it. */
export async function resolveInside(root: string, relative: string): Promise<string> {
  const base = path.resolve(root);
  if (path.isAbsolute(relative) || relative.includes('\0')) throw outside(relative);
  const file = path.resolve(base, relative);
  if (!file.startsWith(base + path.sep)) throw outside(relative);
  const realBase = await realpath(base);
  // The nearest existing ancestor (or the file itself) must really be inside the project.
  let probe = file;
  while (!existsSync(probe) && probe !== base) probe = path.dirname(probe);
  const real = await realpath(probe);
  if (real !== realBase && !real.startsWith(realBase + path.sep)) throw outside(relative);
  return file;
}

/** Writes a project file (creating its folders); returns its normalized relative path. */
export async function saveProjectFile(root: string, relative: string, text: string): Promise<{ path: string; bytes: number }> {
  const file = await resolveInside(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text, 'utf8');
  return { path: path.relative(path.resolve(root), file).split(path.sep).join('/'), bytes: Buffer.byteLength(text) };
}

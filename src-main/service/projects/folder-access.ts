/**
 * Which folders a client may open as a project or browse: the allowed roots (`pas serve
 * --allow DIR`, the first project's folder, folders the user chose in a native dialog) and
 * everything below them. Every path is resolved to its real path (`..` and symbolic links
 * followed) before the check, so neither can step outside a root. A browser talks to a local
 * server: without this, any page that learned the token could open any folder of the user.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { PasException } from '../../../src-shared/errors';
import type { BrowseEntry, BrowseView } from '../../../src-shared/projects-contract';
import { isProjectDir } from '../../project/project-dir';

/** Folders never listed by the browser: hidden ones and package or build trees. */
const SKIPPED = /^(\.|node_modules$|__pycache__$)/;
/** Most sub-folders one listing returns. */
const MAX_ENTRIES = 500;

/** The real path of an existing folder, or a `not_found` error naming it. */
export function realFolder(dir: string): string {
  if (!path.isAbsolute(dir)) {
    throw new PasException({ code: 'validation', message: `"${dir}" is not an absolute folder path.`, issues: [{ path: 'params.dir', message: 'an absolute folder path' }] });
  }
  let real: string;
  try {
    real = realpathSync.native(path.resolve(dir));
  } catch {
    throw new PasException({ code: 'not_found', what: 'folder', message: `The folder ${dir} does not exist.` });
  }
  if (!statSync(real).isDirectory()) throw new PasException({ code: 'not_found', what: 'folder', message: `${dir} is not a folder.` });
  return real;
}

export class FolderAccess {
  private readonly list: string[] = [];

  constructor(roots: readonly string[] = []) {
    for (const root of roots) this.allow(root);
  }

  /** Adds a root (an existing folder; its real path). */
  allow(dir: string): string {
    const real = realFolder(path.resolve(dir));
    if (!this.list.includes(real)) this.list.push(real);
    return real;
  }

  /** The allowed roots, without those inside another (they add nothing). */
  roots(): string[] {
    return this.list.filter((root) => !this.list.some((other) => other !== root && inside(root, other)));
  }

  /** Whether a real path is an allowed root or inside one. */
  contains(real: string): boolean {
    return this.list.some((root) => inside(real, root));
  }

  /** The real path of `dir` when it is inside an allowed root; an `unauthorized` error naming the roots otherwise. */
  check(dir: string): string {
    const real = realFolder(dir);
    if (!this.contains(real)) throw outside(dir, this.roots());
    return real;
  }

  /** The sub-folders of `dir` (the roots themselves without it), projects marked; never outside the roots. */
  browse(dir?: string): BrowseView {
    if (dir === undefined) return { entries: this.roots().map(entry) };
    const real = this.check(dir);
    const entries: BrowseEntry[] = [];
    let names: string[];
    try {
      names = readdirSync(real).filter((name) => !SKIPPED.test(name)).sort((a, b) => a.localeCompare(b));
    } catch (error) {
      throw new PasException({ code: 'internal', message: `Cannot list ${real}: ${(error as Error).message}` });
    }
    for (const name of names) {
      if (entries.length >= MAX_ENTRIES) break;
      let child: string;
      try {
        child = realpathSync.native(path.join(real, name));
        if (!statSync(child).isDirectory()) continue;
      } catch {
        continue;
      }
      // A link leading out of the roots is not listed (and could not be opened).
      if (this.contains(child)) entries.push({ ...entry(child), name });
    }
    const above = path.dirname(real);
    const parent = above !== real && this.contains(above) ? above : undefined;
    return { dir: real, ...(parent ? { parent } : {}), entries };
  }
}

/** Whether a real path is `root` or below it. */
function inside(real: string, root: string): boolean {
  return real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function entry(dir: string): BrowseEntry {
  return { dir, name: path.basename(dir) || dir, isProject: isProjectDir(dir) };
}

function outside(dir: string, roots: readonly string[]): PasException {
  const where = roots.length === 0 ? 'no folder is allowed' : `allowed: ${roots.join(', ')}`;
  return new PasException({
    code: 'unauthorized',
    message: `${dir} is outside the folders this server may open (${where}). Start \`pas serve --allow DIR\` to allow a folder.`,
  });
}

/**
 * `projects.*`: opening another project folder. The door decides what a client may open (the
 * allowed roots, a native folder dialog, whether recent projects open from anywhere); this
 * module applies it, keeps the recent list, and asks the service to switch.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PasException } from '../../../src-shared/errors';
import type { CurrentProject, RecentProject } from '../../../src-shared/projects-contract';
import { isProjectDir } from '../../project/project-dir';
import { FolderAccess, realFolder } from '../projects/folder-access';
import { RecentProjects } from '../projects/recent-projects';
import type { Handlers } from './types';

export interface ProjectsDoor {
  /** Folders whose projects may be opened and browsed (`pas serve --allow DIR`); the first project's folder is always allowed. */
  allow?: readonly string[];
  /** The door's native folder dialog (the app's); a chosen folder becomes allowed. The engine never imports Electron. */
  pickFolder?: () => Promise<string | undefined>;
  /** Recent projects open from anywhere (the desktop app, whose only client is its own window); web mode: only inside the allowed roots. */
  openAnyRecent?: boolean;
  /** The recent-projects file (default: `recent-projects.json` in the user's pas folder). */
  recentFile?: string;
}

/** What the handlers need of the service. */
export interface ProjectHost {
  readonly projectDir: string;
  openProject(dir: string): Promise<boolean>;
}

export type ProjectsMethod = 'projects.current' | 'projects.recent' | 'projects.forget' | 'projects.open' | 'projects.browse' | 'projects.pickFolder';

export function projectsHandlers(host: ProjectHost, door: ProjectsDoor | undefined): Handlers<ProjectsMethod> {
  const access = new FolderAccess();
  const recent = door ? new RecentProjects(door.recentFile) : undefined;
  if (door) {
    for (const dir of door.allow ?? []) access.allow(dir);
    if (existsSync(host.projectDir)) {
      const first = access.allow(host.projectDir);
      if (isProjectDir(first)) recent?.remember(first);
    }
  }

  const refuse = (): never => {
    throw new PasException({ code: 'unauthorized', message: 'This engine serves one project only (it was started by a one-shot command); open another project from `pas serve` or the app.' });
  };

  const current = (): CurrentProject => ({
    dir: host.projectDir,
    name: path.basename(host.projectDir),
    isProject: isProjectDir(host.projectDir),
    canPickFolder: door?.pickFolder !== undefined,
    canSwitch: door !== undefined,
    allowedRoots: access.roots(),
  });

  /** Why a recent folder cannot be opened here, if it cannot. */
  const disabledReason = (dir: string): string | undefined => {
    if (!existsSync(dir)) return 'The folder no longer exists.';
    if (!isProjectDir(dir)) return 'The folder has no config.yaml any more.';
    if (door?.openAnyRecent) return undefined;
    let real: string;
    try {
      real = realFolder(dir);
    } catch {
      return 'The folder cannot be read.';
    }
    return access.contains(real) ? undefined : 'Outside the folders this server may open (start `pas serve --allow DIR`).';
  };

  /** The real path of a folder a client may open, or why not. */
  const openable = (dir: string): string => {
    if (door?.openAnyRecent && recent?.list().some((e) => e.dir === path.resolve(dir))) return realFolder(dir);
    return access.check(dir);
  };

  return {
    'projects.current': async () => current(),
    'projects.recent': async () => {
      if (!recent) return { projects: [] };
      const projects: RecentProject[] = recent.list().map((e) => {
        const reason = disabledReason(e.dir);
        return { dir: e.dir, name: path.basename(e.dir), lastOpened: e.lastOpened, exists: isProjectDir(e.dir), ...(reason ? { disabledReason: reason } : {}) };
      });
      return { projects };
    },
    'projects.forget': async ({ dir }) => {
      if (!recent) return refuse();
      return { forgotten: recent.forget(dir) };
    },
    'projects.open': async ({ dir }) => {
      if (!door) return refuse();
      const real = openable(dir);
      const switched = await host.openProject(real);
      recent?.remember(real);
      return { project: current(), switched };
    },
    'projects.browse': async ({ dir }) => {
      if (!door) return refuse();
      return access.browse(dir);
    },
    'projects.pickFolder': async () => {
      if (!door) return refuse();
      if (!door.pickFolder) throw new PasException({ code: 'unauthorized', message: 'This door has no native folder dialog; browse the allowed folders instead.' });
      const chosen = await door.pickFolder();
      if (chosen === undefined) return {};
      const real = access.allow(chosen);
      return { dir: real, isProject: isProjectDir(real) };
    },
  };
}

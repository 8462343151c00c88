/**
 * Opening another project folder: the recent-projects list, opening a folder as the served
 * project, a folder browser limited to the folders the user allowed (web mode), the native
 * folder picker where the door has one (Electron), and the `project.opened` event every client
 * reloads on. What a door can do is reported by `projects.current`.
 */
import { z } from 'zod';

const folder = z.string().min(1).max(4096);

export const projectsMethodParams = {
  /** The served project and what this door can do (a native picker, the allowed roots). */
  'projects.current': z.object({}).strict(),
  /** The recently opened projects, newest first, each with whether it still exists and may be opened here. */
  'projects.recent': z.object({}).strict(),
  /** Forgets a folder from the recent list (it stays on disk). */
  'projects.forget': z.object({ dir: folder }).strict(),
  /**
   * Closes the served project and opens `dir` in the same engine; every client gets
   * `project.opened`. Refused (the old project stays open) when the folder is not an allowed
   * project, its config.yaml has errors, another engine has it open, or a write is running.
   */
  'projects.open': z.object({ dir: folder }).strict(),
  /** The sub-folders of `dir` (the allowed roots without it), marking projects; only inside the allowed roots. */
  'projects.browse': z.object({ dir: folder.optional() }).strict(),
  /** Shows the door's native folder dialog; the chosen folder becomes allowed (not opened). */
  'projects.pickFolder': z.object({}).strict(),
} as const;

export interface ProjectRef {
  /** Absolute folder (real path). */
  dir: string;
  /** The folder's name. */
  name: string;
}

export interface CurrentProject extends ProjectRef {
  /** The folder holds config.yaml. */
  isProject: boolean;
  /** The door shows a native folder dialog (`projects.pickFolder`). */
  canPickFolder: boolean;
  /** The door can open other projects at all (`pas serve`, the app; not a one-shot command). */
  canSwitch: boolean;
  /** Folders whose sub-folders may be browsed and opened; empty when any folder may be opened. */
  allowedRoots: string[];
}

export interface RecentProject extends ProjectRef {
  /** ISO time it was last opened. */
  lastOpened: string;
  /** The folder still exists and holds config.yaml. */
  exists: boolean;
  /** Why it cannot be opened here (missing, not a project, outside the allowed folders); absent when it can. */
  disabledReason?: string;
}

export interface BrowseEntry extends ProjectRef {
  isProject: boolean;
}

export interface BrowseView {
  /** The folder listed; absent at the top, where `entries` are the allowed roots themselves. */
  dir?: string;
  /** The folder above, when it is still inside an allowed root. */
  parent?: string;
  entries: BrowseEntry[];
}

export interface ProjectsMethodResults {
  'projects.current': CurrentProject;
  'projects.recent': { projects: RecentProject[] };
  'projects.forget': { forgotten: boolean };
  'projects.open': { project: CurrentProject; switched: boolean };
  'projects.browse': BrowseView;
  /** `dir` absent when the user cancelled the dialog. */
  'projects.pickFolder': { dir?: string; isProject?: boolean };
}

export interface ProjectsEventPayloads {
  /** The engine now serves another project: every view reloads. */
  'project.opened': { dir: string; name: string; previousDir: string };
}

export const projectsTopicNames = ['project.opened'] as const;

/**
 * The served project as the renderer knows it (name, folder, what the door can do), whether the
 * Open project dialog shows, and an error to show in it (a `?project=` that could not open).
 * Opening a project asks the engine to switch; every client then reloads on `project.opened`.
 */
import { create } from 'zustand';
import { isPasException } from '../../../src-shared/errors';
import type { CurrentProject } from '../../../src-shared/projects-contract';
import type { Client } from '../../transport/client';

export interface ProjectsState {
  current: CurrentProject | undefined;
  dialogOpen: boolean;
  /** Shown at the top of the dialog: why the last open failed. */
  error: string | undefined;
  /** A switch is under way (buttons disabled, "Opening…" shown). */
  opening: string | undefined;
  /** The page is reloading for another project (unsaved tabs are kept as drafts, no prompt). */
  reloading: boolean;
  load(client: Client): Promise<void>;
  show(error?: string): void;
  hide(): void;
  open(client: Client, dir: string): Promise<void>;
}

export function errorText(error: unknown): string {
  return isPasException(error) ? error.error.message : error instanceof Error ? error.message : String(error);
}

export const useProjects = create<ProjectsState>((set, get) => ({
  current: undefined,
  dialogOpen: false,
  error: undefined,
  opening: undefined,
  reloading: false,
  async load(client) {
    try {
      set({ current: await client.invoke('projects.current', {}) });
    } catch {
      // An older engine without projects.*: the header shows app.info's folder.
    }
  },
  show: (error) => set({ dialogOpen: true, error }),
  hide: () => set({ dialogOpen: false, error: undefined }),
  async open(client, dir) {
    if (get().opening) return;
    set({ opening: dir, error: undefined });
    try {
      const { switched } = await client.invoke('projects.open', { dir });
      // `project.opened` reloads every client, this one included; nothing to do when it was already open.
      if (!switched) set({ dialogOpen: false });
    } catch (error) {
      set({ error: errorText(error) });
    } finally {
      set({ opening: undefined });
    }
  },
}));

/** Reloads the page for the newly opened project; a `?project=` asked for before is done with (the token stays). */
export function reloadForNewProject(location: Location = window.location): void {
  useProjects.setState({ reloading: true });
  const url = new URL(location.href);
  url.searchParams.delete('project');
  if (url.href !== location.href) location.replace(url.href);
  else location.reload();
}

/**
 * `?project=DIR` in the page's URL (web mode): opens that project before the app shows, when
 * the server allows it. Resolves with the error to show, if it could not.
 */
export async function openProjectFromUrl(client: Client, location: Location = window.location): Promise<string | undefined> {
  const wanted = new URLSearchParams(location.search).get('project');
  if (!wanted) return undefined;
  try {
    await client.invoke('projects.open', { dir: wanted });
    return undefined;
  } catch (error) {
    return `Could not open ${wanted} (from ?project= in the address): ${errorText(error)}`;
  }
}

/**
 * The modeling workbench's state: the explorer's tree, the open tabs (text as edited and as
 * saved, so a tab knows it is dirty or changed on disk), the active tab, each file's problems,
 * the selected environment (prod by default; the plan helper's environment store may replace
 * it), whether the rendered SQL shows, and the layout remembered per project in localStorage,
 * with the unsaved text of dirty tabs (drafts), so a reload, a crash or another window's project
 * switch brings them back dirty instead of losing them.
 */
import { create } from 'zustand';
import { isPasException, type PasError } from '../../src-shared/errors';
import type { WorkbenchProblem, WorkbenchTree } from '../../src-shared/workbench-contract';
import type { Client } from '../transport/client';

export interface Tab {
  path: string;
  text: string;
  /** The text as last read from or written to disk. */
  saved: string;
  /** The file changed on disk while the tab had unsaved edits. */
  changedOnDisk?: boolean;
  /** Where to put the cursor when the tab shows next (go to definition). */
  reveal?: { line: number; column: number };
}

export interface WorkbenchLayout {
  tabs: string[];
  active: string | undefined;
  showRendered: boolean;
  showProfile: boolean;
}

export interface WorkbenchState {
  tree: WorkbenchTree | undefined;
  treeError: string | undefined;
  environment: string;
  tabs: Tab[];
  active: string | undefined;
  problems: Record<string, WorkbenchProblem[]>;
  showRendered: boolean;
  showProfile: boolean;
  loadTree(client: Client): Promise<void>;
  open(client: Client, path: string, reveal?: { line: number; column: number }): Promise<void>;
  close(path: string): void;
  setText(path: string, text: string): void;
  save(client: Client, path?: string): Promise<PasError | undefined>;
  setActive(path: string): void;
  setProblems(path: string, problems: WorkbenchProblem[]): void;
  setEnvironment(environment: string): void;
  toggleRendered(): void;
  toggleProfile(): void;
  /** A file changed on disk: reload a clean tab, flag a dirty one. */
  reloadFromDisk(client: Client): Promise<void>;
  /** Reopens the remembered tabs; a tab with a draft gets its unsaved text back (flagged when the file changed since). */
  restore(client: Client, layout: WorkbenchLayout, drafts?: Drafts): Promise<void>;
  clearReveal(path: string): void;
}

export function isDirty(tab: Tab): boolean {
  return tab.text !== tab.saved;
}

export function layoutKey(projectDir: string): string {
  return `pas.workbench.${projectDir}`;
}

export function readLayout(projectDir: string): WorkbenchLayout | undefined {
  try {
    const raw = localStorage.getItem(layoutKey(projectDir));
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as Partial<WorkbenchLayout>;
    return {
      tabs: Array.isArray(parsed.tabs) ? parsed.tabs.filter((t): t is string => typeof t === 'string') : [],
      active: typeof parsed.active === 'string' ? parsed.active : undefined,
      showRendered: parsed.showRendered === true,
      showProfile: parsed.showProfile !== false,
    };
  } catch {
    return undefined;
  }
}

/** Unsaved text per open file, with the disk text it was edited from. */
export type Drafts = Record<string, { text: string; saved: string }>;

export function draftsKey(projectDir: string): string {
  return `pas.drafts.${projectDir}`;
}

/** Remembers the dirty tabs' text for the project (forgets it when none is dirty). */
export function writeDrafts(projectDir: string, tabs: Tab[]): void {
  const drafts: Drafts = {};
  for (const tab of tabs) if (isDirty(tab)) drafts[tab.path] = { text: tab.text, saved: tab.saved };
  try {
    if (Object.keys(drafts).length === 0) localStorage.removeItem(draftsKey(projectDir));
    else localStorage.setItem(draftsKey(projectDir), JSON.stringify(drafts));
  } catch {
    // Storage full or disabled: the confirm on close still guards the edits.
  }
}

export function readDrafts(projectDir: string): Drafts {
  try {
    const parsed = JSON.parse(localStorage.getItem(draftsKey(projectDir)) ?? '{}') as unknown;
    const drafts: Drafts = {};
    if (parsed && typeof parsed === 'object') {
      for (const [file, value] of Object.entries(parsed as Record<string, unknown>)) {
        const v = value as { text?: unknown; saved?: unknown };
        if (typeof v?.text === 'string' && typeof v.saved === 'string') drafts[file] = { text: v.text, saved: v.saved };
      }
    }
    return drafts;
  } catch {
    return {};
  }
}

function message(error: unknown): string {
  return isPasException(error) ? error.error.message : error instanceof Error ? error.message : String(error);
}

export const useWorkbench = create<WorkbenchState>((set, get) => ({
  tree: undefined,
  treeError: undefined,
  environment: 'prod',
  tabs: [],
  active: undefined,
  problems: {},
  showRendered: false,
  showProfile: true,

  async loadTree(client) {
    try {
      const tree = await client.invoke('workbench.tree', { environment: get().environment });
      set({ tree, treeError: undefined });
    } catch (error) {
      set({ treeError: message(error) });
    }
  },

  async open(client, path, reveal) {
    const existing = get().tabs.find((t) => t.path === path);
    if (existing) {
      set({ active: path, tabs: reveal ? get().tabs.map((t) => (t.path === path ? { ...t, reveal } : t)) : get().tabs });
      return;
    }
    const file = await client.invoke('project.file', { path });
    if (get().tabs.some((t) => t.path === file.path)) {
      set({ active: file.path });
      return;
    }
    set({ tabs: [...get().tabs, { path: file.path, text: file.text, saved: file.text, ...(reveal ? { reveal } : {}) }], active: file.path });
  },

  close(path) {
    const tabs = get().tabs;
    const index = tabs.findIndex((t) => t.path === path);
    if (index < 0) return;
    const rest = tabs.filter((t) => t.path !== path);
    const active = get().active === path ? (rest[Math.min(index, rest.length - 1)]?.path ?? undefined) : get().active;
    set({ tabs: rest, active });
  },

  setText(path, text) {
    set({ tabs: get().tabs.map((t) => (t.path === path && t.text !== text ? { ...t, text } : t)) });
  },

  async save(client, path) {
    const target = get().tabs.find((t) => t.path === (path ?? get().active));
    if (!target) return undefined;
    const text = target.text;
    try {
      await client.invoke('workbench.save', { path: target.path, text });
      set({ tabs: get().tabs.map((t) => (t.path === target.path ? { ...t, saved: text, changedOnDisk: false } : t)) });
      return undefined;
    } catch (error) {
      return isPasException(error) ? error.error : { code: 'internal', message: message(error) };
    }
  },

  setActive: (path) => set({ active: path }),
  setProblems: (path, problems) => set({ problems: { ...get().problems, [path]: problems } }),
  setEnvironment: (environment) => set({ environment }),
  toggleRendered: () => set({ showRendered: !get().showRendered }),
  toggleProfile: () => set({ showProfile: !get().showProfile }),
  clearReveal: (path) => set({ tabs: get().tabs.map((t) => (t.path === path && t.reveal ? { path: t.path, text: t.text, saved: t.saved, ...(t.changedOnDisk ? { changedOnDisk: true } : {}) } : t)) }),

  async reloadFromDisk(client) {
    for (const tab of get().tabs) {
      let text: string;
      try {
        text = (await client.invoke('project.file', { path: tab.path })).text;
      } catch {
        continue;
      }
      const current = get().tabs.find((t) => t.path === tab.path);
      if (!current || text === current.saved) continue;
      set({
        tabs: get().tabs.map((t) => (t.path !== tab.path ? t : isDirty(t) ? { ...t, changedOnDisk: true } : { ...t, text, saved: text })),
      });
    }
  },

  async restore(client, layout, drafts = {}) {
    set({ showRendered: layout.showRendered, showProfile: layout.showProfile });
    const paths = [...layout.tabs, ...Object.keys(drafts).filter((p) => !layout.tabs.includes(p))];
    for (const path of paths) {
      await get().open(client, path).catch(() => undefined);
      const draft = drafts[path];
      if (!draft) continue;
      set({
        tabs: get().tabs.map((t) =>
          t.path !== path || t.text === draft.text ? t : { ...t, text: draft.text, ...(t.saved !== draft.saved ? { changedOnDisk: true } : {}) },
        ),
      });
    }
    if (layout.active && get().tabs.some((t) => t.path === layout.active)) set({ active: layout.active });
  },
}));

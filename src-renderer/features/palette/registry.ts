/**
 * The action registry behind the command palette and the app's keyboard shortcuts: every
 * feature registers named actions (id, title, optional shortcut, optional `when`), the palette
 * lists them with their shortcuts, and one window-level key handler runs the matching action.
 * Shortcuts are written `Mod+Shift+P` (`Mod` is Ctrl, or Cmd on macOS).
 */
import { create } from 'zustand';

export interface Action {
  /** Namespaced id, e.g. `workbench.save`. */
  id: string;
  title: string;
  /** Group shown in the palette, e.g. `Editor`, `View`. */
  category: string;
  keys?: string;
  /** When false the action is hidden and its shortcut does nothing. */
  when?: () => boolean;
  run(): void | Promise<void>;
}

const actions = new Map<string, Action>();
const listeners = new Set<() => void>();

/** Registers (or replaces) actions; returns a function that removes them. */
export function registerActions(list: readonly Action[]): () => void {
  for (const action of list) actions.set(action.id, action);
  for (const l of listeners) l();
  return () => {
    for (const action of list) if (actions.get(action.id) === action) actions.delete(action.id);
    for (const l of listeners) l();
  };
}

export function availableActions(): Action[] {
  return [...actions.values()].filter((a) => a.when?.() ?? true).sort((a, b) => a.category.localeCompare(b.category) || a.title.localeCompare(b.title));
}

export function onActionsChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** `Mod+Shift+P` as shown to the user on this platform. */
export function displayKeys(keys: string): string {
  return keys.replace(/Mod/g, isMac ? '⌘' : 'Ctrl');
}

/** Whether a key event is the shortcut `keys`. */
export function matches(event: KeyboardEvent, keys: string): boolean {
  const parts = keys.split('+');
  const key = parts.pop()?.toLowerCase() ?? '';
  const mod = parts.includes('Mod');
  const wantCtrl = parts.includes('Ctrl') || (mod && !isMac);
  const wantMeta = parts.includes('Meta') || (mod && isMac);
  if (event.ctrlKey !== wantCtrl || event.metaKey !== wantMeta) return false;
  if (event.shiftKey !== parts.includes('Shift') || event.altKey !== parts.includes('Alt')) return false;
  const pressed = event.key.toLowerCase();
  return pressed === key || event.code.toLowerCase() === `key${key}` || (key === 'enter' && pressed === 'enter');
}

/** Runs the action whose shortcut the event is; true when one ran. */
export function dispatchShortcut(event: KeyboardEvent): boolean {
  for (const action of availableActions()) {
    if (action.keys && matches(event, action.keys)) {
      event.preventDefault();
      event.stopPropagation();
      void action.run();
      return true;
    }
  }
  return false;
}

/** Which palette is open: all commands, or the quick open of files. */
export const usePalette = create<{ mode: 'commands' | 'files' | undefined; show(mode: 'commands' | 'files' | undefined): void }>((set) => ({
  mode: undefined,
  show: (mode) => set({ mode }),
}));

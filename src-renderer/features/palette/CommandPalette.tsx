/**
 * The command palette (Mod+Shift+P: every registered action with its shortcut) and quick open
 * (Mod+P: project files by name). Type to filter, arrows to move, Enter to run, Escape to close.
 * Also installs the window-level shortcut handler (capture phase, so it wins over Monaco's).
 */
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { availableActions, dispatchShortcut, displayKeys, onActionsChanged, usePalette } from './registry';

export interface QuickOpenFile {
  path: string;
  label: string;
  detail?: string;
}

function fuzzy(query: string, text: string): boolean {
  const q = query.toLowerCase().replace(/\s+/g, '');
  const t = text.toLowerCase();
  let i = 0;
  for (const ch of t) if (ch === q[i]) i++;
  return i === q.length;
}

let version = 0;
const subscribe = (listener: () => void) =>
  onActionsChanged(() => {
    version++;
    listener();
  });

export function CommandPalette({ files, onOpenFile }: { files: QuickOpenFile[]; onOpenFile(path: string): void }) {
  const { mode, show } = usePalette();
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const actionsVersion = useSyncExternalStore(subscribe, () => version);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (usePalette.getState().mode) return;
      dispatchShortcut(event);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  useEffect(() => {
    setQuery('');
    setIndex(0);
    if (mode) setTimeout(() => input.current?.focus(), 0);
  }, [mode]);

  const entries = useMemo(() => {
    if (mode === 'files') {
      return files.filter((f) => fuzzy(query, f.label) || fuzzy(query, f.path)).slice(0, 50).map((f) => ({ key: f.path, title: f.label, detail: f.path, keys: undefined as string | undefined, run: () => onOpenFile(f.path) }));
    }
    void actionsVersion;
    return availableActions()
      .filter((a) => fuzzy(query, `${a.category}: ${a.title}`))
      .map((a) => ({ key: a.id, title: `${a.category}: ${a.title}`, detail: undefined as string | undefined, keys: a.keys, run: () => void a.run() }));
  }, [mode, query, files, onOpenFile, actionsVersion]);

  if (!mode) return null;
  const close = () => show(undefined);
  const choose = (i: number) => {
    const entry = entries[i];
    close();
    entry?.run();
  };
  return (
    <div className="palette-backdrop" onMouseDown={close}>
      <div className="palette" role="dialog" aria-label={mode === 'files' ? 'Open a file' : 'Command palette'} onMouseDown={(e) => e.stopPropagation()}>
        <input
          ref={input}
          value={query}
          placeholder={mode === 'files' ? 'Type a model or file name…' : 'Type a command…'}
          aria-label={mode === 'files' ? 'File name' : 'Command'}
          onChange={(e) => {
            setQuery(e.target.value);
            setIndex(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
            else if (e.key === 'ArrowDown') setIndex((i) => Math.min(entries.length - 1, i + 1));
            else if (e.key === 'ArrowUp') setIndex((i) => Math.max(0, i - 1));
            else if (e.key === 'Enter') choose(index);
            else return;
            e.preventDefault();
          }}
        />
        <ul role="listbox" className="palette-list">
          {entries.length === 0 && <li className="palette-empty">{mode === 'files' ? 'No file matches.' : 'No command matches.'}</li>}
          {entries.map((entry, i) => (
            <li key={entry.key} role="option" aria-selected={i === index} className={i === index ? 'active' : ''} onMouseEnter={() => setIndex(i)} onClick={() => choose(i)}>
              <span className="palette-title">{entry.title}</span>
              {entry.detail && <span className="palette-detail">{entry.detail}</span>}
              {entry.keys && <kbd>{displayKeys(entry.keys)}</kbd>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/**
 * The Open project dialog: the current project, the recent list (missing or disallowed folders
 * greyed with the reason, each removable), and a way to reach another folder: the door's native
 * folder picker (the app) or a browser of the folders the server allows (web mode).
 */
import { useCallback, useEffect, useState } from 'react';
import type { BrowseView, RecentProject } from '../../../src-shared/projects-contract';
import { isDirty, useWorkbench } from '../../store/workbench';
import type { Client } from '../../transport/client';
import { errorText, useProjects } from './project-store';
import './projects.css';

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function OpenProjectDialog({ client }: { client: Client }) {
  const { current, error, opening, hide, open } = useProjects();
  const unsaved = useWorkbench((s) => s.tabs.filter(isDirty).length);
  const [recent, setRecent] = useState<RecentProject[] | undefined>();
  const [browse, setBrowse] = useState<BrowseView | undefined>();
  const [browseError, setBrowseError] = useState<string | undefined>();

  const loadRecent = useCallback(() => {
    client.invoke('projects.recent', {}).then((r) => setRecent(r.projects), () => setRecent([]));
  }, [client]);
  const go = useCallback(
    (dir?: string) => {
      setBrowseError(undefined);
      client.invoke('projects.browse', dir === undefined ? {} : { dir }).then(setBrowse, (e: unknown) => setBrowseError(errorText(e)));
    },
    [client],
  );

  useEffect(() => {
    loadRecent();
    if (current?.canSwitch && !current.canPickFolder) go(current.allowedRoots.length === 1 ? current.allowedRoots[0] : undefined);
  }, [loadRecent, go, current]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') hide();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [hide]);

  const pick = async () => {
    try {
      const chosen = await client.invoke('projects.pickFolder', {});
      if (!chosen.dir) return;
      if (chosen.isProject) await open(client, chosen.dir);
      else useProjects.setState({ error: `${chosen.dir} is not a project: it has no config.yaml.` });
    } catch (e) {
      useProjects.setState({ error: errorText(e) });
    }
  };

  const busy = opening !== undefined;
  return (
    <div className="modal-backdrop" onMouseDown={hide}>
      <div className="open-project" role="dialog" aria-modal="true" aria-label="Open a project" onMouseDown={(e) => e.stopPropagation()}>
        <header className="op-head">
          <h2>Open a project</h2>
          <button type="button" className="op-close" onClick={hide} aria-label="Close">
            ×
          </button>
        </header>
        {current && (
          <div className="op-current">
            Now open: <strong>{current.name}</strong> <span className="op-dir">{current.dir}</span>
          </div>
        )}
        {error && (
          <div className="op-error" role="alert">
            {error}
          </div>
        )}
        {opening && <div className="op-note">Opening {opening}…</div>}
        {unsaved > 0 && !opening && (
          <div className="op-note is-warning">
            {unsaved} open file{unsaved === 1 ? ' has' : 's have'} unsaved changes; save them first, or they are lost when another project opens.
          </div>
        )}
        {current && !current.canSwitch && <div className="op-note">This engine serves one project only. Start `pas serve` or the app to open other projects.</div>}
        <div className="op-body">
          <section className="op-section" aria-label="Recent projects">
            <h3>Recent projects</h3>
            {recent === undefined && <div className="op-empty">Loading…</div>}
            {recent?.length === 0 && <div className="op-empty">No recent projects yet: the projects you open appear here.</div>}
            <ul className="op-list">
              {recent?.map((p) => {
                const isCurrent = p.dir === current?.dir;
                return (
                  <li key={p.dir} className={p.disabledReason ? 'is-disabled' : undefined} title={p.disabledReason ?? p.dir}>
                    <button type="button" className="op-item" disabled={busy || isCurrent || p.disabledReason !== undefined} onClick={() => void open(client, p.dir)} aria-label={`Open ${p.name}`}>
                      <span className="op-name">
                        {p.name}
                        {isCurrent && <span className="op-badge">open</span>}
                      </span>
                      <span className="op-dir">{p.dir}</span>
                      <span className="op-meta">{p.disabledReason ?? `opened ${when(p.lastOpened)}`}</span>
                    </button>
                    {!isCurrent && (
                      <button
                        type="button"
                        className="op-forget"
                        aria-label={`Remove ${p.name} from the recent list`}
                        title="Remove from the list (the folder stays on disk)"
                        onClick={() => void client.invoke('projects.forget', { dir: p.dir }).then(loadRecent, () => undefined)}
                      >
                        ×
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          </section>
          {current?.canPickFolder && (
            <section className="op-section" aria-label="Another folder">
              <h3>Another folder</h3>
              <button type="button" className="primary" disabled={busy} onClick={() => void pick()}>
                Choose a folder…
              </button>
              <div className="op-empty">A project folder holds config.yaml.</div>
            </section>
          )}
          {current?.canSwitch && !current.canPickFolder && (
            <section className="op-section" aria-label="Browse folders">
              <h3>Browse</h3>
              <div className="op-path">
                <button type="button" disabled={!browse?.dir} onClick={() => go(browse?.parent)} aria-label="Up one folder">
                  ↑ Up
                </button>
                <span className="op-dir" title={browse?.dir}>
                  {browse?.dir ?? 'Allowed folders'}
                </span>
              </div>
              {browseError && <div className="op-error">{browseError}</div>}
              {browse && browse.entries.length === 0 && <div className="op-empty">No folders here.</div>}
              <ul className="op-list op-browse">
                {browse?.entries.map((e) => (
                  <li key={e.dir}>
                    <button type="button" className="op-folder" onClick={() => go(e.dir)} title={`Show the folders in ${e.dir}`}>
                      <span aria-hidden="true">{e.isProject ? '❖' : '▸'}</span> {e.name}
                    </button>
                    {e.isProject && (
                      <button type="button" className="primary" disabled={busy || e.dir === current.dir} onClick={() => void open(client, e.dir)} aria-label={`Open project ${e.name}`}>
                        {e.dir === current.dir ? 'Current' : 'Open'}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
              <div className="op-empty">
                Only folders under {current.allowedRoots.join(', ') || 'none'} can be opened here. Start <code>pas serve --allow DIR</code> to allow another folder.
              </div>
            </section>
          )}
        </div>
      </div>
    </div>
  );
}

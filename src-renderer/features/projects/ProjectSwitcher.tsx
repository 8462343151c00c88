/**
 * The current project in the app header (name and folder; a click opens the Open project
 * dialog), the palette action "Open project…" (Mod+O), and the reload every client does when
 * the engine opens another project, so each view shows the new one (the workbench then
 * restores that project's own tabs).
 */
import { useEffect } from 'react';
import type { Client } from '../../transport/client';
import { registerActions } from '../palette/registry';
import { OpenProjectDialog } from './OpenProjectDialog';
import { reloadForNewProject, useProjects } from './project-store';

export function ProjectSwitcher({ client, fallbackDir }: { client: Client; fallbackDir: string | undefined }) {
  const current = useProjects((s) => s.current);
  const dialogOpen = useProjects((s) => s.dialogOpen);

  useEffect(() => {
    void useProjects.getState().load(client);
    const off = client.subscribe('project.opened', () => reloadForNewProject());
    const unregister = registerActions([{ id: 'project.open', category: 'Project', title: 'Open project…', keys: 'Mod+O', run: () => useProjects.getState().show() }]);
    return () => {
      off();
      unregister();
    };
  }, [client]);

  const dir = current?.dir ?? fallbackDir;
  return (
    <>
      <button type="button" className="project project-switcher" title={dir ? `${dir}\nOpen another project (Ctrl/⌘+O)` : undefined} onClick={() => useProjects.getState().show()} aria-label={`Project ${current?.name ?? dir ?? ''}: open another project`}>
        {current ? (
          <>
            <span className="ps-name">{current.name}</span>
            <span className="ps-dir">{current.dir}</span>
          </>
        ) : (
          <span className="ps-dir">{dir ?? 'connecting…'}</span>
        )}
        <span aria-hidden="true">▾</span>
      </button>
      {dialogOpen && <OpenProjectDialog client={client} />}
    </>
  );
}

/** The project's name atop the explorer, with the way to open another. */
export function ExplorerProject({ projectDir }: { projectDir: string | undefined }) {
  const current = useProjects((s) => s.current);
  const dir = current?.dir ?? projectDir;
  const name = current?.name ?? dir?.split(/[\\/]/).filter(Boolean).pop() ?? '';
  return (
    <div className="wb-project">
      <span className="wb-project-name" title={dir}>
        {name}
      </span>
      <button type="button" onClick={() => useProjects.getState().show()} title="Open another project (Ctrl/⌘+O)">
        Open project…
      </button>
    </div>
  );
}

/** Renderer entry: picks the transport, mounts the app (Monaco and the views not shown first load on demand). */
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { sqlDialect } from './features/editor/load-monaco';
import { createClient } from './transport/client';
import { openProjectFromUrl, useProjects } from './features/projects/project-store';
import './styles.css';

const client = createClient();
// Asked now, so the editors find the dialect there when they load.
void sqlDialect(client);
const root = document.getElementById('root');
// `?project=DIR` (web mode) opens that project first; an error shows in the Open project dialog.
void openProjectFromUrl(client).then((error) => {
  if (error) useProjects.getState().show(error);
  if (root) createRoot(root).render(<App client={client} />);
});

/** Renderer entry: picks the transport, mounts the app (Monaco and the views not shown first load on demand). */
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { sqlDialect } from './features/editor/load-monaco';
import { createClient } from './transport/client';
import './styles.css';

const client = createClient();
// Asked now, so the editors find the dialect there when they load.
void sqlDialect(client);
const root = document.getElementById('root');
if (root) createRoot(root).render(<App client={client} />);

/** Renderer entry: picks the transport, registers the DuckDB language, mounts the app. */
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { registerDuckDbLanguage } from './features/editor/duckdb-language';
import { monaco } from './features/editor/monaco';
import { createClient } from './transport/client';
import './styles.css';

async function start(): Promise<void> {
  const client = createClient();
  const dialect = await client.invoke('sql.dialect', {}).catch(() => ({ keywords: [], functions: [], types: [] }));
  registerDuckDbLanguage(monaco, dialect);
  const root = document.getElementById('root');
  if (root) createRoot(root).render(<App client={client} />);
}

void start();

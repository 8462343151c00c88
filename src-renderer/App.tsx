/** The app shell: header with project, engine and theme toggle; the query console. */
import { useEffect, useState } from 'react';
import type { AppInfo } from '../src-shared/contract';
import { QueryConsole } from './features/console/QueryConsole';
import { useTheme } from './store/theme';
import type { Client } from './transport/client';

export function App({ client }: { client: Client }) {
  const { theme, toggle } = useTheme();
  const [info, setInfo] = useState<AppInfo | undefined>();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    void client.invoke('app.info', {}).then(setInfo, () => undefined);
  }, [client]);

  return (
    <div className="app">
      <header className="app-header">
        <span className="brand">Portable Analytics Studio</span>
        <span className="project" title={info?.projectDir}>
          {info ? info.projectDir : 'connecting…'}
        </span>
        <span className="spacer" />
        <span className="engine">{info ? `DuckDB ${info.duckdbVersion}` : ''}</span>
        <button type="button" className="theme-toggle" onClick={toggle} aria-label="Toggle light and dark theme">
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <main className="app-main">
        <QueryConsole client={client} />
      </main>
    </div>
  );
}

/** The app shell: header with project, engine and theme toggle; navigation; the views. */
import { useEffect, useState } from 'react';
import type { AppInfo } from '../src-shared/contract';
import { QueryConsole } from './features/console/QueryConsole';
import { EnvironmentsPanel } from './features/environments/EnvironmentsPanel';
import { PlanButton, PlanDialogHost } from './features/plan/PlanDialog';
import { IngestPanel } from './features/ingest/IngestPanel';
import { LakePanel } from './features/lake/LakePanel';
import { LineagePanel } from './features/lineage/LineagePanel';
import { NavBar } from './features/shell/NavBar';
import { AppActions } from './features/palette/AppActions';
import { Workbench } from './features/workbench/Workbench';
import { ProblemsBadge } from './features/shell/ProblemsBadge';
import { useNavigation } from './store/navigation';
import { useTheme } from './store/theme';
import type { Client } from './transport/client';

export function App({ client }: { client: Client }) {
  const { theme, toggle } = useTheme();
  const view = useNavigation((s) => s.view);
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
        <ProblemsBadge client={client} />
        <PlanButton />
        <span className="engine">{info ? `DuckDB ${info.duckdbVersion}` : ''}</span>
        <button type="button" className="theme-toggle" onClick={toggle} aria-label="Toggle light and dark theme">
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <div className="app-body">
        <NavBar />
        {/* Views stay mounted so the editor keeps its text and the grid its scroll position. */}
        <main className="app-main" hidden={view !== 'query'}>
          <QueryConsole client={client} />
        </main>
        <main className="app-main" hidden={view !== 'lineage'}>
          <LineagePanel client={client} active={view === 'lineage'} />
        </main>
        <main className="app-main" hidden={view !== 'ingest'}>
          <IngestPanel client={client} active={view === 'ingest'} />
        </main>
        <main className="app-main" hidden={view !== 'lake'}>
          <LakePanel client={client} active={view === 'lake'} />
        </main>
        <main className="app-main" hidden={view !== 'environments'}>
          <EnvironmentsPanel client={client} active={view === 'environments'} />
        </main>
        <main className="app-main" hidden={view !== 'models'}>
          <Workbench client={client} active={view === 'models'} />
        </main>
      </div>
      <PlanDialogHost client={client} />
      <AppActions client={client} />
    </div>
  );
}

/** The app shell: header with project, engine and theme toggle; navigation; the views. */
import { Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AppInfo } from '../src-shared/contract';
import { PlanButton, PlanDialogHost } from './features/plan/PlanButton';
import { NavBar } from './features/shell/NavBar';
import { AppActions } from './features/palette/AppActions';
import { Workbench } from './features/workbench/Workbench';
import { ProblemsBadge } from './features/shell/ProblemsBadge';
import { ProjectSwitcher } from './features/projects/ProjectSwitcher';
import { lazyViews } from './lazy-views';
import { useNavigation, type View } from './store/navigation';
import { useTheme } from './store/theme';
import type { Client } from './transport/client';

/** How long after the first paint the other views' chunks are fetched. */
const PREFETCH_AFTER_MS = 1500;

/** A view's slot: mounted from its first visit on (and then kept), hidden when not shown. */
function ViewSlot({ view, shown, visited, children }: { view: View; shown: View; visited: Set<View>; children: ReactNode }) {
  return (
    <main className="app-main" hidden={view !== shown}>
      {visited.has(view) && <Suspense fallback={null}>{children}</Suspense>}
    </main>
  );
}

export function App({ client }: { client: Client }) {
  const { theme, toggle } = useTheme();
  const view = useNavigation((s) => s.view);
  const [info, setInfo] = useState<AppInfo | undefined>();
  const views = useMemo(() => lazyViews(client), [client]);
  const [visited, setVisited] = useState<Set<View>>(() => new Set([view]));
  if (!visited.has(view)) setVisited(new Set([...visited, view]));
  useEffect(() => {
    const timer = setTimeout(views.prefetch, PREFETCH_AFTER_MS);
    return () => clearTimeout(timer);
  }, [views]);

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
        <ProjectSwitcher client={client} fallbackDir={info?.projectDir} />
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
        <ViewSlot view="query" shown={view} visited={visited}>
          <views.QueryConsole client={client} />
        </ViewSlot>
        <ViewSlot view="lineage" shown={view} visited={visited}>
          <views.LineagePanel client={client} active={view === 'lineage'} />
        </ViewSlot>
        <ViewSlot view="ingest" shown={view} visited={visited}>
          <views.IngestPanel client={client} active={view === 'ingest'} />
        </ViewSlot>
        <ViewSlot view="lake" shown={view} visited={visited}>
          <views.LakePanel client={client} active={view === 'lake'} />
        </ViewSlot>
        <ViewSlot view="environments" shown={view} visited={visited}>
          <views.EnvironmentsPanel client={client} active={view === 'environments'} />
        </ViewSlot>
        <main className="app-main" hidden={view !== 'models'}>
          <Workbench client={client} active={view === 'models'} />
        </main>
      </div>
      <PlanDialogHost client={client} />
      <AppActions client={client} />
    </div>
  );
}

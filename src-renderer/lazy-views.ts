/**
 * The views not shown first, as lazy chunks: the first paint needs only the shell and the
 * Models view. Views with an editor wait for Monaco (editor/load-monaco.ts) so the `duckdb`
 * language is registered before they create one. `prefetchViews` loads them all once the
 * app is idle, so switching views later does not wait for the network.
 */
import { lazy } from 'react';
import { loadMonaco } from './features/editor/load-monaco';
import type { Client } from './transport/client';

export type LazyViews = ReturnType<typeof lazyViews>;

export function lazyViews(client: Client) {
  const loaders = {
    query: () => loadMonaco(client).then(() => import('./features/console/QueryConsole')).then((m) => ({ default: m.QueryConsole })),
    lineage: () => loadMonaco(client).then(() => import('./features/lineage/LineagePanel')).then((m) => ({ default: m.LineagePanel })),
    ingest: () => import('./features/ingest/IngestPanel').then((m) => ({ default: m.IngestPanel })),
    lake: () => import('./features/lake/LakePanel').then((m) => ({ default: m.LakePanel })),
    environments: () => import('./features/environments/EnvironmentsPanel').then((m) => ({ default: m.EnvironmentsPanel })),
  };
  return {
    QueryConsole: lazy(loaders.query),
    LineagePanel: lazy(loaders.lineage),
    IngestPanel: lazy(loaders.ingest),
    LakePanel: lazy(loaders.lake),
    EnvironmentsPanel: lazy(loaders.environments),
    /** Loads every view's chunk (not mounting it); errors wait for the view's own load to show. */
    prefetch: () => {
      for (const load of Object.values(loaders)) void load().catch(() => undefined);
    },
  };
}

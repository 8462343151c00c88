/**
 * The app-wide actions (switch views, toggle the theme) and the palette itself, whose quick
 * open lists the project's models and files from the workbench's tree.
 */
import { useEffect, useMemo } from 'react';
import { useNavigation, type View } from '../../store/navigation';
import { useTheme } from '../../store/theme';
import { useWorkbench } from '../../store/workbench';
import type { Client } from '../../transport/client';
import { CommandPalette, type QuickOpenFile } from './CommandPalette';
import { registerActions } from './registry';

const VIEWS: { view: View; title: string }[] = [
  { view: 'models', title: 'Models' },
  { view: 'query', title: 'Query console' },
  { view: 'lineage', title: 'Lineage' },
  { view: 'ingest', title: 'Ingest' },
  { view: 'lake', title: 'Lake' },
];

export function AppActions({ client }: { client: Client }) {
  const tree = useWorkbench((s) => s.tree);

  useEffect(
    () =>
      registerActions([
        ...VIEWS.map((v, i) => ({ id: `view.${v.view}`, category: 'View', title: `Go to ${v.title}`, keys: `Alt+${i + 1}`, run: () => useNavigation.getState().go(v.view) })),
        { id: 'app.theme', category: 'View', title: 'Toggle light and dark theme', keys: 'Alt+T', run: () => useTheme.getState().toggle() },
      ]),
    [],
  );

  const files = useMemo<QuickOpenFile[]>(() => {
    if (!tree) return [];
    return [
      ...tree.models.filter((m) => m.source !== 'external').map((m) => ({ path: m.file, label: m.name, detail: m.kind })),
      ...tree.items.map((i) => ({ path: i.file, label: i.name, detail: i.type })),
    ];
  }, [tree]);

  return (
    <CommandPalette
      files={files}
      onOpenFile={(path) => {
        useNavigation.getState().go('models');
        void useWorkbench.getState().open(client, path);
      }}
    />
  );
}

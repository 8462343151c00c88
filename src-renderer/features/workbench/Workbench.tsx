/**
 * The modeling workbench view: the project explorer, editor tabs (dirty markers, confirm on
 * closing unsaved work), the model editor with an optional rendered-SQL pane beside it, and
 * below them the live preview (rows and column profiles) and the problems list. Registers its
 * actions in the command palette; remembers open tabs and layout per project.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatPasError } from '../../../src-shared/errors';
import type { DiagnosticView } from '../../../src-shared/modeling';
import type { WorkbenchProblem } from '../../../src-shared/workbench-contract';
import { useNavigation } from '../../store/navigation';
import { useTheme } from '../../store/theme';
import { isDirty, layoutKey, readDrafts, readLayout, useWorkbench, writeDrafts } from '../../store/workbench';
import type { Client } from '../../transport/client';
import { loadMonaco, sqlDialect } from '../editor/load-monaco';
import { registerActions, usePalette } from '../palette/registry';
import { useProjects } from '../projects/project-store';
import { LoadMissingTable } from '../ingest/LoadMissingTable';
import { ResultGrid } from '../results/ResultGrid';
import { ColumnProfiles } from './ColumnProfiles';
import { Explorer } from './Explorer';
import { isModelFile, useLivePreview, useLiveProblems, useRendered } from './live';
import type * as EditorPartsModule from './editor-parts';
import './workbench.css';

/** The workbench's Monaco side (editors, language providers), loaded once the explorer has shown. */
type EditorParts = typeof EditorPartsModule;

/** How long after the explorer shows the editor starts loading when no tab needs it yet. */
const EDITOR_PRELOAD_DELAY_MS = 800;

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function Workbench({ client, active: visible }: { client: Client; active: boolean }) {
  const theme = useTheme((s) => s.theme);
  const { tree, treeError, environment, tabs, active, problems, showRendered, showProfile } = useWorkbench();
  const store = useWorkbench.getState;
  const tab = tabs.find((t) => t.path === active);
  const [bottom, setBottom] = useState<'preview' | 'problems'>('preview');
  const [projectProblems, setProjectProblems] = useState<DiagnosticView[]>([]);
  const restoring = useRef(false);
  const [restored, setRestored] = useState(false);

  // Monaco (megabytes of script to parse) loads at once when a tab is open; otherwise once the
  // explorer is up and the page has been idle a moment, so the first click is not held up.
  const [parts, setParts] = useState<EditorParts | undefined>();
  const partsRef = useRef(parts);
  partsRef.current = parts;
  const runEditorAction = (id: string) => partsRef.current?.runEditorAction(id);
  const [preload, setPreload] = useState(false);
  useEffect(() => {
    if (!(tree || treeError) || preload) return;
    let idle: number | undefined;
    const timer = window.setTimeout(() => {
      idle = window.requestIdleCallback(() => setPreload(true), { timeout: 3000 });
    }, EDITOR_PRELOAD_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      if (idle !== undefined) window.cancelIdleCallback(idle);
    };
  }, [tree, treeError, preload]);
  const needEditor = preload || tabs.length > 0;
  useEffect(() => {
    if (!needEditor) return;
    let live = true;
    void Promise.all([loadMonaco(client).then(() => import('./editor-parts')), sqlDialect(client)]).then(([p, d]) => {
      p.registerWorkbenchLanguage(client, d);
      if (live) setParts(p);
    });
    return () => {
      live = false;
    };
  }, [client, needEditor]);

  // The tree now and whenever files change; clean tabs follow the disk, dirty ones are flagged.
  useEffect(() => {
    const refresh = () => {
      void store().loadTree(client);
      void client.invoke('project.info', {}).then((info) => setProjectProblems(info.diagnostics), () => undefined);
    };
    refresh();
    return client.subscribe('project.changed', () => {
      refresh();
      void store().reloadFromDisk(client);
    });
  }, [client, environment, store]);

  // Restore the project's tabs (and unsaved drafts) once; only then remember them, so a
  // half-done restore never overwrites what it is restoring.
  useEffect(() => {
    if (!tree || restoring.current) return;
    restoring.current = true;
    const layout = readLayout(tree.projectDir) ?? { tabs: [], active: undefined, showRendered: false, showProfile: true };
    void store()
      .restore(client, layout, readDrafts(tree.projectDir))
      .finally(() => setRestored(true));
  }, [tree, client, store]);
  useEffect(() => {
    if (!tree || !restored) return;
    localStorage.setItem(layoutKey(tree.projectDir), JSON.stringify({ tabs: tabs.map((t) => t.path), active, showRendered, showProfile }));
    writeDrafts(tree.projectDir, tabs);
  }, [tree, restored, tabs, active, showRendered, showProfile]);

  // Unsaved work is never lost silently: closing the window asks (the drafts above also bring
  // it back); the reload for another project does not, its drafts wait for the project's return.
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (store().tabs.some(isDirty) && !useProjects.getState().reloading) {
        event.preventDefault();
        event.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [store]);

  const { state: preview, runNow } = useLivePreview(client, tab, environment, visible);
  useLiveProblems(client, tab, environment);
  const rendered = useRendered(client, tab, showRendered);
  const [saveError, setSaveError] = useState<string | undefined>();

  const open = (path: string, at?: { line: number; column: number }) => void store().open(client, path, at).catch((e: unknown) => setSaveError(e instanceof Error ? e.message : String(e)));
  const closeTab = (path: string) => {
    const t = store().tabs.find((x) => x.path === path);
    if (t && isDirty(t) && !window.confirm(`${path} has unsaved changes. Close it and lose them?`)) return;
    store().close(path);
  };
  const save = async () => {
    const error = await store().save(client);
    setSaveError(error ? formatPasError(error) : undefined);
  };

  // Actions for the command palette and their shortcuts.
  const runNowRef = useRef(runNow);
  runNowRef.current = runNow;
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const inModels = () => useNavigation.getState().view === 'models';
    const hasTab = () => inModels() && store().active !== undefined;
    return registerActions([
      { id: 'palette.commands', category: 'View', title: 'Show all commands', keys: 'Mod+Shift+P', run: () => usePalette.getState().show('commands') },
      { id: 'workbench.quickOpen', category: 'File', title: 'Open a model or file…', keys: 'Mod+P', run: () => usePalette.getState().show('files') },
      { id: 'workbench.save', category: 'File', title: 'Save', keys: 'Mod+S', when: hasTab, run: () => saveRef.current() },
      { id: 'workbench.closeTab', category: 'File', title: 'Close tab', keys: 'Alt+W', when: hasTab, run: () => closeTab(store().active ?? '') },
      { id: 'workbench.format', category: 'Editor', title: 'Format document', keys: 'Shift+Alt+F', when: hasTab, run: () => runEditorAction('editor.action.formatDocument') },
      { id: 'workbench.definition', category: 'Editor', title: 'Go to definition', keys: 'F12', when: hasTab, run: () => runEditorAction('editor.action.revealDefinition') },
      { id: 'workbench.preview', category: 'Preview', title: 'Run the preview now', keys: 'Mod+Enter', when: hasTab, run: () => runNowRef.current() },
      { id: 'workbench.rendered', category: 'View', title: 'Toggle rendered SQL', keys: 'Alt+R', when: inModels, run: () => store().toggleRendered() },
      { id: 'workbench.profile', category: 'View', title: 'Toggle column profiles', keys: 'Alt+P', when: inModels, run: () => store().toggleProfile() },
      { id: 'workbench.problems', category: 'View', title: 'Show problems', keys: 'Alt+M', when: inModels, run: () => setBottom('problems') },
      { id: 'workbench.previewPanel', category: 'View', title: 'Show preview', keys: 'Alt+V', when: inModels, run: () => setBottom('preview') },
    ]);
  }, [client, store]);

  // A closed tab's Monaco model goes with it (its undo history is not kept).
  useEffect(() => {
    if (!parts) return;
    const open = new Set(tabs.map((t) => t.path));
    for (const model of parts.monaco.editor.getModels()) {
      const path = parts.pathOf(model.uri);
      if (path !== undefined && !open.has(path)) model.dispose();
    }
  }, [tabs, parts]);

  const dirty = useMemo(() => new Set(tabs.filter(isDirty).map((t) => t.path)), [tabs]);

  // Problems: live ones for open tabs, the project's saved ones for the other files.
  const allProblems: WorkbenchProblem[] = useMemo(() => {
    const live = new Set(Object.keys(problems));
    const saved = projectProblems.filter((p) => !live.has(p.file)).map((p) => ({ ...p, code: '' }));
    return [...Object.values(problems).flat(), ...saved].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  }, [problems, projectProblems]);
  const errorCount = allProblems.filter((p) => p.severity === 'error').length;
  const tabProblems = tab ? (problems[tab.path] ?? []) : [];
  // A preview error (at a file position) is marked too, unless the problems already mark that line.
  const at = preview.error?.code === 'sql' && preview.error.position?.offset === -1 ? preview.error.position : undefined;
  const previewMarker: WorkbenchProblem[] =
    tab && preview.path === tab.path && preview.error && at && !tabProblems.some((p) => p.line === at.line)
      ? [{ file: tab.path, line: at.line, column: at.column, severity: 'error', message: preview.error.message, code: 'preview' }]
      : [];
  const stale = preview.result !== undefined && (preview.text !== tab?.text || preview.error !== undefined || preview.running);
  const model = tree?.models.find((m) => m.file === tab?.path);

  return (
    <section className="workbench">
      <Explorer tree={tree} error={treeError} active={active} dirty={dirty} onOpen={(p) => open(p)} onEnvironment={(e) => store().setEnvironment(e)} />
      <div className="wb-main">
        <div className="wb-tabs" role="tablist" aria-label="Open files">
          {tabs.map((t) => {
            const n = (problems[t.path] ?? []).filter((p) => p.severity === 'error').length;
            return (
              <div key={t.path} role="tab" aria-selected={t.path === active} className={`wb-tab${t.path === active ? ' active' : ''}`} title={t.path}>
                <button type="button" className="wb-tab-name" onClick={() => store().setActive(t.path)} onAuxClick={(e) => e.button === 1 && closeTab(t.path)}>
                  {t.path.split('/').pop()}
                  {n > 0 && <span className="wb-tab-errors">{n}</span>}
                </button>
                <button type="button" className="wb-tab-close" aria-label={isDirty(t) ? `Close ${t.path} (unsaved changes)` : `Close ${t.path}`} onClick={() => closeTab(t.path)} data-dirty={isDirty(t)}>
                  <span className="wb-tab-dot">●</span>
                  <span className="wb-tab-x">×</span>
                </button>
              </div>
            );
          })}
        </div>
        <div className="wb-toolbar">
          {tab ? (
            <>
              <span className="wb-title" title={tab.path}>
                {model ? (
                  <>
                    <strong>{model.name}</strong> <span className="wb-kind">{model.kind}</span>
                  </>
                ) : (
                  tab.path
                )}
              </span>
              <button type="button" onClick={() => void save()} disabled={!isDirty(tab)} title="Save (Ctrl+S)">
                Save
              </button>
              <button type="button" onClick={() => runEditorAction('editor.action.formatDocument')} title="Format document (Shift+Alt+F)">
                Format
              </button>
              {isModelFile(tab.path) && (
                <>
                  <button type="button" aria-pressed={showRendered} onClick={() => store().toggleRendered()} title="Rendered SQL beside the source (Alt+R)">
                    Rendered SQL
                  </button>
                  <button type="button" className="primary" onClick={runNow} title="Preview now (Ctrl+Enter); edits preview by themselves">
                    ▶ Preview
                  </button>
                </>
              )}
              <span className="spacer" />
              {tab.changedOnDisk && <span className="wb-warning" role="alert">Changed on disk — saving overwrites it</span>}
              {saveError && (
                <span className="wb-warning" role="alert">
                  {saveError}
                </span>
              )}
              <span className="wb-hint">Ctrl+Shift+P: commands</span>
            </>
          ) : (
            <span className="wb-hint">Ctrl+P opens a model · Ctrl+Shift+P lists every command</span>
          )}
        </div>
        <div className="wb-editors">
          {tab ? (
            <>
              <div className="wb-editor-pane">
                {parts ? <parts.ModelEditor tab={tab} problems={[...tabProblems, ...previewMarker]} theme={theme} /> : <div className="wb-editor" />}
              </div>
              {showRendered && isModelFile(tab.path) && (
                <div className="wb-editor-pane wb-rendered">
                  <div className="wb-pane-title">Rendered SQL {rendered.error && <span className="wb-warning">· {rendered.error}</span>}</div>
                  {parts ? <parts.RenderedSql sql={rendered.sql ?? ''} theme={theme} /> : <div className="wb-editor" />}
                </div>
              )}
            </>
          ) : (
            <div className="wb-empty wb-start">
              <h2>Open a model</h2>
              <p>Pick a model in the explorer on the left, or press Ctrl+P and type its name.</p>
              <p>Edits preview by themselves: rows and column profiles appear below as you type.</p>
            </div>
          )}
        </div>
        <div className="wb-bottom">
          <div className="wb-bottom-tabs" role="tablist">
            <button type="button" role="tab" aria-selected={bottom === 'preview'} className={bottom === 'preview' ? 'active' : ''} onClick={() => setBottom('preview')}>
              Preview
            </button>
            <button type="button" role="tab" aria-selected={bottom === 'problems'} className={bottom === 'problems' ? 'active' : ''} onClick={() => setBottom('problems')} data-testid="problems-tab">
              Problems {allProblems.length > 0 && <span className={`wb-count${errorCount > 0 ? ' is-error' : ''}`}>{allProblems.length}</span>}
            </button>
            <span className="wb-preview-status" role="status" data-testid="preview-status">
              {bottom === 'preview' && preview.running
                ? 'Previewing…'
                : bottom === 'preview' && preview.result
                  ? `${preview.result.handle.rowCount.toLocaleString('en-US')}${preview.result.capped ? '+' : ''} rows · ${preview.result.handle.columns.length} columns · ${formatMs(preview.result.handle.elapsedMs)}${preview.result.inlined.length > 0 ? ` · inlined (never built in ${environment}): ${preview.result.inlined.join(', ')}` : ''}`
                  : ''}
            </span>
          </div>
          {bottom === 'preview' ? (
            <div className="wb-preview">
              {preview.error && (
                <div className="error-panel wb-preview-error" role="alert" data-testid="preview-error">
                  <pre>{formatPasError(preview.error)}</pre>
                  <LoadMissingTable client={client} error={preview.error} onLoaded={() => runNowRef.current()} />
                </div>
              )}
              <div className="wb-preview-body">
                <div className={`wb-grid${stale ? ' is-stale' : ''}`} data-testid="preview-grid" data-stale={stale}>
                  {preview.result ? (
                    <ResultGrid key={preview.result.handle.resultId} client={client} handle={preview.result.handle} />
                  ) : (
                    <div className="wb-empty">{tab ? (isModelFile(tab.path) ? (preview.error ? 'No rows: fix the error above.' : 'Running the preview…') : 'Only SQL models under models/ preview.') : 'Open a model to see its rows here.'}</div>
                  )}
                </div>
                {showProfile && preview.result && <ColumnProfiles profile={preview.profile} stale={stale} />}
              </div>
            </div>
          ) : (
            <ul className="wb-problems" data-testid="problems-panel">
              {allProblems.length === 0 && <li className="wb-empty">No problems. Typos in names, unknown columns and header mistakes show here as you type.</li>}
              {allProblems.map((p, i) => (
                <li key={i} className={p.severity}>
                  <button type="button" onClick={() => open(p.file, { line: p.line, column: p.column })}>
                    <span className="wb-problem-sev">{p.severity === 'error' ? '✖' : '⚠'}</span>
                    <code>
                      {p.file}:{p.line}:{p.column}
                    </code>{' '}
                    {p.message}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

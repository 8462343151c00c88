/**
 * The model editor: one Monaco editor showing the active tab's model (each tab keeps its own
 * Monaco model, so undo history and cursor survive tab switches), problems as markers at their
 * line and column, and a jump to a position asked for by go to definition or the problems list.
 */
import { useEffect, useRef } from 'react';
import type { WorkbenchProblem } from '../../../src-shared/workbench-contract';
import type { Theme } from '../../store/theme';
import { useWorkbench, type Tab } from '../../store/workbench';
import { monaco } from '../editor/monaco';
import { modelFor, pathOf } from './language';

export interface ModelEditorProps {
  tab: Tab;
  problems: WorkbenchProblem[];
  theme: Theme;
}

export function ModelEditor({ tab, problems, theme }: ModelEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | undefined>(undefined);
  const viewStates = useRef(new Map<string, monaco.editor.ICodeEditorViewState | null>());

  useEffect(() => {
    if (!host.current) return;
    const instance = monaco.editor.create(host.current, {
      model: null,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      scrollBeyondLastLine: false,
      tabSize: 2,
      fixedOverflowWidgets: true,
      ariaLabel: 'Model editor',
    });
    instance.onDidChangeModelContent(() => {
      const model = instance.getModel();
      const path = model ? pathOf(model.uri) : undefined;
      if (model && path) useWorkbench.getState().setText(path, model.getValue());
    });
    editor.current = instance;
    return () => instance.dispose();
  }, []);

  useEffect(() => monaco.editor.setTheme(theme === 'dark' ? 'vs-dark' : 'vs'), [theme]);

  // Show the tab's model; keep the text in step when the tab changed outside the editor.
  useEffect(() => {
    const instance = editor.current;
    if (!instance) return;
    const model = modelFor(tab.path, tab.text);
    if (model.getValue() !== tab.text) model.pushEditOperations([], [{ range: model.getFullModelRange(), text: tab.text }], () => null);
    const current = instance.getModel();
    if (current !== model) {
      const currentPath = current ? pathOf(current.uri) : undefined;
      if (currentPath) viewStates.current.set(currentPath, instance.saveViewState());
      instance.setModel(model);
      const state = viewStates.current.get(tab.path);
      if (state) instance.restoreViewState(state);
      instance.focus();
    }
  }, [tab.path, tab.text]);

  useEffect(() => {
    const instance = editor.current;
    if (!instance || !tab.reveal) return;
    const { line, column } = tab.reveal;
    instance.setPosition({ lineNumber: line, column });
    instance.revealLineInCenter(line);
    instance.focus();
    useWorkbench.getState().clearReveal(tab.path);
  }, [tab.path, tab.reveal]);

  useEffect(() => {
    const model = monaco.editor.getModel(modelFor(tab.path, tab.text).uri);
    if (!model) return;
    const markers = problems.map((p) => {
      const line = Math.min(Math.max(1, p.line), model.getLineCount());
      const word = model.getWordAtPosition({ lineNumber: line, column: p.column });
      const endLine = p.endLine ?? line;
      const endColumn = p.endLine !== undefined && p.endColumn !== undefined && (p.endLine > line || p.endColumn > p.column) ? p.endColumn : word && word.startColumn <= p.column ? word.endColumn : p.column + 1;
      return {
        severity: p.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
        message: p.message,
        source: p.code,
        startLineNumber: line,
        startColumn: p.column,
        endLineNumber: endLine,
        endColumn,
      };
    });
    monaco.editor.setModelMarkers(model, 'workbench', markers);
  }, [tab.path, problems]);

  return <div ref={host} className="wb-editor" data-testid="model-editor" data-path={tab.path} />;
}

/** Runs a Monaco editor action (format, …) on the focused or last-used model editor. */
export function runEditorAction(id: string): void {
  const editors = monaco.editor.getEditors().filter((e) => {
    const model = e.getModel();
    return model !== null && pathOf(model.uri) !== undefined;
  });
  const target = editors.find((e) => e.hasTextFocus()) ?? editors[0];
  target?.focus();
  // `trigger` reaches both editor actions and commands (go to definition is a command).
  target?.trigger('palette', id, null);
}

/**
 * The SQL editor: Monaco with the `duckdb` language, Ctrl/Cmd+Enter to run (the selection
 * if there is one, else everything), and an error marker at a given position.
 */
import { useEffect, useRef } from 'react';
import type { SourcePosition } from '../../../src-shared/errors';
import type { Theme } from '../../store/theme';
import { DUCKDB_LANGUAGE } from './duckdb-language';
import { monaco } from './monaco';

export interface EditorError {
  message: string;
  position: SourcePosition;
}

export interface SqlEditorProps {
  value: string;
  theme: Theme;
  error: EditorError | undefined;
  onChange(value: string): void;
  /** The text to run and its offset in the document. */
  onRun(sql: string, from: number): void;
}

export function SqlEditor({ value, theme, error, onChange, onRun }: SqlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | undefined>(undefined);
  const handlers = useRef({ onChange, onRun });
  handlers.current = { onChange, onRun };

  useEffect(() => {
    if (!host.current) return;
    const instance = monaco.editor.create(host.current, {
      value,
      language: DUCKDB_LANGUAGE,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      scrollBeyondLastLine: false,
      renderLineHighlight: 'line',
      tabSize: 2,
      ariaLabel: 'SQL editor',
    });
    instance.onDidChangeModelContent(() => handlers.current.onChange(instance.getValue()));
    instance.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => {
      const model = instance.getModel();
      const selection = instance.getSelection();
      if (!model) return;
      if (selection && !selection.isEmpty()) {
        handlers.current.onRun(model.getValueInRange(selection), model.getOffsetAt(selection.getStartPosition()));
      } else {
        handlers.current.onRun(model.getValue(), 0);
      }
    });
    editor.current = instance;
    instance.focus();
    return () => instance.dispose();
    // The editor owns its text after creation; `value` only seeds it.
  }, []);

  useEffect(() => monaco.editor.setTheme(theme === 'dark' ? 'vs-dark' : 'vs'), [theme]);

  useEffect(() => {
    const model = editor.current?.getModel();
    if (!model) return;
    if (!error) {
      monaco.editor.setModelMarkers(model, 'duckdb', []);
      return;
    }
    const start = model.getPositionAt(error.position.offset);
    const word = model.getWordAtPosition(start);
    const endColumn = word && word.startColumn <= start.column ? word.endColumn : start.column + 1;
    monaco.editor.setModelMarkers(model, 'duckdb', [
      {
        severity: monaco.MarkerSeverity.Error,
        message: error.message,
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: start.lineNumber,
        endColumn,
      },
    ]);
    editor.current?.revealPositionInCenterIfOutsideViewport(start);
  }, [error]);

  return <div ref={host} className="editor" data-testid="sql-editor" />;
}

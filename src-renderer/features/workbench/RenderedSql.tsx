/** The read-only Monaco pane beside the model editor that shows a model's rendered SQL. */
import { useEffect, useRef } from 'react';
import type { Theme } from '../../store/theme';
import { monaco } from '../editor/monaco';

export function RenderedSql({ sql, theme }: { sql: string; theme: Theme }) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | undefined>(undefined);
  useEffect(() => {
    if (!host.current) return;
    editor.current = monaco.editor.create(host.current, { value: '', language: 'duckdb', readOnly: true, automaticLayout: true, minimap: { enabled: false }, fontSize: 13, scrollBeyondLastLine: false, ariaLabel: 'Rendered SQL' });
    return () => editor.current?.dispose();
  }, []);
  useEffect(() => {
    if (editor.current && editor.current.getValue() !== sql) editor.current.setValue(sql);
  }, [sql]);
  useEffect(() => monaco.editor.setTheme(theme === 'dark' ? 'vs-dark' : 'vs'), [theme]);
  return <div ref={host} className="wb-editor" data-testid="rendered-sql" />;
}

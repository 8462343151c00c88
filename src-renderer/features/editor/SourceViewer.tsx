/** A read-only Monaco view of a project file, scrolled to and marking a position. */
import { useEffect, useRef } from 'react';
import type { Theme } from '../../store/theme';
import { DUCKDB_LANGUAGE } from './duckdb-language';
import { monaco } from './monaco';

export function SourceViewer({ path, text, line, column, theme }: { path: string; text: string; line: number; column: number; theme: Theme }) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | undefined>(undefined);

  useEffect(() => {
    if (!host.current) return;
    editor.current = monaco.editor.create(host.current, {
      value: '',
      language: path.endsWith('.sql') ? DUCKDB_LANGUAGE : path.endsWith('.ts') ? 'typescript' : 'plaintext',
      readOnly: true,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      scrollBeyondLastLine: false,
      ariaLabel: `Source of ${path}`,
    });
    return () => editor.current?.dispose();
  }, [path]);

  useEffect(() => {
    const instance = editor.current;
    if (!instance) return;
    instance.setValue(text);
    instance.setSelection(new monaco.Selection(line, column, line, column));
    instance.revealLineInCenter(line);
    const decorations = instance.createDecorationsCollection([
      { range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, className: 'source-target-line' } },
    ]);
    return () => decorations.clear();
  }, [text, line, column]);

  useEffect(() => monaco.editor.setTheme(theme === 'dark' ? 'vs-dark' : 'vs'), [theme]);

  return <div ref={host} className="source-viewer" data-testid="source-viewer" data-line={line} />;
}

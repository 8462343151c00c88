/**
 * The query console: editor, Run/Cancel, status (row count, elapsed time), the error with its
 * position, and the result grid. Runs in its own engine session so temp objects persist.
 */
import { useEffect, useState } from 'react';
import { formatPasError } from '../../../src-shared/errors';
import { useConsole } from '../../store/console';
import { useTheme } from '../../store/theme';
import type { Client } from '../../transport/client';
import { SqlEditor, type EditorError } from '../editor/SqlEditor';
import { ResultGrid } from '../results/ResultGrid';

function useElapsed(running: boolean, startedAt: number | undefined): number | undefined {
  const [now, setNow] = useState(performance.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(timer);
  }, [running]);
  return running && startedAt !== undefined ? now - startedAt : undefined;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function QueryConsole({ client }: { client: Client }) {
  const { sql, running, startedAt, result, error, ranFrom, setSql, run, cancel } = useConsole();
  const theme = useTheme((s) => s.theme);
  const elapsed = useElapsed(running, startedAt);

  const editorError: EditorError | undefined =
    error?.code === 'sql' && error.position
      ? { message: error.message, position: { ...error.position, offset: error.position.offset + ranFrom } }
      : undefined;

  return (
    <section className="console">
      <div className="toolbar">
        <button type="button" className="primary" disabled={running} onClick={() => void run(client, sql, 0)} title="Run (Ctrl+Enter)">
          ▶ Run
        </button>
        <button type="button" disabled={!running} onClick={cancel} title="Cancel the running query">
          ■ Cancel
        </button>
        <span className="status" role="status" aria-live="polite" data-testid="query-status">
          {running
            ? `Running… ${elapsed !== undefined ? formatMs(elapsed) : ''}`
            : error
              ? error.code === 'cancelled'
                ? 'Cancelled'
                : 'Failed'
              : result
                ? `${result.rowCount.toLocaleString('en-US')} ${result.rowCount === 1 ? 'row' : 'rows'} · ${result.columns.length} columns · ${formatMs(result.elapsedMs)}`
                : 'Ready · Ctrl+Enter runs the query'}
        </span>
      </div>
      <div className="editor-pane">
        <SqlEditor value={sql} theme={theme} error={editorError} onChange={setSql} onRun={(text, from) => void run(client, text, from)} />
      </div>
      {error && error.code !== 'cancelled' && (
        <div className="error-panel" role="alert" data-testid="query-error">
          <strong>{error.code === 'sql' ? `${error.errorType} error` : 'Error'}</strong>
          <pre>{formatPasError(error)}</pre>
        </div>
      )}
      <div className="results-pane">
        {result ? (
          <ResultGrid key={result.resultId} client={client} handle={result} exportName="query" />
        ) : (
          <div className="empty">{error ? (error.code === 'cancelled' ? 'Cancelled: run the query again for rows.' : 'The query failed: fix it and run again (Ctrl+Enter).') : running ? 'Running…' : 'No results yet: write a query and press Ctrl+Enter.'}</div>
        )}
      </div>
    </section>
  );
}

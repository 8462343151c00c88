/**
 * The lake browser: schemas and tables (rows, files, size), the snapshot history with what each
 * changed, and any table queried as of any snapshot into the result grid.
 */
import { useCallback, useEffect, useState } from 'react';
import { formatPasError, isPasException } from '../../../src-shared/errors';
import type { LakeOverview } from '../../../src-shared/lake';
import type { QueryResultHandle } from '../../../src-shared/values';
import type { Client } from '../../transport/client';
import { ResultGrid } from '../results/ResultGrid';

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

function changeText(changes: Record<string, string[]>): string {
  return Object.entries(changes)
    .map(([kind, items]) => `${kind.replace(/_/g, ' ')}: ${items.join(', ')}`)
    .join('; ');
}

export function LakePanel({ client, active }: { client: Client; active: boolean }) {
  const [overview, setOverview] = useState<LakeOverview | undefined>();
  const [selected, setSelected] = useState<{ schema: string; table: string } | undefined>();
  const [snapshot, setSnapshot] = useState<number | undefined>();
  const [result, setResult] = useState<QueryResultHandle | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    client.invoke('lake.overview', {}).then(setOverview, (e: unknown) => setError(isPasException(e) ? formatPasError(e.error) : String(e)));
  }, [client]);

  useEffect(() => {
    if (active) refresh();
  }, [active, refresh]);

  const run = async (target: { schema: string; table: string }, at: number | undefined) => {
    setSelected(target);
    setBusy(true);
    setError(undefined);
    try {
      setResult(await client.invoke('lake.query', { ...target, ...(at !== undefined ? { snapshot: at } : {}) }));
    } catch (e) {
      setError(isPasException(e) ? formatPasError(e.error) : String(e));
      setResult(undefined);
    } finally {
      setBusy(false);
    }
  };

  if (!overview) return <section className="lake">Loading the lake…</section>;
  if (!overview.configured) {
    return (
      <section className="lake">
        <p className="hint">{overview.reason}</p>
      </section>
    );
  }
  return (
    <section className="lake" aria-label="Lake browser">
      <div className="toolbar">
        <strong>Lake {overview.name}</strong>
        <span className="status">{overview.dataRoot}</span>
        <span className="spacer" />
        <label>
          As of{' '}
          <select
            aria-label="Snapshot"
            value={snapshot ?? ''}
            onChange={(e) => {
              const value = e.target.value === '' ? undefined : Number(e.target.value);
              setSnapshot(value);
              if (selected) void run(selected, value);
            }}
          >
            <option value="">latest</option>
            {overview.snapshots.map((s) => (
              <option key={s.id} value={s.id}>
                snapshot {s.id} · {s.time.slice(0, 19).replace('T', ' ')}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      {error && (
        <div className="error-panel" role="alert">
          {error}
        </div>
      )}
      <div className="lake-body">
        <div className="lake-tree" role="tree" aria-label="Schemas and tables">
          {overview.schemas.map((schema) => (
            <div key={schema.name} role="treeitem" aria-expanded="true" className="lake-schema">
              <div className="lake-schema-name">{schema.name}</div>
              {schema.tables.map((t) => (
                <button
                  key={t.name}
                  type="button"
                  className={`lake-table${selected?.schema === schema.name && selected.table === t.name ? ' active' : ''}`}
                  data-testid={`lake-table-${schema.name}.${t.name}`}
                  onClick={() => void run({ schema: schema.name, table: t.name }, snapshot)}
                  title={t.columns.map((c) => `${c.name} ${c.type}`).join('\n')}
                >
                  <span className="lake-table-name">{t.name}</span>
                  <span className="lake-table-meta">
                    {t.rows.toLocaleString('en-US')} rows · {t.files} files · {bytes(t.bytes)}
                  </span>
                </button>
              ))}
              {schema.views.map((v) => (
                <div key={v} className="lake-view">
                  {v} <span className="lake-table-meta">view</span>
                </div>
              ))}
            </div>
          ))}
        </div>
        <div className="lake-main">
          <div className="lake-result" data-testid="lake-result">
            {busy ? <div className="empty">Reading…</div> : result ? <ResultGrid key={result.resultId} client={client} handle={result} exportName={selected ? `${selected.schema}.${selected.table}` : undefined} /> : <div className="empty">Pick a table to read it.</div>}
          </div>
          <div className="lake-snapshots">
            <h3>Snapshots</h3>
            <ol data-testid="lake-snapshots">
              {overview.snapshots.map((s) => (
                <li key={s.id}>
                  <strong>#{s.id}</strong> <span className="status">{s.time.slice(0, 19).replace('T', ' ')}</span> {changeText(s.changes)}
                  {s.message && <em> — {s.message}</em>}
                </li>
              ))}
            </ol>
          </div>
        </div>
      </div>
    </section>
  );
}

/**
 * The project explorer: models grouped by schema and folder with kind badges and a status dot
 * (problems, changed versus the selected environment, never built), then external models,
 * audits, tests, seeds, pipelines and config files; a search box filters everything.
 */
import { useMemo, useState } from 'react';
import { ExplorerProject } from '../projects/ProjectSwitcher';
import type { WorkbenchItem, WorkbenchModel, WorkbenchTree } from '../../../src-shared/workbench-contract';

const KIND_SHORT: Record<string, string> = {
  FULL: 'FULL',
  VIEW: 'VIEW',
  INCREMENTAL_BY_TIME_RANGE: 'INCR·TIME',
  INCREMENTAL_BY_UNIQUE_KEY: 'INCR·KEY',
  INCREMENTAL_BY_PARTITION: 'INCR·PART',
  INCREMENTAL_UNMANAGED: 'INCR',
  SCD_TYPE_2_BY_TIME: 'SCD2',
  SCD_TYPE_2_BY_COLUMN: 'SCD2',
  SEED: 'SEED',
  EXTERNAL: 'EXT',
  EMBEDDED: 'EMB',
};

function status(model: WorkbenchModel): { className: string; label: string } {
  if (model.status.errors > 0) return { className: 'is-error', label: `${model.status.errors} problem${model.status.errors === 1 ? '' : 's'}` };
  if (model.status.neverBuilt) return { className: 'is-new', label: 'never built in this environment' };
  if (model.status.changed) return { className: 'is-changed', label: 'changed versus this environment' };
  if (model.status.warnings > 0) return { className: 'is-warning', label: `${model.status.warnings} warning${model.status.warnings === 1 ? '' : 's'}` };
  return { className: 'is-ok', label: 'up to date' };
}

const ITEM_GROUPS: { type: WorkbenchItem['type']; title: string }[] = [
  { type: 'audit', title: 'Audits' },
  { type: 'test', title: 'Tests' },
  { type: 'seed', title: 'Seeds' },
  { type: 'pipeline', title: 'Pipelines' },
  { type: 'config', title: 'Project files' },
];

export interface ExplorerProps {
  tree: WorkbenchTree | undefined;
  error: string | undefined;
  active: string | undefined;
  dirty: ReadonlySet<string>;
  onOpen(path: string): void;
  onEnvironment(environment: string): void;
}

export function Explorer({ tree, error, active, dirty, onOpen, onEnvironment }: ExplorerProps) {
  const [query, setQuery] = useState('');
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const q = query.trim().toLowerCase();

  const groups = useMemo(() => {
    const bySchema = new Map<string, Map<string, WorkbenchModel[]>>();
    for (const model of tree?.models ?? []) {
      if (model.source === 'external') continue;
      if (q && !model.name.toLowerCase().includes(q) && !model.kind.toLowerCase().includes(q) && !model.columns.some((c) => c.name.toLowerCase().includes(q))) continue;
      let folders = bySchema.get(model.schema);
      if (!folders) bySchema.set(model.schema, (folders = new Map()));
      const list = folders.get(model.folder) ?? [];
      list.push(model);
      folders.set(model.folder, list);
    }
    return [...bySchema.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [tree, q]);

  const externals = (tree?.models ?? []).filter((m) => m.source === 'external' && (!q || m.name.toLowerCase().includes(q)));
  const items = (tree?.items ?? []).filter((i) => !q || i.name.toLowerCase().includes(q) || i.file.toLowerCase().includes(q));
  const toggle = (key: string) => {
    const next = new Set(collapsed);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setCollapsed(next);
  };

  const modelRow = (model: WorkbenchModel) => {
    const s = status(model);
    return (
      <li key={model.name}>
        <button
          type="button"
          className={`wb-node${active === model.file ? ' active' : ''}`}
          onClick={() => onOpen(model.file)}
          title={`${model.name}\n${model.kind}\n${s.label}${model.description ? `\n${model.description}` : ''}`}
          data-testid={`explorer-model-${model.name}`}
        >
          <span className={`wb-status ${s.className}`} aria-label={s.label} />
          <span className="wb-node-name">{model.name.split('.').pop()}</span>
          {dirty.has(model.file) && <span className="wb-dirty" aria-label="unsaved changes">●</span>}
          <span className="wb-kind" data-kind={model.kind}>
            {KIND_SHORT[model.kind] ?? model.kind}
          </span>
        </button>
      </li>
    );
  };

  return (
    <aside className="wb-explorer" aria-label="Project explorer">
      <div className="wb-explorer-head">
        <ExplorerProject projectDir={tree?.projectDir} />
        <input type="search" placeholder="Search models, columns, files…" aria-label="Search the project" value={query} onChange={(e) => setQuery(e.target.value)} />
        {tree && (
          <label className="wb-env" title="Status, preview and upstream data are read from this environment">
            env
            <select value={tree.environment} onChange={(e) => onEnvironment(e.target.value)} aria-label="Environment">
              {tree.environments.map((e) => (
                <option key={e}>{e}</option>
              ))}
            </select>
          </label>
        )}
      </div>
      <div className="wb-explorer-body">
        {error && <div className="wb-empty is-error">The project did not load: {error}</div>}
        {!tree && !error && <div className="wb-empty">Loading the project…</div>}
        {tree && tree.models.length === 0 && <div className="wb-empty">No models yet. Create a file under models/ that starts with MODEL (name schema.table, kind FULL); followed by a SELECT.</div>}
        {groups.map(([schema, folders]) => (
          <section key={schema} className="wb-group">
            <button type="button" className="wb-group-title" onClick={() => toggle(schema)} aria-expanded={!collapsed.has(schema)}>
              {collapsed.has(schema) ? '▸' : '▾'} {schema}
            </button>
            {!collapsed.has(schema) &&
              [...folders.entries()].map(([folder, list]) => (
                <div key={folder}>
                  {folders.size > 1 || (folder !== schema && folder !== '') ? <div className="wb-folder">models/{folder}</div> : null}
                  <ul className="wb-list">{list.map(modelRow)}</ul>
                </div>
              ))}
          </section>
        ))}
        {externals.length > 0 && (
          <section className="wb-group">
            <button type="button" className="wb-group-title" onClick={() => toggle('external')} aria-expanded={!collapsed.has('external')}>
              {collapsed.has('external') ? '▸' : '▾'} External models
            </button>
            {!collapsed.has('external') && <ul className="wb-list">{externals.map(modelRow)}</ul>}
          </section>
        )}
        {ITEM_GROUPS.map(({ type, title }) => {
          const list = items.filter((i) => i.type === type);
          if (list.length === 0) return null;
          return (
            <section key={type} className="wb-group">
              <button type="button" className="wb-group-title" onClick={() => toggle(type)} aria-expanded={!collapsed.has(type)}>
                {collapsed.has(type) ? '▸' : '▾'} {title}
              </button>
              {!collapsed.has(type) && (
                <ul className="wb-list">
                  {list.map((item) => (
                    <li key={`${item.type}:${item.name}:${item.file}`}>
                      <button type="button" className={`wb-node${active === item.file ? ' active' : ''}`} onClick={() => onOpen(item.file)} title={item.file}>
                        <span className="wb-node-name">{item.name}</span>
                        {dirty.has(item.file) && <span className="wb-dirty">●</span>}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
        {tree && q && groups.length === 0 && externals.length === 0 && items.length === 0 && <div className="wb-empty">Nothing matches “{query}”.</div>}
      </div>
      {tree && (
        <div className="wb-legend" aria-label="Status legend">
          <span><span className="wb-status is-error" /> problems</span>
          <span><span className="wb-status is-changed" /> changed</span>
          <span><span className="wb-status is-new" /> never built</span>
        </div>
      )}
    </aside>
  );
}

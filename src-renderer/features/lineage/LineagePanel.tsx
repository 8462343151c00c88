/**
 * The lineage view: models as nodes listing their columns, column-to-column edges, laid out
 * off the UI thread. Picking a column highlights where its values come from and what uses
 * them, and lists each hop's expression; the model's file opens at the column's expression.
 * Only the part connected to the focus is shown; each side expands one level at a time, and
 * "All downstream" shows the whole impact of a change (every level downstream).
 */
import { Background, Controls, ReactFlow, type Edge } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useState } from 'react';
import { formatPasError, isPasException } from '../../../src-shared/errors';
import type { ColumnKey, LineageModelSummary, LineageView } from '../../../src-shared/lineage';
import { useNavigation } from '../../store/navigation';
import { useTheme } from '../../store/theme';
import type { Client } from '../../transport/client';
import { SourceViewer } from '../editor/SourceViewer';
import { columnId, highlightPaths } from './highlight';
import { layout } from './layout';
import type { Positions } from './layout-core';
import { HEADER_HEIGHT, ModelNode, NODE_WIDTH, ROW_HEIGHT, type ModelFlowNode } from './ModelNode';

const nodeTypes = { model: ModelNode };

/** The most levels the contract allows: in practice the whole downstream. */
const ALL_LEVELS = 100;

function defaultFocus(all: LineageModelSummary[]): string | undefined {
  // Roots (tables that are not models) are listed too; start from a model.
  const models = all.filter((m) => m.kind !== 'SOURCE' && m.kind !== 'EXTERNAL');
  return (models.find((m) => m.name.startsWith('marts.')) ?? models[models.length - 1] ?? all[0])?.name;
}

export function LineagePanel({ client, active }: { client: Client; active: boolean }) {
  const theme = useTheme((s) => s.theme);
  const { file, openFile } = useNavigation();
  const [models, setModels] = useState<LineageModelSummary[]>([]);
  const [focus, setFocus] = useState<string | undefined>();
  const [depth, setDepth] = useState({ up: 5, down: 1 });
  const [view, setView] = useState<LineageView | undefined>();
  const [positions, setPositions] = useState<Positions>({});
  const [selected, setSelected] = useState<ColumnKey | undefined>();
  const [showFilters, setShowFilters] = useState(false);
  const [search, setSearch] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [source, setSource] = useState<{ path: string; text: string } | undefined>();
  const [revision, setRevision] = useState(0);

  useEffect(() => client.subscribe('project.changed', () => setRevision((r) => r + 1)), [client]);

  useEffect(() => {
    if (!active) return;
    client.invoke('lineage.models', {}).then(
      (result) => {
        setModels(result.models);
        setFocus((current) => current ?? defaultFocus(result.models));
      },
      (e: unknown) => setError(isPasException(e) ? formatPasError(e.error) : String(e)),
    );
  }, [client, active, revision]);

  useEffect(() => {
    if (!focus) return;
    let stale = false;
    client.invoke('lineage.graph', { model: focus, upstream: depth.up, downstream: Math.min(depth.down, ALL_LEVELS) }).then(
      async (result) => {
        const sized = result.nodes.map((n) => ({ id: n.model.toLowerCase(), width: NODE_WIDTH, height: HEADER_HEIGHT + ROW_HEIGHT * n.columns.length }));
        const edges = result.edges.map((e) => ({ source: e.from.model.toLowerCase(), target: e.to.model.toLowerCase() }));
        const laidOut = await layout(sized, edges);
        if (stale) return;
        setView(result);
        setPositions(laidOut);
        setError(undefined);
      },
      (e: unknown) => !stale && setError(isPasException(e) ? formatPasError(e.error) : String(e)),
    );
    return () => {
      stale = true;
    };
  }, [client, focus, depth, revision]);

  const highlight = useMemo(
    () => (view && selected ? highlightPaths(view.edges, selected, showFilters) : { columns: new Set<string>(), edges: new Set<number>() }),
    [view, selected, showFilters],
  );

  const showSource = async (path: string, line: number, column: number) => {
    try {
      const loaded = await client.invoke('project.file', { path });
      setSource(loaded);
      openFile({ path, line, column });
    } catch (e) {
      setError(isPasException(e) ? formatPasError(e.error) : String(e));
    }
  };

  const nodes: ModelFlowNode[] = (view?.nodes ?? []).map((node) => {
    const id = node.model.toLowerCase();
    return {
      id,
      type: 'model',
      position: positions[id] ?? { x: 0, y: 0 },
      data: {
        node,
        highlighted: highlight.columns,
        selected: selected ? columnId(selected) : undefined,
        focus: id === view?.focus.model.toLowerCase(),
        onColumn: (column: string) => {
          setSelected({ model: node.model, column });
          const position = node.columns.find((c) => c.name === column)?.position;
          if (position) void showSource(position.file, position.line, position.column);
        },
        onHeader: () => {
          if (node.file) void showSource(node.file, 1, 1);
        },
      },
      draggable: false,
    };
  });

  const edges: Edge[] = (view?.edges ?? [])
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => showFilters || e.kind !== 'filter')
    .map(({ e, i }) => ({
      id: `e${i}`,
      source: e.from.model.toLowerCase(),
      sourceHandle: `out:${e.from.column.toLowerCase()}`,
      target: e.to.model.toLowerCase(),
      targetHandle: `in:${e.to.column.toLowerCase()}`,
      className: `${e.kind === 'filter' ? 'is-filter ' : ''}${highlight.edges.has(i) ? 'is-lit' : ''}`,
      ...(highlight.edges.has(i) ? { zIndex: 10 } : {}),
    }));

  const hops = (view?.edges ?? []).filter((_, i) => highlight.edges.has(i));
  const options = useMemo(() => models.flatMap((m) => [m.name, ...m.columns.map((c) => `${m.name}.${c}`)]), [models]);

  const applySearch = () => {
    const text = search.trim().toLowerCase();
    const model = models.find((m) => m.name.toLowerCase() === text) ?? models.find((m) => text.startsWith(`${m.name.toLowerCase()}.`));
    if (!model) {
      setError(`No model or column matches "${search}".`);
      return;
    }
    setFocus(model.name);
    const column = text.length > model.name.length ? model.columns.find((c) => c.toLowerCase() === text.slice(model.name.length + 1)) : undefined;
    setSelected(column ? { model: model.name, column } : undefined);
  };

  return (
    <section className="lineage" aria-label="Column lineage">
      <div className="toolbar">
        <input
          className="lineage-search"
          list="lineage-options"
          placeholder="Model or model.column"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && applySearch()}
          aria-label="Search models and columns"
        />
        <datalist id="lineage-options">
          {options.map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
        <button type="button" onClick={applySearch}>
          Show
        </button>
        <span className="depth" aria-label="Upstream levels">
          Upstream
          <button type="button" aria-label="Fewer upstream levels" onClick={() => setDepth((d) => ({ ...d, up: Math.max(0, d.up - 1) }))}>
            −
          </button>
          <span data-testid="upstream-depth">{depth.up}</span>
          <button type="button" aria-label="More upstream levels" onClick={() => setDepth((d) => ({ ...d, up: d.up + 1 }))} disabled={view !== undefined && view.moreUpstream.length === 0}>
            +
          </button>
        </span>
        <span className="depth" aria-label="Downstream levels">
          Downstream
          <button type="button" aria-label="Fewer downstream levels" onClick={() => setDepth((d) => ({ ...d, down: Math.max(0, d.down - 1) }))}>
            −
          </button>
          <span data-testid="downstream-depth">{depth.down >= ALL_LEVELS ? 'all' : depth.down}</span>
          <button type="button" aria-label="More downstream levels" onClick={() => setDepth((d) => ({ ...d, down: d.down + 1 }))} disabled={depth.down >= ALL_LEVELS || (view !== undefined && view.moreDownstream.length === 0)}>
            +
          </button>
          <button
            type="button"
            aria-pressed={depth.down >= ALL_LEVELS}
            title="Show every model downstream: the whole impact of a change"
            onClick={() => setDepth((d) => ({ ...d, down: d.down >= ALL_LEVELS ? 1 : ALL_LEVELS }))}
          >
            All downstream
          </button>
        </span>
        <label className="toggle">
          <input type="checkbox" checked={showFilters} onChange={(e) => setShowFilters(e.target.checked)} /> Filter dependencies
        </label>
        <span className="status">{view ? `${view.nodes.length} models · ${view.edges.length} column edges` : 'Loading lineage…'}</span>
      </div>
      {error && (
        <div className="error-panel" role="alert">
          {error}
        </div>
      )}
      <div className="lineage-body">
        <div className="lineage-canvas" data-testid="lineage-canvas">
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            fitView
            minZoom={0.1}
            onlyRenderVisibleElements={nodes.length > 200}
            nodesConnectable={false}
            colorMode={theme}
            proOptions={{ hideAttribution: true }}
            key={`${view?.focus.model}:${depth.up}:${depth.down}`}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
        <aside className="lineage-side">
          {selected ? (
            <>
              <h3>
                {selected.model}.{selected.column}
              </h3>
              <ol className="lineage-hops" data-testid="lineage-hops">
                {hops.map((e, i) => (
                  <li key={i} className={e.kind === 'filter' ? 'is-filter' : ''}>
                    <code>
                      {e.from.model}.{e.from.column}
                    </code>{' '}
                    → <code>{e.to.model}.{e.to.column}</code> <span className="hop-kind">{e.kind}</span>
                    {e.expression && <pre>{e.expression}</pre>}
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <p className="hint">Click a column to see where its values come from and what uses them.</p>
          )}
          {source && file && <SourceViewer path={source.path} text={source.text} line={file.line} column={file.column} theme={theme} />}
        </aside>
      </div>
    </section>
  );
}

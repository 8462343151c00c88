/**
 * Which columns and edges to highlight when a column is selected: everything its values come
 * from (upstream, transitively) and everything that uses it (downstream, transitively), within
 * the edges of the view. Filter dependencies are followed only when they are shown.
 */
import type { ColumnKey, LineageEdge } from '../../../src-shared/lineage';

export function columnId(ref: ColumnKey): string {
  return `${ref.model.toLowerCase()}\u0000${ref.column.toLowerCase()}`;
}

export interface Highlight {
  columns: Set<string>;
  edges: Set<number>;
}

export function highlightPaths(edges: LineageEdge[], selected: ColumnKey, showFilters: boolean): Highlight {
  const usable = edges.map((e, i) => ({ e, i })).filter(({ e }) => showFilters || e.kind !== 'filter');
  const columns = new Set([columnId(selected)]);
  const marked = new Set<number>();
  const walk = (direction: 'up' | 'down') => {
    const queue = [columnId(selected)];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const current = queue.shift() as string;
      for (const { e, i } of usable) {
        const [near, far] = direction === 'up' ? [e.to, e.from] : [e.from, e.to];
        if (columnId(near) !== current) continue;
        marked.add(i);
        const next = columnId(far);
        columns.add(next);
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  };
  walk('up');
  walk('down');
  return { columns, edges: marked };
}

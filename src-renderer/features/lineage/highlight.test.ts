import { describe, expect, it } from 'vitest';
import type { LineageEdge } from '../../../src-shared/lineage';
import { columnId, highlightPaths } from './highlight';

const edges: LineageEdge[] = [
  { from: { model: 'raw.c', column: 'injured' }, to: { model: 'stg.c', column: 'persons_injured' }, kind: 'value' },
  { from: { model: 'stg.c', column: 'persons_injured' }, to: { model: 'mart.s', column: 'injured' }, kind: 'value' },
  { from: { model: 'stg.c', column: 'borough' }, to: { model: 'mart.s', column: 'injured' }, kind: 'filter' },
  { from: { model: 'raw.c', column: 'borough' }, to: { model: 'stg.c', column: 'borough' }, kind: 'value' },
  { from: { model: 'mart.s', column: 'injured' }, to: { model: 'mart.t', column: 'total' }, kind: 'value' },
  { from: { model: 'raw.c', column: 'killed' }, to: { model: 'stg.c', column: 'persons_killed' }, kind: 'value' },
];

describe('lineage highlight', () => {
  it('follows value paths upstream to the source and downstream to every user', () => {
    const h = highlightPaths(edges, { model: 'mart.s', column: 'injured' }, false);
    expect([...h.columns].sort()).toEqual(
      [columnId({ model: 'mart.s', column: 'injured' }), columnId({ model: 'stg.c', column: 'persons_injured' }), columnId({ model: 'raw.c', column: 'injured' }), columnId({ model: 'mart.t', column: 'total' })].sort(),
    );
    expect([...h.edges].sort()).toEqual([0, 1, 4]);
  });

  it('includes filter dependencies only when they are shown', () => {
    const h = highlightPaths(edges, { model: 'mart.s', column: 'injured' }, true);
    expect(h.columns.has(columnId({ model: 'raw.c', column: 'borough' }))).toBe(true);
    expect(h.edges.has(2)).toBe(true);
  });
});

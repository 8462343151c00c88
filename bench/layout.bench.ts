/**
 * Lineage graph layout: ELK layered with our speed-tuned options (the code the layout web
 * worker runs) on 500 and 1,000 model nodes, against ELK's default options in the same run.
 * Target: 500 nodes under 1 s (in the worker, so input is never blocked).
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutGraph, type LayoutEdge, type LayoutNode } from '../src-renderer/features/lineage/layout-core';
import type { Figure } from './harness';

function graph(n: number): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `m${i}`, width: 250, height: 34 + 22 * (3 + (i % 9)) }));
  const edges: LayoutEdge[] = [];
  for (let i = 1; i < n; i++) {
    edges.push({ source: `m${(i * 7919) % i}`, target: `m${i}` });
    if (i > 3) edges.push({ source: `m${(i * 104_729 + 13) % i}`, target: `m${i}` });
  }
  return { nodes, edges };
}

/** Median of three runs (ELK's JIT-compiled code is warm after the first layouts). */
async function time(fn: () => Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await fn();
    runs.push(performance.now() - started);
  }
  return runs.sort((a, b) => a - b)[1] ?? 0;
}

export async function run(): Promise<Figure[]> {
  const elk = new ELK();
  const warm = graph(300);
  await layoutGraph(elk, warm.nodes, warm.edges); // warm-up
  const figures: Figure[] = [];
  for (const n of [500, 1000]) {
    const { nodes, edges } = graph(n);
    const ours = await time(() => layoutGraph(elk, nodes, edges));
    const defaults = await time(() =>
      elk.layout({
        id: 'root',
        layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT' },
        children: nodes.map((node) => ({ ...node })),
        edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
      }),
    );
    figures.push({
      name: `layout ${n} nodes / ${edges.length} edges`,
      value: ours,
      unit: 'ms',
      baseline: `ELK default options ${defaults.toFixed(0)} ms`,
      ...(n === 500 ? { target: '< 1000 ms', met: ours < 1000 } : {}),
    });
  }
  return figures;
}

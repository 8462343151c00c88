/// <reference lib="webworker" />
/** The layout worker: ELK runs here, off the UI thread, one request at a time. */
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutGraph, type LayoutEdge, type LayoutNode } from './layout-core';

const elk = new ELK();

self.onmessage = async (event: MessageEvent<{ id: number; nodes: LayoutNode[]; edges: LayoutEdge[] }>) => {
  const { id, nodes, edges } = event.data;
  try {
    const positions = await layoutGraph(elk, nodes, edges);
    self.postMessage({ id, positions });
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};

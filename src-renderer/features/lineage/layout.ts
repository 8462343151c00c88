/** The UI side of layout: requests go to the worker; results are cached by graph shape. */
import { layoutKey, type LayoutEdge, type LayoutNode, type Positions } from './layout-core';
import LayoutWorker from './layout.worker?worker';

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (p: Positions) => void; reject: (e: Error) => void }>();
const cache = new Map<string, Positions>();
const CACHE_SIZE = 50;

function ensureWorker(): Worker {
  if (worker) return worker;
  worker = new LayoutWorker();
  worker.onmessage = (event: MessageEvent<{ id: number; positions?: Positions; error?: string }>) => {
    const waiter = pending.get(event.data.id);
    pending.delete(event.data.id);
    if (!waiter) return;
    if (event.data.positions) waiter.resolve(event.data.positions);
    else waiter.reject(new Error(event.data.error ?? 'layout failed'));
  };
  return worker;
}

export async function layout(nodes: LayoutNode[], edges: LayoutEdge[]): Promise<Positions> {
  const key = layoutKey(nodes, edges);
  const cached = cache.get(key);
  if (cached) return cached;
  const id = ++nextId;
  const positions = await new Promise<Positions>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    ensureWorker().postMessage({ id, nodes, edges });
  });
  cache.set(key, positions);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return positions;
}

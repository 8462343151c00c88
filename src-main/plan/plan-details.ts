/**
 * What the plan dialog shows of one change beyond `pas plan --json`: for a directly modified
 * model, its query before and after (for a side-by-side diff), the categories the user may
 * choose, and its indirectly modified children.
 */
import type { ProjectGraph } from './graph';
import type { Plan, PlanChange } from './plan';

/** Models downstream of `model` in the graph (children, grandchildren, ...). */
export function descendants(graph: ProjectGraph, model: string): Set<string> {
  const out = new Set<string>();
  for (const name of graph.order) {
    const parents = graph.nodes.get(name)?.parents ?? [];
    if (parents.some((p) => p === model || out.has(p))) out.add(name);
  }
  return out;
}

export function planChangeDetails(change: PlanChange, plan: Plan, graph: ProjectGraph): Pick<PlanChange, 'before' | 'after' | 'beforeRendered' | 'afterRendered' | 'allowedCategories'> & { children?: string[] } {
  if (change.change !== 'directly_modified') return {};
  const below = descendants(graph, change.model);
  const children = plan.changes.filter((c) => c.change === 'indirectly_modified' && below.has(c.model)).map((c) => c.model);
  return {
    ...(change.before !== undefined ? { before: change.before } : {}),
    ...(change.after !== undefined ? { after: change.after } : {}),
    ...(change.beforeRendered !== undefined ? { beforeRendered: change.beforeRendered } : {}),
    ...(change.afterRendered !== undefined ? { afterRendered: change.afterRendered } : {}),
    ...(change.allowedCategories ? { allowedCategories: change.allowedCategories } : {}),
    children,
  };
}

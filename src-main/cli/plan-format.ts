/** The plan as SQLMesh's CLI lays it out: header, a tree of changes, diffs, backfills. */
import type { ProjectGraph } from '../plan/graph';
import { displayRange } from '../plan/intervals';
import { environmentView, PROD } from '../plan/naming';
import type { ChangeKind, Plan } from '../plan/plan';

const SECTION: Record<ChangeKind, string> = {
  added: 'Added',
  removed: 'Removed',
  directly_modified: 'Directly Modified',
  indirectly_modified: 'Indirectly Modified',
  metadata: 'Metadata Updated',
};

const CATEGORY: Record<string, string> = {
  breaking: 'Breaking',
  non_breaking: 'Non-breaking',
  forward_only: 'Forward-only',
  indirect_breaking: 'Indirect Breaking',
  indirect_non_breaking: 'Indirect Non-breaking',
  metadata: 'Metadata',
};

function tree(items: string[], indent = ''): string[] {
  return items.map((item, i) => `${indent}${i === items.length - 1 ? '└── ' : '├── '}${item}`);
}

export function formatPlan(plan: Plan, graph: ProjectGraph): string {
  const view = (name: string) => {
    const v = environmentView(name, plan.environment);
    return `${v.schema}.${v.table}`;
  };
  const lines: string[] = [];
  if (!plan.previousPlanId && plan.environment === PROD && plan.createdFrom === null && plan.changes.length > 0) {
    lines.push('`prod` environment will be initialized');
  } else if (!plan.previousPlanId && plan.createdFrom) {
    lines.push(`New environment \`${plan.environment}\` will be created from \`${plan.createdFrom}\``);
  }
  if (plan.changes.length === 0) {
    lines.push(`No changes to plan: project files match the \`${plan.environment}\` environment`);
  } else {
    lines.push(`Differences from the \`${plan.createdFrom ?? plan.environment}\` environment:`, '', 'Models:');
    const sections = (Object.keys(SECTION) as ChangeKind[]).filter((k) => plan.changes.some((c) => c.change === k));
    sections.forEach((kind, i) => {
      const last = i === sections.length - 1;
      lines.push(`${last ? '└── ' : '├── '}${SECTION[kind]}:`);
      lines.push(...tree(plan.changes.filter((c) => c.change === kind).map((c) => view(c.model)), last ? '    ' : '│   '));
    });
    for (const change of plan.changes.filter((c) => c.change === 'directly_modified')) {
      lines.push('', `Directly Modified: ${view(change.model)} (${CATEGORY[change.category ?? ''] ?? change.category})`);
      if (change.diff) lines.push(...change.diff.split('\n').filter((l) => l.length > 0).map((l) => `  ${l}`));
      const children = plan.changes.filter((c) => c.change === 'indirectly_modified' && (graph.nodes.get(c.model)?.parents ?? []).includes(change.model));
      if (children.length > 0) {
        lines.push('  Indirectly Modified Children:');
        lines.push(...tree(children.map((c) => `${view(c.model)} (${CATEGORY[c.category ?? ''] ?? c.category})`), '    '));
      }
    }
  }
  if (plan.backfills.length > 0) {
    lines.push('', 'Models needing backfill:');
    lines.push(
      ...tree(
        plan.backfills.map((b) => {
          const what = b.refresh === 'view' ? '[recreate view]' : b.refresh === 'incremental' ? b.intervals.map((i) => `[${displayRange(i, b.unit).join(' - ')}]`).join(', ') : '[full refresh]';
          return `${view(b.model)}: ${what}`;
        }),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

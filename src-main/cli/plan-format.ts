/** The plan (as the contract gives it) laid out as SQLMesh's CLI does: header, a tree of changes, diffs, backfills. */
import type { ChangeKind, PlanView } from '../../src-shared/modeling';
import { environmentView, PROD } from '../plan/naming';

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

export function formatPlan(plan: PlanView): string {
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
      const children = plan.changes.filter((c) => c.change === 'indirectly_modified' && (c.parents ?? []).includes(change.model));
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
          const what = b.refresh === 'view' ? '[recreate view]' : b.refresh === 'incremental' ? b.intervals.map((i) => `[${i.join(' - ')}]`).join(', ') : '[full refresh]';
          return `${view(b.model)}: ${what}`;
        }),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `pas plan --json`: one document, snake_case keys. */
export function planJson(plan: PlanView, applied: boolean) {
  return {
    environment: plan.environment,
    changes: plan.changes.map((c) => ({ model: c.model, change: c.change, category: c.category })),
    backfills: plan.backfills.map((b) => ({ model: b.model, intervals: b.intervals })),
    virtual_update: plan.virtualUpdate,
    applied,
  };
}

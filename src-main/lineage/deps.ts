/**
 * A set of dependencies keyed by (relation, column): a value dependency wins over a filter
 * dependency on the same column, and the first (innermost) expression range is kept.
 */
import type { TextRange } from '../sql/ranges';
import type { DependencyKind } from './types';

export interface Dep {
  relation: string;
  column: string;
  kind: DependencyKind;
  range?: TextRange;
  /** `relation\0column`, kept on the dep so sets need not rebuild it (copies share it). */
  key?: string;
}

export function depKey(relation: string, column: string): string {
  return `${relation}\u0000${column}`;
}

export class DepSet {
  private readonly map = new Map<string, Dep>();

  add(dep: Dep): void {
    const key = dep.key ?? depKey(dep.relation, dep.column);
    const existing = this.map.get(key);
    if (!existing) this.map.set(key, dep);
    else if (existing.kind === 'filter' && dep.kind === 'value') this.map.set(key, dep);
  }

  /** Adds every dep; with `asFilter`, each is added as a filter dependency. */
  addAll(deps: Iterable<Dep>, asFilter = false): void {
    for (const dep of deps) this.add(asFilter && dep.kind !== 'filter' ? { ...dep, kind: 'filter' } : dep);
  }

  get size(): number {
    return this.map.size;
  }

  toArray(): Dep[] {
    return [...this.map.values()];
  }
}

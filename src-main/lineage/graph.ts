/**
 * Column lineage of a whole project: every column of every model, its direct upstream
 * columns, the source columns it finally derives from (through value dependencies), and
 * the columns that use it. Incremental: changing one model recomputes that model, and its
 * downstream models only when its output columns changed; everything else keeps its
 * objects. Parsing is done by the caller (one batched `parseMany` for a project).
 */
import type { SelectStatementAst } from '../sql/ast';
import { nameKey } from '../sql/names';
import type { ParseResult } from '../sql/parse';
import { SourceText } from '../sql/ranges';
import { qualifiedName, tableReferences } from '../sql/references';
import { queryLineage } from './query';
import type { ColumnDependency, ColumnLineage, ModelLineage, RelationName, RelationResolver } from './types';

export interface ModelInput {
  /** The model's name as other models reference it, e.g. `marts.orders`. */
  name: string;
  sql: string;
  parsed: ParseResult;
  /**
   * Columns the engine adds to the query's (SCD type 2 `valid_from`/`valid_to`), with what sets
   * them: they have no upstream columns.
   */
  engineColumns?: { column: string; expression: string }[];
  /**
   * A model computed by code (a TypeScript model): its declared columns, each read from every
   * column of the models it depends on (kind `code`: the mapping is not known).
   */
  code?: { columns: readonly string[]; dependsOn: readonly string[] };
  /** Declared `columns`: what a star over this model expands to when its query's columns are unknown. */
  declaredColumns?: readonly string[];
  /** Turns rendered text back into the text as written (macros such as `@start_ts`). */
  asWritten?: (rendered: string) => string;
}

/** A column that uses another, and how many column hops away it is. */
export interface ImpactRef extends ColumnRef {
  hops: number;
}

/** A relation as the graph knows it: a model of the project, or a root (source) read by models. */
export interface RelationInfo {
  name: string;
  isModel: boolean;
  /** Columns: the model's, the source's known columns, or those its users read. */
  columns: string[];
}

export interface ColumnRef {
  model: string;
  column: string;
}

export interface ModelError {
  message: string;
  offset?: number;
}

export interface ModelState {
  name: string;
  sql: string;
  statement?: SelectStatementAst;
  lineage: ModelLineage;
  error?: ModelError;
  /** Output column names when fully known. */
  columns: readonly string[] | undefined;
  /** Lower-cased names this model's references could denote (for dependents lookups). */
  referenceKeys: Set<string>;
  /** What the model was computed from, to recompute it when an upstream model changes. */
  input: ModelInput;
}

export interface UpdateSummary {
  /** Models whose lineage was recomputed, in order. */
  recomputed: string[];
  /** Models whose derived results (sources, records) were invalidated. */
  invalidated: string[];
}

/** The names a reference can match: as written, and without its catalog. */
function candidateKeys(ref: RelationName): string[] {
  const keys = [qualifiedName(ref).toLowerCase()];
  if (ref.catalog && ref.schema) keys.push(`${ref.schema}.${ref.name}`.toLowerCase());
  return keys;
}

const EMPTY_LINEAGE: ModelLineage = { columns: [], complete: false, references: [] };

export class LineageGraph {
  private readonly models = new Map<string, ModelState>();
  private readonly sourceColumns = new Map<string, { name: string; columns: readonly string[] }>();
  /** Candidate key → models whose references could denote it. */
  private readonly dependentsByKey = new Map<string, Set<string>>();
  /** relation → column (both lower-cased) → the columns that use it, by their own key. */
  private readonly users = new Map<string, Map<string, Map<string, ColumnRef>>>();
  private readonly sourcesMemo = new Map<string, Map<string, ColumnRef[]>>();

  constructor(sources: Record<string, readonly string[]> = {}) {
    for (const [name, columns] of Object.entries(sources)) this.sourceColumns.set(nameKey(name), { name, columns });
  }

  /** Replaces all models and computes their lineage in dependency order. */
  setModels(inputs: readonly ModelInput[]): void {
    this.models.clear();
    this.dependentsByKey.clear();
    this.users.clear();
    this.sourcesMemo.clear();
    const pending = new Map<string, { input: ModelInput; statement?: SelectStatementAst; refs: Set<string> }>();
    for (const input of inputs) {
      const statement = input.parsed.ok ? input.parsed.statements[0] : undefined;
      pending.set(nameKey(input.name), { input, ...(statement ? { statement } : {}), refs: referenceKeysOf(input, statement) });
    }
    // Depth-first topological order over model references; cycles are cut where met.
    const done = new Set<string>();
    const active = new Set<string>();
    const visit = (key: string): void => {
      if (done.has(key) || active.has(key)) return;
      const item = pending.get(key);
      if (!item) return;
      active.add(key);
      for (const ref of item.refs) if (pending.has(ref)) visit(ref);
      active.delete(key);
      done.add(key);
      this.install(this.compute(item.input, item.statement, item.refs));
    };
    for (const key of pending.keys()) visit(key);
  }

  /** Sets one model's SQL (new or changed) and recomputes what depends on it. */
  updateModel(input: ModelInput): UpdateSummary {
    const key = nameKey(input.name);
    const before = this.models.get(key);
    const statement = input.parsed.ok ? input.parsed.statements[0] : undefined;
    const refs = referenceKeysOf(input, statement);
    if (before) this.uninstall(before);
    const state = this.compute(input, statement, refs);
    this.install(state);
    const changed = !before || !sameColumns(before.columns, state.columns);
    return this.propagate(key, changed);
  }

  /** Sets (or, with undefined, forgets) a source's columns and recomputes the models reading it. */
  setSource(name: string, columns: readonly string[] | undefined): UpdateSummary {
    const key = nameKey(name);
    const before = this.sourceColumns.get(key)?.columns;
    if (columns) this.sourceColumns.set(key, { name, columns });
    else this.sourceColumns.delete(key);
    return this.propagate(key, !sameColumns(before, columns));
  }

  removeModel(name: string): UpdateSummary {
    const key = nameKey(name);
    const before = this.models.get(key);
    if (!before) return { recomputed: [], invalidated: [] };
    this.uninstall(before);
    this.models.delete(key);
    return this.propagate(key, true);
  }

  model(name: string): ModelState | undefined {
    return this.models.get(nameKey(name));
  }

  modelNames(): string[] {
    return [...this.models.values()].map((m) => m.name);
  }

  column(model: string, column: string): ColumnLineage | undefined {
    return this.models.get(nameKey(model))?.lineage.columns.find((c) => nameKey(c.column) === nameKey(column));
  }

  /** Columns that use this column directly (value or filter). */
  downstream(model: string, column: string): ColumnRef[] {
    return [...(this.users.get(nameKey(model))?.get(nameKey(column))?.values() ?? [])];
  }

  /** Every column that uses this column, directly or through other columns. */
  downstreamAll(model: string, column: string): ColumnRef[] {
    return this.impact(model, column).map(({ model: m, column: c }) => ({ model: m, column: c }));
  }

  /**
   * The whole impact of a change to this column: every column that uses it, transitively,
   * with the fewest column hops between them (1 = a direct user), nearest first.
   */
  impact(model: string, column: string, maxHops = Infinity): ImpactRef[] {
    const seen = new Set<string>([columnKey(model, column)]);
    const out: ImpactRef[] = [];
    let frontier: ColumnRef[] = [{ model, column }];
    for (let hops = 1; hops <= maxHops && frontier.length > 0; hops++) {
      const next: ColumnRef[] = [];
      for (const ref of frontier) {
        // The users map is keyed by each user's column key already: no key built per visit
        // (`lineage --all` walks this for every column of every model).
        const users = this.users.get(nameKey(ref.model))?.get(nameKey(ref.column));
        if (!users) continue;
        for (const [key, user] of users) {
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({ ...user, hops });
          next.push(user);
        }
      }
      frontier = next;
    }
    return out;
  }

  /** A model, or a relation models read that is not a model (an external model, a lake table): the roots. */
  relation(name: string): RelationInfo | undefined {
    const key = nameKey(name);
    const model = this.models.get(key);
    if (model) return { name: model.name, isModel: true, columns: model.lineage.columns.map((c) => c.column) };
    const source = this.sourceColumns.get(key);
    const used = this.users.get(key);
    if (!source && !used) return undefined;
    const columns = source ? [...source.columns] : [];
    const known = new Set(columns.map(nameKey));
    for (const [column, users] of used ?? []) {
      if (users.size === 0 || known.has(column)) continue;
      const first = users.values().next().value as ColumnRef;
      const written = this.column(first.model, first.column)?.upstream.find((d) => nameKey(d.relation) === key && nameKey(d.column) === column)?.column;
      columns.push(written ?? column);
    }
    return { name: source?.name ?? this.relationName(key) ?? name, isModel: false, columns };
  }

  /** Relations models read that are not models (external models, lake tables, files): the roots. */
  rootNames(): string[] {
    const keys = new Set([...this.sourceColumns.keys(), ...[...this.users.entries()].filter(([, byColumn]) => [...byColumn.values()].some((u) => u.size > 0)).map(([key]) => key)]);
    return [...keys].filter((key) => !this.models.has(key)).map((key) => this.sourceColumns.get(key)?.name ?? this.relationName(key) ?? key);
  }

  /** The spelling models use for a relation key. */
  private relationName(key: string): string | undefined {
    for (const byUser of this.users.get(key)?.values() ?? []) {
      for (const user of byUser.values()) {
        const dep = this.column(user.model, user.column)?.upstream.find((d) => nameKey(d.relation) === key);
        if (dep) return dep.relation;
      }
    }
    return undefined;
  }

  /**
   * The columns outside the project's models (sources, or model columns whose lineage
   * stops) that this column's value is computed from, following value dependencies.
   */
  sources(model: string, column: string): ColumnRef[] {
    return this.sourcesOf(nameKey(model), column, new Set());
  }

  private sourcesOf(modelKey: string, column: string, visiting: Set<string>): ColumnRef[] {
    let memo = this.sourcesMemo.get(modelKey);
    const key = nameKey(column);
    const cached = memo?.get(key);
    if (cached) return cached;
    const state = this.models.get(modelKey);
    const lineage = state?.lineage.columns.find((c) => nameKey(c.column) === key);
    if (!state || !lineage) return [];
    const visitKey = `${modelKey}\u0000${key}`;
    if (visiting.has(visitKey)) return [];
    visiting.add(visitKey);
    const found = new Map<string, ColumnRef>();
    for (const dep of lineage.upstream) {
      if (dep.kind === 'filter') continue;
      const upstreamKey = nameKey(dep.relation);
      const upstreamModel = this.models.get(upstreamKey);
      const hasColumn = upstreamModel?.lineage.columns.some((c) => nameKey(c.column) === nameKey(dep.column));
      const leaves = upstreamModel && hasColumn ? this.sourcesOf(upstreamKey, dep.column, visiting) : [{ model: dep.relation, column: dep.column }];
      for (const leaf of leaves) found.set(columnKey(leaf.model, leaf.column), leaf);
    }
    visiting.delete(visitKey);
    const result = [...found.values()];
    if (!memo) this.sourcesMemo.set(modelKey, (memo = new Map()));
    memo.set(key, result);
    return result;
  }

  private resolver(): RelationResolver {
    return (ref) => {
      for (const key of candidateKeys(ref)) {
        const model = this.models.get(key);
        if (model) {
          const columns = model.columns ?? model.input.declaredColumns;
          return { key: model.name, ...(columns ? { columns } : {}) };
        }
        const source = this.sourceColumns.get(key);
        if (source) return { key: source.name, columns: source.columns };
      }
      return { key: qualifiedName(ref) };
    };
  }

  private compute(input: ModelInput, statement: SelectStatementAst | undefined, refs: Set<string>): ModelState {
    if (input.code) {
      const lineage = codeLineage(input.code, this.resolver());
      return { name: input.name, sql: input.sql, lineage, columns: lineage.columns.map((c) => c.column), referenceKeys: refs, input };
    }
    if (!input.parsed.ok || !statement) {
      const error: ModelError = input.parsed.ok
        ? { message: 'The model has no SELECT statement.' }
        : { message: input.parsed.message, ...(input.parsed.offset !== undefined ? { offset: input.parsed.offset } : {}) };
      return { name: input.name, sql: input.sql, lineage: EMPTY_LINEAGE, error, columns: undefined, referenceKeys: refs, input };
    }
    let computed = queryLineage(statement, new SourceText(input.sql), this.resolver());
    if (input.asWritten) computed = writtenExpressions(computed, input.asWritten);
    const extra = (input.engineColumns ?? []).map((c) => ({ column: c.column, expression: c.expression, upstream: [] }));
    const lineage = extra.length > 0 ? { ...computed, columns: [...computed.columns, ...extra] } : computed;
    return {
      name: input.name,
      sql: input.sql,
      statement,
      lineage,
      columns: lineage.complete ? lineage.columns.map((c) => c.column) : undefined,
      referenceKeys: refs,
      input,
    };
  }

  private install(state: ModelState): void {
    const key = nameKey(state.name);
    this.models.set(key, state);
    for (const ref of state.referenceKeys) {
      let set = this.dependentsByKey.get(ref);
      if (!set) this.dependentsByKey.set(ref, (set = new Set()));
      set.add(key);
    }
    for (const column of state.lineage.columns) {
      const user: ColumnRef = { model: state.name, column: column.column };
      const userKey = columnKey(state.name, column.column);
      for (const dep of column.upstream) {
        const relationKey = nameKey(dep.relation);
        let byColumn = this.users.get(relationKey);
        if (!byColumn) this.users.set(relationKey, (byColumn = new Map()));
        const usedKey = nameKey(dep.column);
        let map = byColumn.get(usedKey);
        if (!map) byColumn.set(usedKey, (map = new Map()));
        map.set(userKey, user);
      }
    }
  }

  private uninstall(state: ModelState): void {
    const key = nameKey(state.name);
    for (const ref of state.referenceKeys) this.dependentsByKey.get(ref)?.delete(key);
    for (const column of state.lineage.columns) {
      const userKey = columnKey(state.name, column.column);
      for (const dep of column.upstream) this.users.get(nameKey(dep.relation))?.get(nameKey(dep.column))?.delete(userKey);
    }
  }

  private dependentsOf(modelKey: string): string[] {
    return [...(this.dependentsByKey.get(modelKey) ?? [])].filter((k) => k !== modelKey && this.models.has(k));
  }

  /**
   * After `changedKey` changed: recompute dependents whose upstream column lists changed,
   * in dependency order, and drop derived results of every model downstream.
   */
  private propagate(changedKey: string, columnsChanged: boolean): UpdateSummary {
    // Models downstream of the change, in topological order (reverse DFS post-order).
    const order: string[] = [];
    const seen = new Set<string>([changedKey]);
    const visit = (key: string): void => {
      for (const dependent of this.dependentsOf(key)) {
        if (seen.has(dependent)) continue;
        seen.add(dependent);
        visit(dependent);
        order.push(dependent);
      }
    };
    visit(changedKey);
    order.reverse();
    const recomputed = this.models.has(changedKey) ? [this.models.get(changedKey)?.name as string] : [];
    const changedColumns = new Set<string>(columnsChanged ? [changedKey] : []);
    for (const key of order) {
      const state = this.models.get(key);
      if (!state) continue;
      const upstreamChanged = [...changedColumns].some((c) => state.referenceKeys.has(c));
      if (!upstreamChanged) continue;
      if (!state.statement && !state.input.code) continue;
      this.uninstall(state);
      const next = this.compute(state.input, state.statement, state.referenceKeys);
      this.install(next);
      recomputed.push(state.name);
      if (!sameColumns(state.columns, next.columns)) changedColumns.add(key);
    }
    for (const key of [changedKey, ...order]) this.sourcesMemo.delete(key);
    const invalidated = [changedKey, ...order].map((k) => this.models.get(k)?.name ?? k);
    return { recomputed, invalidated };
  }
}

/** The names a model's references could denote: its query's tables, or a code model's depends_on. */
function referenceKeysOf(input: ModelInput, statement: SelectStatementAst | undefined): Set<string> {
  const keys = new Set<string>();
  if (input.code) {
    for (const name of input.code.dependsOn) {
      const parts = name.split('.');
      const ref: RelationName = { name: parts.pop() ?? name, ...(parts.length ? { schema: parts.pop() as string } : {}), ...(parts.length ? { catalog: parts.pop() as string } : {}) };
      for (const key of candidateKeys(ref)) keys.add(key);
    }
    return keys;
  }
  if (statement) for (const ref of tableReferences(statement)) for (const key of candidateKeys(ref)) keys.add(key);
  return keys;
}

/**
 * Lineage of a model computed by code: each declared column is read from every column of
 * every model it depends on, as a `code` dependency (how values map is not known).
 */
function codeLineage(code: NonNullable<ModelInput['code']>, resolve: RelationResolver): ModelLineage {
  const upstream: ColumnDependency[] = [];
  const unknown: string[] = [];
  const references: string[] = [];
  for (const name of code.dependsOn) {
    const parts = name.split('.');
    const resolved = resolve({ name: parts.pop() ?? name, ...(parts.length ? { schema: parts.pop() as string } : {}), ...(parts.length ? { catalog: parts.pop() as string } : {}) });
    references.push(resolved.key);
    if (!resolved.columns) unknown.push(`the columns of "${resolved.key}" are unknown`);
    for (const column of resolved.columns ?? []) upstream.push({ relation: resolved.key, column, kind: 'code', expression: 'computed by code' });
  }
  const reason = unknown.join('; ');
  return {
    columns: code.columns.map((column) => ({ column, expression: 'computed by code', upstream, ...(reason ? { unknown: { unknown: true as const, reason } } : {}) })),
    complete: true,
    references,
  };
}

/** The same lineage with every expression shown as written (macros instead of their rendered values). */
function writtenExpressions(lineage: ModelLineage, asWritten: (rendered: string) => string): ModelLineage {
  const memo = new Map<string, string>();
  const written = (text: string): string => {
    let out = memo.get(text);
    if (out === undefined) memo.set(text, (out = asWritten(text)));
    return out;
  };
  return {
    ...lineage,
    columns: lineage.columns.map((column) => ({
      ...column,
      ...(column.expression !== undefined ? { expression: written(column.expression) } : {}),
      upstream: column.upstream.map((dep) => (dep.expression !== undefined ? { ...dep, expression: written(dep.expression) } : dep)),
    })),
  };
}

function columnKey(model: string, column: string): string {
  return `${nameKey(model)}\u0000${nameKey(column)}`;
}

function sameColumns(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((name, i) => name === b[i]);
}

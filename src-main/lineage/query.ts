/**
 * Column lineage of one query: binds the parse tree (CTEs, also recursive ones, derived
 * tables, joins, set operations, subqueries) and gives, for each output column, the
 * columns of outside relations (models, sources) it reads, each as a value or a filter
 * dependency, with the expressions that read them. What cannot be known is reported on the
 * column it concerns.
 */
import type {
  BaseTableRef,
  CteMap,
  ParsedExpression,
  QueryNode,
  RecursiveCteNode,
  SelectNode,
  SelectStatementAst,
  SetOperationNode,
  StarExpression,
} from '../sql/ast';
import { expressionName, nameKey } from '../sql/names';
import { aliasRename, selectStarColumns, type StarCandidate } from '../sql/stars';
import { qualifiedName } from '../sql/references';
import { minLocation, type SourceText, type TextRange } from '../sql/ranges';
import { collectDeps, containsAggregate, newDeps, positionOf, type ColumnProblem, type ExpressionContext, type ExpressionDeps } from './expressions';
import { bindFrom, starEntries, type FromContext } from './from';
import { depKey, type Dep } from './deps';
import { renameColumns, type BoundColumn, type Relation } from './relation';
import { combineBranches, relationSignature, withFilters } from './setops';
import { resolveColumn, type Scope, type StarColumns } from './scope';
import type { ColumnLineage, ModelLineage, RelationResolver } from './types';

interface CteDefinition {
  relation?: Relation;
  computing?: boolean;
  compute: () => Relation;
}

type CteEnv = ReadonlyMap<string, CteDefinition>;

const MAX_RECURSION_ROUNDS = 16;

export function queryLineage(statement: SelectStatementAst, text: SourceText, resolve: RelationResolver): ModelLineage {
  const binder = new QueryBinder(text, resolve);
  const relation = renameColumns(binder.bindNode(statement.node, undefined, new Map()), undefined);
  const columns: BoundColumn[] = relation.columns ?? [
    { name: '*', deps: relation.rowDeps, unknown: relation.unknownReason ?? 'the output columns are unknown' },
  ];
  return {
    columns: columns.map((column) => toColumnLineage(column, text)),
    complete: relation.columns !== null && !binder.incomplete,
    references: [...binder.references],
    ...(binder.problems.size > 0 ? { problems: [...binder.problems.values()] } : {}),
  };
}

function toColumnLineage(column: BoundColumn, text: SourceText): ColumnLineage {
  const upstream = [...column.deps]
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'value' ? -1 : 1) || compare(a.relation, b.relation) || compare(a.column, b.column))
    .map((dep) => ({
      relation: dep.relation,
      column: dep.column,
      kind: dep.kind,
      ...(dep.range ? { expression: text.slice(dep.range), range: dep.range } : {}),
    }));
  return {
    column: column.name,
    ...(column.range ? { expression: text.slice(column.range), range: column.range } : {}),
    upstream,
    ...(column.unknown ? { unknown: { unknown: true as const, reason: column.unknown } } : {}),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fromDeps(name: string, deps: ExpressionDeps, range: TextRange | undefined): BoundColumn {
  return {
    name,
    deps: deps.deps.toArray(),
    ...(deps.unknown.length ? { unknown: [...new Set(deps.unknown)].join('; ') } : {}),
    ...(range ? { range } : {}),
  };
}

class QueryBinder {
  readonly references = new Set<string>();
  /** Set when a star somewhere could not be expanded. */
  incomplete = false;
  /** Column problems by offset and name (a CTE or recursive part may be bound more than once). */
  readonly problems = new Map<string, ColumnProblem>();
  private readonly externals = new Map<string, Relation>();
  /** Whether the text can hold an unnest() at all (skips walking every select item). */
  private readonly mayUnnest: boolean;

  constructor(
    private readonly text: SourceText,
    private readonly resolve: RelationResolver,
  ) {
    this.mayUnnest = /\bun(nest|list)\s*\(/i.test(text.sql);
  }

  bindNode(node: QueryNode, parent: Scope | undefined, outerCtes: CteEnv): Relation {
    const ctes = this.withCtes(node.cte_map, outerCtes, parent);
    switch (node.type) {
      case 'SELECT_NODE':
        return this.bindSelect(node as SelectNode, parent, ctes);
      case 'SET_OPERATION_NODE':
        return this.bindSetOperation(node as SetOperationNode, parent, ctes);
      case 'RECURSIVE_CTE_NODE':
        return this.bindRecursive(node as RecursiveCteNode, parent, ctes);
      default: {
        const reason = `a ${node.type.toLowerCase().replaceAll('_', ' ')} is not supported by lineage`;
        return { columns: null, unknownReason: reason, rowDeps: [] };
      }
    }
  }

  private withCtes(cteMap: CteMap | undefined, outer: CteEnv, parent: Scope | undefined): CteEnv {
    const entries = cteMap?.map ?? [];
    if (entries.length === 0) return outer;
    let env: Map<string, CteDefinition> = new Map(outer);
    for (const entry of entries) {
      const key = nameKey(entry.key);
      const body = entry.value.query.node;
      const visible: Map<string, CteDefinition> = env;
      const definition: CteDefinition = {
        compute: () => {
          const own = new Map(visible);
          // A recursive CTE's body sees itself; a plain CTE's body sees only earlier ones.
          if (body.type === 'RECURSIVE_CTE_NODE') own.set(key, definition);
          const relation =
            body.type === 'RECURSIVE_CTE_NODE'
              ? this.bindRecursive(body as RecursiveCteNode, parent, this.withCtes(body.cte_map, own, parent), entry.value.aliases)
              : this.bindNode(body, parent, visible);
          return renameColumns(relation, entry.value.aliases);
        },
      };
      env = new Map(env);
      env.set(key, definition);
    }
    return env;
  }

  private cte(ctes: CteEnv, name: string): Relation | undefined {
    const definition = ctes.get(name);
    if (!definition) return undefined;
    if (definition.relation) return definition.relation;
    if (definition.computing) {
      return { columns: null, unknownReason: `CTE "${name}" refers to itself`, rowDeps: [] };
    }
    definition.computing = true;
    definition.relation = definition.compute();
    definition.computing = false;
    return definition.relation;
  }

  private external(ref: BaseTableRef): Relation {
    const name = {
      ...(ref.catalog_name ? { catalog: ref.catalog_name } : {}),
      ...(ref.schema_name ? { schema: ref.schema_name } : {}),
      name: ref.table_name,
    };
    const lookupKey = qualifiedName(name).toLowerCase();
    const cached = this.externals.get(lookupKey);
    if (cached) return cached;
    const resolved = this.resolve(name);
    this.references.add(resolved.key);
    let relation: Relation;
    if (resolved.columns) {
      relation = {
        columns: resolved.columns.map((column) => ({
          name: column,
          deps: [{ relation: resolved.key, column, kind: 'value', key: depKey(resolved.key, column) }],
        })),
        rowDeps: [],
      };
    } else {
      const byName = new Map<string, BoundColumn>();
      relation = {
        columns: null,
        unknownReason: `the columns of "${resolved.key}" are unknown`,
        rowDeps: [],
        byName: (column) => {
          let bound = byName.get(nameKey(column));
          if (!bound) {
            const dep: Dep = { relation: resolved.key, column, kind: 'value', key: depKey(resolved.key, column) };
            byName.set(nameKey(column), (bound = { name: column, deps: [dep] }));
          }
          return bound;
        },
      };
    }
    this.externals.set(lookupKey, relation);
    return relation;
  }

  private expressionContext(scope: Scope, anchor: TextRange | undefined, ctes: CteEnv): ExpressionContext {
    return {
      scope,
      ...(anchor ? { anchor } : {}),
      bindSubquery: (statement, outer) => this.bindNode(statement.node, outer, ctes),
      starColumns: (star, s) => this.expandStar(star, s),
      report: (problem) => {
        const key = `${problem.offset ?? ''}\u0000${problem.name}`;
        if (!this.problems.has(key)) this.problems.set(key, problem);
      },
    };
  }

  private fromContext(ctes: CteEnv): FromContext {
    return {
      cte: (name) => this.cte(ctes, name),
      external: (ref) => this.external(ref),
      bindSubquery: (ref, scope) => this.bindNode(ref.subquery.node, scope, ctes),
      expressionContext: (scope, anchor) => this.expressionContext(scope, anchor, ctes),
      onRange: (expr) => this.text.clauseRange(expr, 'ON'),
      usingRange: (right) => {
        const start = minLocation(right);
        return start === undefined ? undefined : this.text.usingRange(start);
      },
    };
  }

  /** The columns a star inside an expression stands for, and why some are unknown. */
  private expandStar(star: StarExpression, scope: Scope): { columns: BoundColumn[]; unknown?: string } {
    const selected = this.selectStar(star, scope);
    if ('unknown' in selected) return { columns: [], unknown: selected.unknown };
    const unknown = selected.columns.find((s) => s.column.placeholder)?.column.unknown;
    return { columns: selected.columns.filter((s) => !s.column.placeholder).map((s) => s.column), ...(unknown ? { unknown } : {}) };
  }

  private selectStar(
    star: StarExpression,
    scope: Scope,
  ): { columns: { column: BoundColumn; name: string; replacement?: ParsedExpression }[] } | { unknown: string } {
    let available: StarColumns | undefined;
    if (star.relation_name) {
      const binding = scope.bindings.find((b) => nameKey(b.name) === nameKey(star.relation_name));
      if (!binding) return { unknown: `"${star.relation_name}.*" names no relation of the FROM clause` };
      available = { entries: starEntries(binding) };
    } else available = scope.star ?? { entries: [] };
    if ('unknown' in available) return { unknown: `* cannot be expanded: ${available.unknown}` };
    // Known columns go through EXCLUDE / REPLACE / RENAME / COLUMNS; a placeholder for a
    // relation of unknown columns stays where it is, since any of its columns may match.
    const entries = available.entries;
    const known = entries.filter((e) => !e.column.placeholder);
    const candidates: StarCandidate[] = known.map((e) => ({ relation: e.binding, name: e.column.name }));
    const selection = selectStarColumns(star, candidates);
    if (!selection.ok) return { unknown: selection.reason };
    const chosen = new Map(selection.columns.map((s) => [s.candidate, s] as const));
    const columns: { column: BoundColumn; name: string; replacement?: ParsedExpression }[] = [];
    let k = 0;
    for (const entry of entries) {
      if (entry.column.placeholder) {
        columns.push({ column: entry.column, name: entry.column.name });
        continue;
      }
      const picked = chosen.get(candidates[k++] as StarCandidate);
      if (picked) columns.push({ column: entry.column, name: picked.name, ...(picked.replacement ? { replacement: picked.replacement } : {}) });
    }
    return { columns };
  }

  private bindSelect(node: SelectNode, parent: Scope | undefined, ctes: CteEnv): Relation {
    const outer: Scope = parent ?? { bindings: [], merged: new Map() };
    const from = bindFrom(node.from_table, outer, this.fromContext(ctes));
    const aliases = new Map<string, BoundColumn>();
    const scope: Scope = { bindings: from.bindings, merged: from.merged, aliases, star: from.star, ...(parent ? { parent } : {}) };
    const ranges = this.text.selectItemRanges(node);
    const items: BoundColumn[] = [];
    /** Output columns per select item, for GROUP BY ALL and positions. */
    const perItem: BoundColumn[][] = [];
    node.select_list.forEach((item, i) => {
      const range = ranges[i];
      const produced = this.bindSelectItem(item, range, scope, ctes);
      perItem.push(produced);
      items.push(...produced);
      if (item.alias && produced.length === 1) aliases.set(nameKey(item.alias), produced[0] as BoundColumn);
    });

    // Row filters: FROM (joins, derived tables), WHERE, GROUP BY, HAVING, QUALIFY, ...
    const filters = newDeps();
    filters.deps.addAll(from.rowDeps.toArray(), true);
    filters.unknown.push(...from.unknown);
    const clause = (expr: ParsedExpression | null, keyword: 'WHERE' | 'HAVING' | 'QUALIFY'): void => {
      if (expr) collectDeps(expr, this.expressionContext(scope, this.text.clauseRange(expr, keyword), ctes), filters, true);
    };
    clause(node.where_clause, 'WHERE');
    const firstGroup = node.group_expressions[0];
    const groupRange = firstGroup ? this.text.clauseRange(firstGroup, 'BY') : undefined;
    for (const group of node.group_expressions) this.addKey(group, perItem, scope, groupRange, ctes, filters);
    if (node.aggregate_handling === 'FORCE_AGGREGATES') {
      node.select_list.forEach((item, i) => {
        if (containsAggregate(item)) return;
        for (const column of perItem[i] ?? []) filters.deps.addAll(column.deps, true);
      });
    }
    // unnest() in the select list makes one row per element: the lists decide the rows.
    if (this.mayUnnest) node.select_list.forEach((item, i) => {
      if (!containsUnnest(item)) return;
      for (const column of perItem[i] ?? []) filters.deps.addAll(column.deps, true);
    });
    clause(node.having, 'HAVING');
    clause(node.qualify, 'QUALIFY');
    this.addModifierFilters(node, perItem, scope, ctes, filters);

    const rowDeps = filters.deps.toArray();
    return {
      columns: items.map((column) => withFilters(column, rowDeps, filters.unknown)),
      rowDeps,
    };
  }

  /** A GROUP BY / ORDER BY / DISTINCT ON key: a select position, an alias, or an expression. */
  private addKey(
    key: ParsedExpression,
    perItem: BoundColumn[][],
    scope: Scope,
    anchor: TextRange | undefined,
    ctes: CteEnv,
    into: ExpressionDeps,
  ): void {
    // ORDER BY ALL / DISTINCT ON (ALL)-style keys: every column of the select list.
    const star = key as Partial<StarExpression>;
    if (key.class === 'STAR' && star.columns && !star.expr && !star.relation_name) {
      for (const column of perItem.flat()) into.deps.addAll(column.deps, true);
      return;
    }
    const position = positionOf(key);
    if (position !== undefined) {
      for (const column of perItem[position - 1] ?? []) into.deps.addAll(column.deps, true);
      return;
    }
    collectDeps(key, this.expressionContext(scope, anchor, ctes), into, true);
  }

  private addModifierFilters(node: SelectNode, perItem: BoundColumn[][], scope: Scope, ctes: CteEnv, into: ExpressionDeps): void {
    const limited = node.modifiers.some((m) => m.type === 'LIMIT_MODIFIER' || m.type === 'LIMIT_PERCENT_MODIFIER');
    for (const modifier of node.modifiers) {
      if (modifier.type === 'DISTINCT_MODIFIER') {
        const targets = modifier.distinct_on_targets ?? [];
        // Plain DISTINCT: whether a row is a duplicate depends on every column.
        if (targets.length === 0) for (const column of perItem.flat()) into.deps.addAll(column.deps, true);
        for (const target of targets) this.addKey(target, perItem, scope, undefined, ctes, into);
      } else if (modifier.type === 'ORDER_MODIFIER' && limited) {
        // The order decides which rows a LIMIT keeps.
        for (const order of modifier.orders ?? []) this.addKey(order.expression, perItem, scope, undefined, ctes, into);
      }
    }
  }

  /** The output column(s) of one select item: stars expand to many. */
  private bindSelectItem(item: ParsedExpression, range: TextRange | undefined, scope: Scope, ctes: CteEnv): BoundColumn[] {
    if (item.class === 'STAR') return this.bindStarItem(item as StarExpression, range, scope, ctes);
    const nested = findColumnsStar(item);
    if (nested) return this.bindColumnsExpression(item, nested, range, scope, ctes);
    const deps = newDeps();
    collectDeps(item, this.expressionContext(scope, range, ctes), deps);
    return [fromDeps(expressionName(item), deps, range)];
  }

  private bindStarItem(star: StarExpression, range: TextRange | undefined, scope: Scope, ctes: CteEnv): BoundColumn[] {
    const selected = this.selectStar(star, scope);
    if ('unknown' in selected) {
      this.incomplete = true;
      const label = range ? this.text.slice(range) : star.relation_name ? `${star.relation_name}.*` : '*';
      // `s.*` over a struct column: its fields (unknown without types) all come from that column.
      const struct = star.relation_name && !star.columns ? resolveColumn(scope, [star.relation_name]) : undefined;
      if (struct && 'column' in struct) {
        const reason = `the fields of struct column "${star.relation_name}" are not known to lineage`;
        return [{ name: label, deps: struct.column.deps, unknown: reason, ...(range ? { range } : {}) }];
      }
      return [{ name: label, deps: [], unknown: selected.unknown, ...(range ? { range } : {}) }];
    }
    const replaceRanges = this.text.replaceRanges(star, range);
    const replaceIndex = new Map((star.replace_list ?? []).map((r, i) => [r.value, replaceRanges[i]] as const));
    return selected.columns.map(({ column, name, replacement }) => {
      if (column.placeholder) {
        this.incomplete = true;
        return { name, deps: [], unknown: `* cannot be expanded: ${column.unknown ?? 'unknown columns'}`, ...(range ? { range } : {}) };
      }
      if (replacement) {
        const at = replaceIndex.get(replacement);
        const deps = newDeps();
        collectDeps(replacement, this.expressionContext(scope, at, ctes), deps);
        return fromDeps(name, deps, at);
      }
      return {
        name,
        deps: range ? column.deps.map((d) => (d.range ? d : { ...d, range })) : column.deps,
        ...(column.unknown ? { unknown: column.unknown } : {}),
        ...(range ? { range } : {}),
      };
    });
  }

  /** `max(COLUMNS(*))`-style items: one output column per column the COLUMNS(...) selects. */
  private bindColumnsExpression(
    item: ParsedExpression,
    star: StarExpression,
    range: TextRange | undefined,
    scope: Scope,
    ctes: CteEnv,
  ): BoundColumn[] {
    const selected = this.selectStar(star, scope);
    if ('unknown' in selected) {
      this.incomplete = true;
      return [{ name: range ? this.text.slice(range) : expressionName(item), deps: [], unknown: selected.unknown, ...(range ? { range } : {}) }];
    }
    const groupAlias = aliasRename(star, item.alias);
    return selected.columns.map(({ column }) => {
      if (column.placeholder) {
        this.incomplete = true;
        return { name: column.name, deps: [], unknown: `COLUMNS(...) cannot be expanded: ${column.unknown ?? 'unknown columns'}`, ...(range ? { range } : {}) };
      }
      const replaced = replaceNode(item, star, { class: 'COLUMN_REF', type: 'COLUMN_REF', alias: '', column_names: [column.name] });
      const deps = newDeps();
      collectDeps(replaced, this.expressionContext(scope, range, ctes), deps);
      // DuckDB names each result after the column it came from, unless aliased.
      return fromDeps(groupAlias?.(column.name) ?? (item.alias || column.name), deps, range);
    });
  }

  private bindSetOperation(node: SetOperationNode, parent: Scope | undefined, ctes: CteEnv): Relation {
    return combineBranches(this.bindNode(node.left, parent, ctes), this.bindNode(node.right, parent, ctes), node.setop_type, node.setop_all !== false);
  }

  /** A recursive CTE: the anchor's columns, widened by the recursive part until nothing changes. */
  private bindRecursive(node: RecursiveCteNode, parent: Scope | undefined, ctes: CteEnv, aliases?: readonly string[]): Relation {
    const key = nameKey(node.cte_name);
    let current = renameColumns(this.bindNode(node.left, parent, ctes), aliases?.length ? aliases : node.aliases);
    for (let round = 0; round < MAX_RECURSION_ROUNDS && current.columns; round++) {
      const fixed = current;
      const env = new Map(ctes);
      env.set(key, { relation: fixed, compute: () => fixed });
      const next = combineBranches(fixed, this.bindNode(node.right, parent, env), 'UNION', node.union_all !== false);
      if (relationSignature(next) === relationSignature(current)) break;
      current = next;
    }
    return current;
  }
}

function containsUnnest(expr: unknown): boolean {
  if (expr === null || typeof expr !== 'object') return false;
  if (Array.isArray(expr)) return expr.some(containsUnnest);
  const record = expr as Record<string, unknown>;
  if (record.class === 'SUBQUERY' || record.class === 'LAMBDA') return false;
  if (record.class === 'FUNCTION' && ['unnest', 'unlist'].includes(String(record.function_name).toLowerCase())) return true;
  for (const key in record) if (containsUnnest(record[key])) return true;
  return false;
}

function findColumnsStar(expr: ParsedExpression): StarExpression | undefined {
  let found: StarExpression | undefined;
  const walk = (value: unknown): void => {
    if (found || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(walk);
    const record = value as Record<string, unknown>;
    if (record.class === 'STAR' && record.columns === true) {
      found = record as unknown as StarExpression;
      return;
    }
    if (record.class === 'SUBQUERY') return;
    for (const key in record) walk(record[key]);
  };
  walk(expr);
  return found;
}

function replaceNode(expr: ParsedExpression, target: object, replacement: ParsedExpression): ParsedExpression {
  const copy = (value: unknown): unknown => {
    if (value === target) return replacement;
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(copy);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = copy(v);
    return out;
  };
  return copy(expr) as ParsedExpression;
}

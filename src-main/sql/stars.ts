/**
 * Which columns a star selects from the FROM clause's columns: `*`, `t.*`, `* EXCLUDE`,
 * `* REPLACE`, `* RENAME`, and `COLUMNS(...)` with a regex, a list, or a lambda filter
 * simple enough to evaluate without running the query.
 */
import type { ParsedExpression, StarExpression } from './ast';
import { nameKey, sameName } from './names';

export interface StarCandidate {
  /** The binding (table alias) the column belongs to. */
  relation: string;
  name: string;
}

export type StarSelection =
  | {
      ok: true;
      /** Each selected column: where it comes from, its output name (after RENAME), its REPLACE expression. */
      columns: { candidate: StarCandidate; name: string; replacement?: ParsedExpression }[];
    }
  | { ok: false; reason: string };

/** `* RENAME (old AS new)` pairs, keyed by the lower-cased old name (and table when given). */
function renames(star: StarExpression): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of star.rename_list ?? []) {
    const entry = item as { key?: { table?: string; column?: string } | string; value?: unknown };
    const key = typeof entry.key === 'string' ? { column: entry.key } : (entry.key ?? {});
    if (!key.column || typeof entry.value !== 'string') continue;
    map.set(`${nameKey(key.table ?? '')}.${nameKey(key.column)}`, entry.value);
  }
  return map;
}

/** The names in an EXCLUDE list, whatever shape the DuckDB version gives them. */
export function excludedNames(star: StarExpression): string[] {
  return (star.exclude_list ?? []).map((item) => {
    if (typeof item === 'string') return item;
    const parts = (item as { column_names?: unknown }).column_names;
    if (Array.isArray(parts)) return String(parts[parts.length - 1]);
    const name = (item as { name?: unknown }).name;
    return String(name ?? item);
  });
}

/**
 * The columns a star selects from `available` (the FROM clause's columns in order, USING
 * duplicates already merged). `COLUMNS(...)` works for a regex constant; a lambda filter is
 * evaluated for the simple forms `c LIKE 'p'`, `c NOT LIKE`, `c = 'x'`, `c IN (...)` and
 * reported as unknowable otherwise.
 */
export function selectStarColumns(star: StarExpression, available: readonly StarCandidate[]): StarSelection {
  let pool = star.relation_name
    ? available.filter((c) => sameName(c.relation, star.relation_name))
    : [...available];
  const excluded = new Set(excludedNames(star).map(nameKey));
  pool = pool.filter((c) => !excluded.has(nameKey(c.name)));
  // `* EXCLUDE (t.col)`: newer DuckDB keeps qualified names apart.
  for (const item of star.qualified_exclude_list ?? []) {
    const q = item as { table?: string; column?: string };
    if (!q.column) continue;
    pool = pool.filter((c) => !(nameKey(c.name) === nameKey(q.column as string) && (!q.table || sameName(c.relation, q.table))));
  }
  let rename: ((name: string) => string) | undefined;
  if (star.columns && star.expr) {
    const test = columnsFilter(star.expr);
    if (!test.ok) return test;
    pool = pool.filter((c) => test.matches(c.name));
    rename = aliasRename(star, star.alias);
  }
  const replacements = new Map((star.replace_list ?? []).map((r) => [nameKey(r.key), r.value] as const));
  const renamed = renames(star);
  return {
    ok: true,
    columns: pool.map((candidate) => {
      const replacement = replacements.get(nameKey(candidate.name));
      const name =
        renamed.get(`${nameKey(candidate.relation)}.${nameKey(candidate.name)}`) ??
        renamed.get(`.${nameKey(candidate.name)}`) ??
        rename?.(candidate.name) ??
        candidate.name;
      return replacement ? { candidate, name, replacement } : { candidate, name };
    }),
  };
}

/**
 * `COLUMNS('(.*)_id') AS '\1'` (also `min(COLUMNS(...)) AS 'min_\1'`): an alias naming each
 * column from the pattern's groups; undefined when the alias has no group reference.
 */
export function aliasRename(star: StarExpression, alias: string | undefined): ((name: string) => string) | undefined {
  if (!alias || !/\\\d/.test(alias) || !star.columns || !star.expr) return undefined;
  const test = columnsFilter(star.expr);
  if (!test.ok || !test.regex) return undefined;
  const regex = test.regex;
  const template = alias.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
  return (name) => name.replace(regex, template);
}

type NameFilter = { ok: true; matches: (name: string) => boolean; regex?: RegExp } | { ok: false; reason: string };

function columnsFilter(expr: ParsedExpression): NameFilter {
  if (expr.class === 'CONSTANT') {
    const value = (expr as { value: { value?: unknown; type: { id: string } } }).value;
    if (value.type.id !== 'VARCHAR') return { ok: false, reason: 'COLUMNS() with a non-text argument' };
    let regex: RegExp;
    try {
      regex = new RegExp(String(value.value));
    } catch {
      return { ok: false, reason: `COLUMNS() pattern '${String(value.value)}' is not a regular expression we can evaluate` };
    }
    return { ok: true, matches: (name) => regex.test(name), regex };
  }
  if (expr.class === 'FUNCTION' && (expr as { function_name: string }).function_name === 'list_filter') {
    const lambda = (expr as { children: ParsedExpression[] }).children[1];
    if (lambda?.class === 'LAMBDA') return lambdaFilter(lambda as ParsedExpression & { lhs: ParsedExpression; expr: ParsedExpression });
  }
  if (expr.class === 'FUNCTION' && ['list_value', 'list_pack'].includes((expr as { function_name: string }).function_name)) {
    const names: string[] = [];
    for (const child of (expr as { children: ParsedExpression[] }).children) {
      if (child.class !== 'CONSTANT') return { ok: false, reason: 'COLUMNS() list with a non-constant entry' };
      names.push(String((child as { value: { value?: unknown } }).value.value));
    }
    const keys = new Set(names.map(nameKey));
    return { ok: true, matches: (name) => keys.has(nameKey(name)) };
  }
  return { ok: false, reason: 'COLUMNS() argument cannot be evaluated without running the query' };
}

function lambdaFilter(lambda: { lhs: ParsedExpression; expr: ParsedExpression }): NameFilter {
  const param = lambda.lhs.class === 'COLUMN_REF' ? (lambda.lhs as { column_names: string[] }).column_names[0] : undefined;
  if (!param) return { ok: false, reason: 'COLUMNS() lambda with an unsupported parameter' };
  const predicate = compilePredicate(lambda.expr, param);
  return predicate ? { ok: true, matches: predicate } : { ok: false, reason: 'COLUMNS() lambda body cannot be evaluated statically' };
}

type Predicate = (name: string) => boolean;

function compilePredicate(expr: ParsedExpression, param: string): Predicate | undefined {
  const isParam = (e: ParsedExpression | undefined): boolean =>
    e?.class === 'COLUMN_REF' && sameName((e as { column_names: string[] }).column_names.join('.'), param);
  const constant = (e: ParsedExpression | undefined): string | undefined =>
    e?.class === 'CONSTANT' ? String((e as { value: { value?: unknown } }).value.value) : undefined;
  const record = expr as Record<string, unknown>;
  if (expr.class === 'FUNCTION') {
    const [a, b] = record.children as ParsedExpression[];
    const name = String(record.function_name);
    const pattern = constant(b);
    if (isParam(a) && pattern !== undefined) {
      if (name === '~~' || name === 'like') return likeMatcher(pattern, false);
      if (name === '!~~' || name === 'not_like') return negate(likeMatcher(pattern, false));
      if (name === '~~*' || name === 'ilike') return likeMatcher(pattern, true);
      if (name === '!~~*' || name === 'not_ilike') return negate(likeMatcher(pattern, true));
      if (name === 'regexp_matches') return (n) => new RegExp(pattern).test(n);
      if (name === 'starts_with' || name === 'prefix') return (n) => n.startsWith(pattern);
      if (name === 'suffix' || name === 'ends_with') return (n) => n.endsWith(pattern);
      if (name === 'contains') return (n) => n.includes(pattern);
    }
    return undefined;
  }
  if (expr.class === 'COMPARISON') {
    const value = constant(record.right as ParsedExpression) ?? constant(record.left as ParsedExpression);
    const param_ = isParam(record.left as ParsedExpression) || isParam(record.right as ParsedExpression);
    if (!param_ || value === undefined) return undefined;
    if (expr.type === 'COMPARE_EQUAL') return (n) => n === value;
    if (expr.type === 'COMPARE_NOTEQUAL') return (n) => n !== value;
    return undefined;
  }
  if (expr.class === 'CONJUNCTION') {
    const parts = (record.children as ParsedExpression[]).map((c) => compilePredicate(c, param));
    if (parts.some((p) => !p)) return undefined;
    const ps = parts as Predicate[];
    return expr.type === 'CONJUNCTION_OR' ? (n) => ps.some((p) => p(n)) : (n) => ps.every((p) => p(n));
  }
  if (expr.class === 'OPERATOR') {
    const children = record.children as ParsedExpression[];
    if (expr.type === 'OPERATOR_NOT' && children[0]) {
      const inner = compilePredicate(children[0], param);
      return inner ? negate(inner) : undefined;
    }
    if ((expr.type === 'COMPARE_IN' || expr.type === 'COMPARE_NOT_IN') && isParam(children[0])) {
      const values = children.slice(1).map(constant);
      if (values.some((v) => v === undefined)) return undefined;
      const set = new Set(values as string[]);
      return expr.type === 'COMPARE_IN' ? (n) => set.has(n) : (n) => !set.has(n);
    }
  }
  return undefined;
}

function negate(p: Predicate): Predicate {
  return (n) => !p(n);
}

function likeMatcher(pattern: string, caseInsensitive: boolean): Predicate {
  let source = '^';
  for (const ch of pattern) {
    if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`${source}$`, caseInsensitive ? 'is' : 's');
  return (n) => regex.test(n);
}


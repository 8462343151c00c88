/**
 * What the text around the cursor of a model file means, for completion, hover and go to
 * definition: where the `MODEL (...)` header ends, which relation an alias names (from the
 * FROM and JOIN clauses), where a CTE is defined, and what a dotted word before the cursor is.
 * Pure text functions (no Monaco), so they are unit-tested alone.
 */

/** Offset just after the `MODEL (...)` header's closing parenthesis, or 0 when there is none. */
export function headerEnd(text: string): number {
  const start = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*MODEL\s*\(/i.exec(text);
  if (!start) return 0;
  let depth = 1;
  for (let i = start[0].length; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") {
      const close = text.indexOf("'", i + 1);
      i = close < 0 ? text.length : close;
    } else if (ch === '-' && text[i + 1] === '-') {
      const close = text.indexOf('\n', i);
      i = close < 0 ? text.length : close;
    } else if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** Text with comments and string contents blanked (same length), so regexes see only code. */
export function codeOnly(text: string): string {
  return text
    .replace(/--[^\n]*/g, (m) => ' '.repeat(m.length))
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/'(?:[^']|'')*'/g, (m) => `'${' '.repeat(Math.max(0, m.length - 2))}'`);
}

const NOT_ALIAS = new Set([
  'where', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'natural', 'on', 'using', 'group', 'order', 'limit',
  'union', 'except', 'intersect', 'having', 'window', 'qualify', 'positional', 'asof', 'anti', 'semi', 'lateral', 'select', 'as',
]);

function unquote(name: string): string {
  return name
    .split('.')
    .map((p) => p.trim().replace(/^"(.*)"$/, '$1'))
    .join('.');
}

/**
 * Relations the query reads through FROM and JOIN, by the name each is referred to with: its
 * alias when it has one, else its last name part (`marts.orders` → `orders`). Names are lower-case.
 */
export function relationAliases(text: string): Map<string, string> {
  const code = codeOnly(text);
  const out = new Map<string, string>();
  const pattern = /\b(?:from|join)\s+((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*)){0,2})(?:\s+(?:as\s+)?("[^"]+"|[A-Za-z_][\w$]*))?/gi;
  for (const match of code.matchAll(pattern)) {
    const relation = unquote(match[1] ?? '').toLowerCase();
    if (!relation || code[(match.index ?? 0) + match[0].length] === '(') continue; // a table function
    const written = match[2] ? unquote(match[2]).toLowerCase() : undefined;
    const alias = written && !NOT_ALIAS.has(written) ? written : relation.split('.').pop() ?? relation;
    out.set(alias, relation);
  }
  return out;
}

/** CTE names defined in the text, with the offset of each name. */
export function cteDefinitions(text: string): Map<string, number> {
  const code = codeOnly(text);
  const out = new Map<string, number>();
  const pattern = /(?:\bwith\s+(?:recursive\s+)?|,\s*)("[^"]+"|[A-Za-z_][\w$]*)\s*(?:\([^)]*\)\s*)?as\s*(?:not\s+)?(?:materialized\s*)?\(/gi;
  for (const match of code.matchAll(pattern)) {
    const name = unquote(match[1] ?? '').toLowerCase();
    if (!out.has(name)) out.set(name, (match.index ?? 0) + match[0].indexOf(match[1] ?? ''));
  }
  return out;
}

export type CursorContext =
  /** Inside the MODEL header: after `kind` when `afterKind`. */
  | { kind: 'header'; afterKind: boolean }
  /** After `qualifier.` (an alias, a table or a schema), typing `prefix`. */
  | { kind: 'member'; qualifier: string; prefix: string }
  /** After `@`: a macro or a macro variable. */
  | { kind: 'macro'; prefix: string }
  | { kind: 'sql'; prefix: string };

/** What is being typed at `offset` of `text`. */
export function cursorContext(text: string, offset: number): CursorContext {
  const before = text.slice(0, offset);
  if (offset < headerEnd(text) || (headerEnd(text) === text.length && /^\s*MODEL\s*\(/i.test(text))) {
    return { kind: 'header', afterKind: /\bkind\s+[A-Za-z_]*$/i.test(before) };
  }
  const macro = /@([A-Za-z_]\w*)?$/.exec(before);
  if (macro) return { kind: 'macro', prefix: macro[1] ?? '' };
  const member = /((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|[A-Za-z_][\w$]*))*)\.([A-Za-z_][\w$]*)?$/.exec(before);
  if (member) return { kind: 'member', qualifier: unquote(member[1] ?? '').toLowerCase(), prefix: member[2] ?? '' };
  return { kind: 'sql', prefix: /[A-Za-z_][\w$]*$/.exec(before)?.[0] ?? '' };
}

/** The dotted word (`a.b.c`) around `offset`, and which part the offset is in. */
export function dottedWordAt(text: string, offset: number): { parts: string[]; index: number; start: number; end: number } | undefined {
  const isWord = (ch: string | undefined) => ch !== undefined && /[\w$."]/.test(ch);
  let start = offset;
  while (start > 0 && isWord(text[start - 1])) start--;
  let end = offset;
  while (end < text.length && isWord(text[end])) end++;
  const word = text.slice(start, end).replace(/^\.+|\.+$/g, '');
  if (!word || !/[A-Za-z_]/.test(word)) return undefined;
  const parts = word.split('.').map((p) => p.replace(/^"(.*)"$/, '$1').toLowerCase());
  const index = text.slice(start, offset).split('.').length - 1;
  return { parts, index: Math.min(index, parts.length - 1), start, end };
}

export const HEADER_PROPERTIES = [
  'name', 'kind', 'cron', 'cron_tz', 'interval_unit', 'start', 'end', 'owner', 'description', 'tags', 'grain', 'grains',
  'references', 'columns', 'column_descriptions', 'depends_on', 'audits', 'partitioned_by', 'clustered_by', 'physical_properties',
  'virtual_properties', 'session_properties', 'stamp', 'allow_partials', 'enabled', 'gateway', 'dialect', 'signals', 'blueprints',
];

export const MODEL_KINDS = [
  'FULL', 'VIEW', 'INCREMENTAL_BY_TIME_RANGE', 'INCREMENTAL_BY_UNIQUE_KEY', 'INCREMENTAL_BY_PARTITION', 'INCREMENTAL_UNMANAGED',
  'SCD_TYPE_2_BY_TIME', 'SCD_TYPE_2_BY_COLUMN', 'SEED', 'EMBEDDED', 'EXTERNAL',
];

export const MACRO_VARIABLES = [
  'start_ds', 'end_ds', 'start_ts', 'end_ts', 'start_date', 'end_date', 'start_dt', 'end_dt', 'start_epoch', 'end_epoch', 'start_millis',
  'end_millis', 'execution_ds', 'execution_ts', 'execution_dt', 'execution_epoch', 'this_model', 'gateway', 'runtime_stage',
];

/**
 * SQLMesh's built-in macro functions: @DEF, @IF, @EVAL, @EACH, @FILTER, @REDUCE, @SQL, @VAR,
 * @BLUEPRINT_VAR, @STAR, @UNION, @GENERATE_SURROGATE_KEY, @SAFE_ADD/SUB/DIV, @AND, @OR, @PIVOT,
 * @DEDUPLICATE, @DATE_SPINE, @HAVERSINE_DISTANCE.
 * Each produces plain DuckDB SQL text in the shape SQLMesh documents.
 */
import type { ColumnDef } from '../model';
import { isOp, significant, type Token } from '../lexer';
import { evaluateExpression } from './condition';
import { classify, MacroError, type MacroCall, type MacroEvaluator, type MacroFunction } from './evaluator';
import { identifier, list, type MacroValue, NULL, quoteString, sql, toIdentifierText, toSql, truthy } from './values';

/** Splits arguments into positional ones and `name := value` ones (names lower-cased). */
function bindArgs(call: MacroCall, names: readonly string[]): Record<string, Token[]> {
  const bound: Record<string, Token[]> = {};
  let position = 0;
  let sawKeyword = false;
  for (const arg of call.args) {
    const sig = significant(arg);
    if (sig[0]?.type === 'ident' && isOp(sig[1], ':=')) {
      const key = sig[0].text.toLowerCase();
      if (!names.includes(key)) throw new MacroError(`@${call.name.toUpperCase()} has no argument '${key}' (arguments: ${names.join(', ')})`, sig[0]);
      bound[key] = arg.slice(arg.indexOf(sig[1] as Token) + 1);
      sawKeyword = true;
      continue;
    }
    if (sawKeyword) throw new MacroError('Positional arguments cannot follow keyword (name := value) arguments', sig[0] ?? call.token);
    const name = names[position++];
    if (!name) throw new MacroError(`@${call.name.toUpperCase()} takes at most ${names.length} argument(s)`, sig[0] ?? call.token);
    bound[name] = arg;
  }
  return bound;
}

/** Like bindArgs, but any number of positional arguments followed by optional keyword ones. */
function variadic(call: MacroCall, keywords: readonly string[]): { positional: Token[][]; keyword: Record<string, Token[]> } {
  const positional: Token[][] = [];
  const keyword: Record<string, Token[]> = {};
  for (const arg of call.args) {
    const sig = significant(arg);
    if (sig[0]?.type === 'ident' && isOp(sig[1], ':=')) {
      const key = sig[0].text.toLowerCase();
      if (!keywords.includes(key)) throw new MacroError(`@${call.name.toUpperCase()} has no argument '${key}'`, sig[0]);
      keyword[key] = arg.slice(arg.indexOf(sig[1] as Token) + 1);
    } else positional.push(arg);
  }
  return { positional, keyword };
}

function need(call: MacroCall, args: Record<string, Token[]>, name: string): Token[] {
  const a = args[name];
  if (!a || significant(a).length === 0) throw new MacroError(`@${call.name.toUpperCase()} needs its '${name}' argument`, call.token);
  return a;
}

function items(value: MacroValue): MacroValue[] {
  if (value.t === 'list') return value.items;
  if (value.t === 'null') return [];
  return [value];
}

function text(ev: MacroEvaluator, call: MacroCall, tokens: Token[] | undefined): string | undefined {
  if (!tokens || significant(tokens).length === 0) return undefined;
  return toIdentifierText(ev.evaluateArg(tokens, call.scope));
}

const DEF: MacroFunction = (ev, call) => {
  const [nameArg, ...rest] = call.args;
  const nameTok = significant(nameArg ?? [])[0];
  if (!nameTok || (nameTok.type !== 'ident' && nameTok.type !== 'quoted') || rest.length === 0) {
    throw new MacroError('@DEF needs a name and a value: @DEF(name, value)', call.token);
  }
  const valueTokens = rest.length === 1 ? (rest[0] ?? []) : joinArgs(rest);
  ev.locals.set((nameTok.value ?? nameTok.text).toLowerCase(), ev.evaluateArg(valueTokens, call.scope));
  return undefined;
};

/** Re-joins argument groups that were split at commas (a @DEF value such as `(x, y) -> x + y`). */
function joinArgs(groups: Token[][]): Token[] {
  const out: Token[] = [];
  groups.forEach((g, i) => {
    if (i > 0) {
      const prev = out[out.length - 1];
      const at = prev?.end ?? 0;
      out.push({ type: 'op', text: ',', start: at, end: at + 1 });
    }
    out.push(...g);
  });
  return out;
}

const IF: MacroFunction = (ev, call) => {
  if (call.args.length < 2 || call.args.length > 3) throw new MacroError('@IF takes (condition, value if true[, value if false])', call.token);
  const condition = ev.condition(call.args[0] ?? [], call.scope);
  const branch = condition ? call.args[1] : call.args[2];
  if (!branch) return undefined;
  return ev.evaluateArg(branch, call.scope);
};

const EVAL: MacroFunction = (ev, call) => {
  if (call.args.length !== 1) throw new MacroError('@EVAL takes one expression', call.token);
  return ev.evalExpression(call.args[0] ?? [], call.scope);
};

const EACH: MacroFunction = (ev, call) => {
  const args = bindArgs(call, ['items', 'func']);
  const values = items(ev.evaluateArg(need(call, args, 'items'), call.scope));
  const fn = ev.evaluateArg(need(call, args, 'func'), call.scope);
  return list(values.map((v) => ev.applyLambda(fn, [v], call.token)));
};

const FILTER: MacroFunction = (ev, call) => {
  const args = bindArgs(call, ['items', 'func']);
  const values = items(ev.evaluateArg(need(call, args, 'items'), call.scope));
  const fn = ev.evaluateArg(need(call, args, 'func'), call.scope);
  return list(
    values.filter((v) => {
      const result = ev.applyLambda(fn, [v], call.token);
      if (result.t === 'sql') return truthy(evaluateExpression(result.sql, call.token.start));
      return truthy(result);
    }),
  );
};

const REDUCE: MacroFunction = (ev, call) => {
  const args = bindArgs(call, ['items', 'func']);
  const values = items(ev.evaluateArg(need(call, args, 'items'), call.scope));
  const fn = ev.evaluateArg(need(call, args, 'func'), call.scope);
  if (values.length === 0) return NULL;
  let acc = values[0] as MacroValue;
  for (const v of values.slice(1)) acc = ev.applyLambda(fn, [acc, v], call.token);
  return acc;
};

const SQL: MacroFunction = (ev, call) => {
  const args = bindArgs(call, ['sql', 'into']);
  const value = ev.evaluateArg(need(call, args, 'sql'), call.scope);
  const body = value.t === 'str' ? value.value : toSql(value);
  return classify(ev.render(body, call.token.start).trim());
};

function variableLookup(user: boolean): MacroFunction {
  return (ev, call) => {
    const args = bindArgs(call, ['name', 'default']);
    const nameValue = ev.evaluateArg(need(call, args, 'name'), call.scope);
    const name = toIdentifierText(nameValue).toLowerCase();
    const found = user ? ev.env.userVariables[name] : ev.env.blueprintVariables[name];
    if (found !== undefined) return found;
    return args['default'] ? ev.evaluateArg(args['default'], call.scope) : NULL;
  };
}

function columnsOf(ev: MacroEvaluator, call: MacroCall, relation: string): readonly ColumnDef[] {
  const columns = ev.env.columns?.(relation);
  if (!columns) {
    throw new MacroError(
      `@${call.name.toUpperCase()} needs the columns of '${relation}', which are not known (declare it in external_models.yaml or give the model a columns property)`,
      call.token,
      'render.unknown_columns',
    );
  }
  return columns;
}

const STAR: MacroFunction = (ev, call) => {
  const args = bindArgs(call, ['relation', 'alias', 'exclude', 'prefix', 'suffix', 'quote_identifiers', 'except']);
  const relation = text(ev, call, need(call, args, 'relation')) ?? '';
  const alias = text(ev, call, args['alias']) ?? '';
  const excludeTokens = args['exclude'] ?? args['except'];
  const exclude = new Set(
    excludeTokens ? items(ev.evaluateArg(excludeTokens, call.scope)).map((v) => toIdentifierText(v).toLowerCase()) : [],
  );
  const prefix = text(ev, call, args['prefix']) ?? '';
  const suffix = text(ev, call, args['suffix']) ?? '';
  const quote = args['quote_identifiers'] ? truthy(ev.evaluateArg(args['quote_identifiers'], call.scope)) : true;
  const q = (name: string): string => (quote ? identifier(name, true) : identifier(name));
  const projections = columnsOf(ev, call, relation)
    .filter((c) => !exclude.has(c.name.toLowerCase()))
    .map((c) => `CAST(${alias ? `${q(alias)}.` : ''}${q(c.name)} AS ${c.type}) AS ${q(`${prefix}${c.name}${suffix}`)}`);
  return list(projections.map(sql));
};

const UNION: MacroFunction = (ev, call) => {
  const values = call.args.map((a) => ({ tokens: a, value: ev.evaluateArg(a, call.scope) }));
  let condition = true;
  let kind = 'ALL';
  let i = 0;
  const first = values[0]?.value;
  if (first?.t === 'bool') {
    condition = first.value;
    i++;
  } else if (first?.t === 'sql' && /[=<>]|\bIN\b|\bNOT\b/i.test(first.sql)) {
    condition = truthy(ev.evalExpression(values[0]?.tokens ?? [], call.scope));
    i++;
  }
  const typeArg = values[i]?.value;
  if (typeArg?.t === 'str' && ['all', 'distinct'].includes(typeArg.value.toLowerCase())) {
    kind = typeArg.value.toUpperCase();
    i++;
  }
  const tables = values.slice(i).map((v) => toIdentifierText(v.value));
  if (tables.length === 0) throw new MacroError('@UNION needs at least one table', call.token);
  const columnSets = tables.map((t) => columnsOf(ev, call, t));
  const common = (columnSets[0] ?? []).filter((c) =>
    columnSets.every((set) => set.some((o) => o.name.toLowerCase() === c.name.toLowerCase() && o.type.toUpperCase() === c.type.toUpperCase())),
  );
  if (common.length === 0) throw new MacroError(`@UNION: the tables ${tables.join(', ')} have no column with the same name and type`, call.token);
  const projection = common.map((c) => `CAST(${identifier(c.name)} AS ${c.type}) AS ${identifier(c.name)}`).join(', ');
  const selects = (condition ? tables : tables.slice(0, 1)).map((t) => `SELECT ${projection} FROM ${t}`);
  return sql(selects.join(kind === 'ALL' ? ' UNION ALL ' : ' UNION '));
};

const SURROGATE_NULL = '_sqlmesh_surrogate_key_null_';
const GENERATE_SURROGATE_KEY: MacroFunction = (ev, call) => {
  const { positional, keyword } = variadic(call, ['hash_function']);
  if (positional.length === 0) throw new MacroError('@GENERATE_SURROGATE_KEY needs at least one column', call.token);
  const hash = keyword['hash_function'] ? (text(ev, call, keyword['hash_function']) ?? 'MD5') : 'MD5';
  const parts = positional.map((a) => `COALESCE(CAST(${ev.argText(a, call.scope)} AS TEXT), ${quoteString(SURROGATE_NULL)})`);
  return sql(`${hash.toUpperCase()}(CONCAT(${parts.join(", '|', ")}))`);
};

function safeArithmetic(op: '+' | '-'): MacroFunction {
  return (ev, call) => {
    const operands = call.args.map((a) => ev.argText(a, call.scope));
    if (operands.length < 2) throw new MacroError(`@${call.name.toUpperCase()} needs at least two operands`, call.token);
    const allNull = operands.map((o) => `${o} IS NULL`).join(' AND ');
    return sql(`CASE WHEN ${allNull} THEN NULL ELSE ${operands.map((o) => `COALESCE(${o}, 0)`).join(` ${op} `)} END`);
  };
}

const SAFE_DIV: MacroFunction = (ev, call) => {
  const args = bindArgs(call, ['numerator', 'denominator']);
  return sql(`${ev.argText(need(call, args, 'numerator'), call.scope)} / NULLIF(${ev.argText(need(call, args, 'denominator'), call.scope)}, 0)`);
};

function logical(op: 'AND' | 'OR'): MacroFunction {
  return (ev, call) => {
    const operands = call.args.map((a) => ev.evaluateArg(a, call.scope)).filter((v) => v.t !== 'null');
    if (operands.length === 0) return NULL;
    const parts = operands.map((v) => {
      const s = toSql(v);
      return operands.length > 1 && op === 'AND' && /\bOR\b/i.test(s) ? `(${s})` : s;
    });
    return sql(parts.join(` ${op} `));
  };
}

/** A list argument (`[a, b]` or `(a, b)`); a single value counts as a list of one. */
function listArg(ev: MacroEvaluator, call: MacroCall, tokens: Token[], what: string): MacroValue[] {
  const value = ev.evaluateArg(tokens, call.scope);
  if (value.t !== 'list') throw new MacroError(`@${call.name.toUpperCase()}: ${what} must be a list, like [a, b]`, significant(tokens)[0] ?? call.token);
  return value.items;
}

/** A string or identifier argument's text (`'SUM'`, `SUM`), with a default when absent. */
function word(ev: MacroEvaluator, call: MacroCall, tokens: Token[] | undefined, fallback: string): string {
  return text(ev, call, tokens) ?? fallback;
}

function flag(ev: MacroEvaluator, call: MacroCall, tokens: Token[] | undefined, fallback: boolean): boolean {
  return tokens && significant(tokens).length > 0 ? truthy(ev.evaluateArg(tokens, call.scope)) : fallback;
}

/** Long to wide: one `AGG(CASE WHEN column cmp value THEN then ELSE else END)` projection per value. */
const PIVOT: MacroFunction = (ev, call) => {
  const args = bindArgs(call, ['column', 'values', 'alias', 'agg', 'cmp', 'prefix', 'suffix', 'then_value', 'else_value', 'quote', 'distinct']);
  const column = ev.argText(need(call, args, 'column'), call.scope);
  const values = listArg(ev, call, need(call, args, 'values'), 'the values to pivot on');
  const agg = word(ev, call, args['agg'], 'SUM');
  const cmp = word(ev, call, args['cmp'], '=');
  const prefix = word(ev, call, args['prefix'], '');
  const suffix = word(ev, call, args['suffix'], '');
  const thenValue = args['then_value'] ? ev.argText(args['then_value'], call.scope) : '1';
  const elseValue = args['else_value'] ? ev.argText(args['else_value'], call.scope) : '0';
  const alias = flag(ev, call, args['alias'], true);
  const quote = flag(ev, call, args['quote'], true);
  const distinct = flag(ev, call, args['distinct'], false) ? 'DISTINCT ' : '';
  return list(
    values.map((value) => {
      const v = toSql(value);
      const projection = `${agg}(${distinct}CASE WHEN ${column} ${cmp} ${v} THEN ${thenValue} ELSE ${elseValue} END)`;
      // As SQLMesh names them: the value as written (a string keeps its quotes) between prefix and suffix.
      return sql(alias ? `${projection} AS ${identifier(`${prefix}${v}${suffix}`, quote)}` : projection);
    }),
  );
};

/** `SELECT * FROM relation QUALIFY ROW_NUMBER() OVER (PARTITION BY … ORDER BY …) = 1`. */
const DEDUPLICATE: MacroFunction = (ev, call) => {
  const args = bindArgs(call, ['relation', 'partition_by', 'order_by']);
  const relation = text(ev, call, need(call, args, 'relation')) ?? '';
  const partition = listArg(ev, call, need(call, args, 'partition_by'), 'partition_by (the columns that identify a duplicate)').map(toSql);
  const orderTokens = need(call, args, 'order_by');
  const order = listArg(ev, call, orderTokens, "order_by (strings such as 'updated_at DESC')").map((v) =>
    v.t === 'str' ? ev.render(v.value, call.token.start).trim() : toSql(v),
  );
  if (order.length === 0) throw new MacroError("@DEDUPLICATE: order_by needs at least one entry, like ['updated_at DESC']", significant(orderTokens)[0] ?? call.token);
  return sql(`SELECT * FROM ${relation} QUALIFY ROW_NUMBER() OVER (PARTITION BY ${partition.join(', ')} ORDER BY ${order.join(', ')}) = 1`);
};

const DATE_PARTS = ['day', 'week', 'month', 'quarter', 'year'];

/** A one-column query of dates (`date_<part>`) from start to end, both included. */
const DATE_SPINE: MacroFunction = (ev, call) => {
  const args = bindArgs(call, ['datepart', 'start_date', 'end_date']);
  const partTokens = need(call, args, 'datepart');
  const part = (text(ev, call, partTokens) ?? '').toLowerCase();
  if (!DATE_PARTS.includes(part)) {
    throw new MacroError(`@DATE_SPINE: datepart '${part}' is not one of ${DATE_PARTS.map((p) => `'${p}'`).join(', ')}`, significant(partTokens)[0] ?? call.token);
  }
  const startTokens = need(call, args, 'start_date');
  const endTokens = need(call, args, 'end_date');
  const start = ev.evaluateArg(startTokens, call.scope);
  const end = ev.evaluateArg(endTokens, call.scope);
  let from = toSql(start);
  let to = toSql(end);
  if (start.t === 'str' && end.t === 'str') {
    for (const [value, tokens] of [
      [start.value, startTokens],
      [end.value, endTokens],
    ] as const) {
      if (!isCalendarDate(value)) throw new MacroError(`@DATE_SPINE: '${value}' is not a date in the form YYYY-MM-DD`, significant(tokens)[0] ?? call.token);
    }
    if (start.value > end.value) throw new MacroError(`@DATE_SPINE: start_date '${start.value}' is after end_date '${end.value}'`, significant(startTokens)[0] ?? call.token);
    from = `CAST(${from} AS DATE)`;
    to = `CAST(${to} AS DATE)`;
  }
  const name = `date_${part}`;
  // DuckDB's GENERATE_SERIES over dates yields timestamps: cast the list back to dates.
  return sql(`SELECT ${name} FROM UNNEST(CAST(GENERATE_SERIES(${from}, ${to}, INTERVAL '1' ${part.toUpperCase()}) AS DATE[])) AS _exploded(${name})`);
};

function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCFullYear() === Number(m[1]) && date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
}

/** Great-circle distance in miles ('mi', the default) or kilometres ('km'), as SQLMesh writes it. */
const HAVERSINE_DISTANCE: MacroFunction = (ev, call) => {
  const args = bindArgs(call, ['lat1', 'lon1', 'lat2', 'lon2', 'unit']);
  const [lat1, lon1, lat2, lon2] = (['lat1', 'lon1', 'lat2', 'lon2'] as const).map((n) => ev.argText(need(call, args, n), call.scope));
  const unit = (text(ev, call, args['unit']) ?? 'mi').toLowerCase();
  const rate = unit === 'mi' ? '1.0' : unit === 'km' ? '1.60934' : undefined;
  if (!rate) throw new MacroError(`@HAVERSINE_DISTANCE: unit '${unit}' is not 'mi' or 'km'`, significant(args['unit'] ?? [])[0] ?? call.token);
  return sql(
    `7922 * ASIN(SQRT((POWER(SIN(RADIANS((${lat2} - ${lat1}) / 2)), 2)) + (COS(RADIANS(${lat1})) * COS(RADIANS(${lat2})) * POWER(SIN(RADIANS((${lon2} - ${lon1}) / 2)), 2)))) * ${rate}`,
  );
};

/** Built-in macro functions by lower-case name. */
export const BUILTIN_MACROS: Record<string, MacroFunction> = {
  def: DEF,
  if: IF,
  eval: EVAL,
  each: EACH,
  filter: FILTER,
  reduce: REDUCE,
  sql: SQL,
  var: variableLookup(true),
  blueprint_var: variableLookup(false),
  star: STAR,
  union: UNION,
  generate_surrogate_key: GENERATE_SURROGATE_KEY,
  safe_add: safeArithmetic('+'),
  safe_sub: safeArithmetic('-'),
  safe_div: SAFE_DIV,
  and: logical('AND'),
  or: logical('OR'),
  pivot: PIVOT,
  deduplicate: DEDUPLICATE,
  date_spine: DATE_SPINE,
  haversine_distance: HAVERSINE_DISTANCE,
};

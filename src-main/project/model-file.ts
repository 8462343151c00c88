/**
 * Reads one SQL model file: the `MODEL (...)` header into a typed `SqlModelDefinition`, then
 * pre-statements (incl. `@DEF`), the query, post-statements, an `ON_VIRTUAL_UPDATE_BEGIN/END`
 * block and inline `AUDIT` blocks. Every problem is reported with its position; the rest of
 * the file is still read.
 */
import type { ModelDefaults } from './config';
import { type Diagnostics, LineIndex } from './diagnostics';
import { type AuditDefinition, readAudits } from './audit';
import { projectionComments } from './column-comments';
import { isKeyword, isOp, tokenize, type Token } from './lexer';
import type { AuditCall, ColumnDef, PropertySource, SqlModelDefinition } from './model';
import { normaliseKindName, readKind } from './model-kind';
import { listItems, parsePropertyList, type PropItem, type PropValue, parseValue } from './properties';
import { describe, PropertyReader } from './property-readers';
import { didYouMean } from './suggest';
import { BUILTIN_MACROS } from './render/builtins';
import { classify, MacroEvaluator } from './render/evaluator';
import { fromPlain, type MacroValue, sql } from './render/values';
import { type SqlSection, sectionOf } from './sql-section';
import { leadingComments, readHeader, splitStatements, type Statement } from './statements';

export interface ModelFileResult {
  /** One model, one per blueprint, or none when the header could not be read. */
  models: SqlModelDefinition[];
  audits: AuditDefinition[];
}

const QUERY_START = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'PIVOT', 'UNPIVOT']);

const KNOWN_PROPERTIES = new Set([
  'name', 'kind', 'dialect', 'cron', 'cron_tz', 'interval_unit', 'start', 'end', 'owner', 'tags',
  'description', 'column_descriptions', 'grain', 'grains', 'references', 'columns', 'depends_on',
  'audits', 'partitioned_by', 'clustered_by', 'physical_properties', 'table_properties',
  'virtual_properties', 'session_properties', 'table_format', 'storage_format', 'stamp',
  'physical_version', 'allow_partials', 'enabled', 'gateway', 'optimize_query', 'signals',
  'blueprints', 'project', 'ignored_rules', 'formatting', 'grants', 'grants_target_layer',
  'validate_query', 'retention',
]);

/** Statement-level macros that SQLMesh accepts around the query. */
function isQueryStart(statement: Statement): boolean {
  const first = statement.sig[0];
  if (!first) return false;
  if (isOp(first, '(')) return true;
  // A query-producing macro (`@UNION('all', a, b)`, `@DATE_SPINE(...)`...) written as the whole query.
  if (first.type === 'macro' && /^(union|sql|deduplicate|date_spine)$/i.test(first.value ?? '')) return true;
  return first.type === 'ident' && QUERY_START.has(first.text.toUpperCase());
}

/**
 * Parses model file text. `file` is project-relative (for diagnostics), `absPath` absolute
 * (SEED paths resolve against it).
 */
export function parseModelFile(
  file: string,
  absPath: string,
  text: string,
  defaults: ModelDefaults,
  diagnostics: Diagnostics,
  variables: Readonly<Record<string, unknown>> = {},
): ModelFileResult {
  const lines = new LineIndex(text);
  const reader = new PropertyReader(file, lines, diagnostics);
  const { tokens, unterminated } = tokenize(text);
  if (unterminated) {
    reader.error(unterminated, 'sql.unterminated', `Unterminated ${unterminated.type === 'comment' ? 'comment' : 'string or quoted identifier'}`);
    return { models: [], audits: [] };
  }
  for (const t of tokens) {
    if (t.type === 'jinja' || (t.type === 'string' && /\{\{[\s\S]*\}\}|\{%[\s\S]*%\}/.test(t.text))) {
      reader.error(t, 'model.jinja_unsupported', 'Jinja templates are not supported; use SQLMesh macros (@DEF, @IF, @EACH, ...) instead');
      return { models: [], audits: [] };
    }
  }
  const statements = splitStatements(tokens);
  const first = statements[0];
  const header = first ? readHeader(first, 'MODEL') : undefined;
  if (!first || !header) {
    reader.error(first?.sig[0] ?? { start: 0, end: 0 }, 'model.no_header', 'A SQL model file must start with a MODEL (...) header');
    return { models: [], audits: [] };
  }
  if ('error' in header) {
    reader.error(header.at, 'model.header', header.error);
    return { models: [], audits: [] };
  }

  const parsed = parsePropertyList(header.body, text);
  for (const e of parsed.errors) reader.error(e, 'model.property', e.message);
  const items: Record<string, PropItem> = {};
  const properties: Record<string, PropertySource> = {};
  for (const item of parsed.items) {
    const key = item.key === 'table_properties' ? 'physical_properties' : item.key;
    if (items[key]) {
      reader.error(item.keyToken, 'model.duplicate_property', `Property '${item.key}' is given twice`);
      continue;
    }
    if (!KNOWN_PROPERTIES.has(item.key)) {
      const hint = didYouMean(item.key, KNOWN_PROPERTIES);
      // SQLMesh refuses extra fields in a MODEL block ("Invalid extra fields"), so this is an error.
      reader.error(item.keyToken, 'model.unknown_property', `Unknown model property '${item.key}'.${hint || ' Remove it, or check the MODEL properties in SQLMesh\'s documentation.'}`);
    }
    items[key] = item;
    properties[key] = {
      keyRange: reader.range(item.keyToken),
      range: reader.range(item),
      ...(item.value ? { value: item.value } : {}),
    };
  }

  // Body statements: pre-statements, query, post-statements, virtual-update block, inline audits.
  const rest = statements.slice(1);
  const pre: SqlSection[] = [];
  const post: SqlSection[] = [];
  const onVirtualUpdate: SqlSection[] = [];
  let query: SqlSection | undefined;
  let queryTokens: Token[] = [];
  let auditStatements: Statement[] = [];
  let inVirtualUpdate: Statement | undefined;
  for (let i = 0; i < rest.length; i++) {
    const s = rest[i];
    if (!s) continue;
    const word = s.sig[0];
    if (s.sig.length === 1 && isKeyword(word, 'ON_VIRTUAL_UPDATE_BEGIN')) {
      inVirtualUpdate = s;
      continue;
    }
    if (s.sig.length === 1 && isKeyword(word, 'ON_VIRTUAL_UPDATE_END')) {
      if (!inVirtualUpdate) reader.error(s, 'model.virtual_update', 'ON_VIRTUAL_UPDATE_END without ON_VIRTUAL_UPDATE_BEGIN');
      inVirtualUpdate = undefined;
      continue;
    }
    if (word && word.type === 'ident' && /^JINJA_/i.test(word.text)) {
      reader.error(word, 'model.jinja_unsupported', `${word.text} blocks are not supported; use SQLMesh macros instead`);
      continue;
    }
    const section = sectionOf(text, s.start, s.end, lines);
    if (inVirtualUpdate) {
      onVirtualUpdate.push(section);
      continue;
    }
    if (readHeader(s, 'AUDIT')) {
      auditStatements = rest.slice(i);
      break;
    }
    if (!query && isQueryStart(s)) {
      query = section;
      queryTokens = s.tokens;
    } else if (query) post.push(section);
    else pre.push(section);
  }
  if (inVirtualUpdate) reader.error(inVirtualUpdate, 'model.virtual_update', 'ON_VIRTUAL_UPDATE_BEGIN without ON_VIRTUAL_UPDATE_END');

  const nameItem = items['name'];
  if (!nameItem) reader.error(header.keywordToken, 'model.name', "MODEL header needs a 'name' (schema.table)");
  const blueprints: Array<Record<string, string> | undefined> = items['blueprints'] ? readBlueprints(items['blueprints'], reader) : [undefined];
  const names = blueprints.map((bp) => (nameItem ? resolveName(nameItem, reader, variables, bp ?? {}) : undefined));
  const modelName = names[0];

  const kindResult = readKind(items['kind']?.value ?? kindFromDefaults(defaults, header.keywordToken), reader, absPath, text);
  const kind = kindResult.kind;
  const kindOptions: Record<string, PropertySource> = {};
  for (const [k, item] of Object.entries(kindResult.options)) {
    kindOptions[k] = { keyRange: reader.range(item.keyToken), range: reader.range(item), ...(item.value ? { value: item.value } : {}) };
  }
  if (kind.name === 'SEED') {
    if (query) reader.warning(rest[0] ?? header.close, 'model.seed_query', 'SEED models take their rows from the CSV file; the query is ignored');
  } else if (!query && kind.name !== 'EXTERNAL') {
    reader.error(header.close, 'model.no_query', 'The model has no query (a SELECT statement after the MODEL header)');
  }
  if (kind.name === 'CUSTOM') {
    reader.error(items['kind']?.value ?? header.keywordToken, 'model.kind_unsupported', 'CUSTOM materializations are Python classes and are not supported; use one of the built-in kinds or a TypeScript model');
  }
  if (kind.name === 'EXTERNAL') {
    reader.error(items['kind']?.value ?? header.keywordToken, 'model.kind', 'EXTERNAL models are declared in external_models.yaml, not in model files');
  }

  const dialect = items['dialect'] ? reader.string(items['dialect']) : defaults.dialect;
  if (dialect !== undefined && dialect.toLowerCase() !== 'duckdb') {
    reader.error(items['dialect']?.value ?? header.keywordToken, 'model.dialect', `Dialect '${dialect}' is not supported; models must be written in duckdb SQL`);
  }

  const str = (k: string): string | undefined => (items[k] ? reader.string(items[k]) : undefined);
  const nameList = (k: string): string[] => (items[k] ? reader.nameList(items[k]) ?? [] : []);
  const map = (k: string): Record<string, unknown> => (items[k] ? reader.map(items[k]) ?? {} : {});
  const time = (k: string): string | number | undefined => (items[k] ? reader.timeLike(items[k]) : undefined);

  const leading = leadingComments(first);
  const description = str('description') ?? (leading.length > 0 ? leading.join('\n') : undefined);
  const columnDescriptions = items['column_descriptions']
    ? stringMap(items['column_descriptions'], reader)
    : query
      ? projectionComments(queryTokens)
      : {};
  const columns = items['columns'] ? readColumns(items['columns'], reader, text) : undefined;
  const audits = items['audits'] ? readAuditCalls(items['audits'], reader) : [];
  for (const name of defaults.audits) {
    if (!audits.some((a) => a.name === name.toLowerCase())) audits.push({ name: name.toLowerCase(), args: {}, range: reader.range(header.keywordToken) });
  }

  const inline = readAudits(auditStatements, text, lines, reader, modelName);

  const start = time('start') ?? defaults.start;
  const end = time('end');
  const cronTz = str('cron_tz') ?? defaults.cronTz;
  const owner = str('owner') ?? defaults.owner;
  const stamp = str('stamp');
  const gateway = str('gateway');
  const intervalUnit = str('interval_unit') ?? defaults.intervalUnit;
  const project = str('project');
  const model: SqlModelDefinition = {
    source: 'sql',
    name: modelName ?? '',
    file,
    kind,
    dialect: 'duckdb',
    cron: str('cron') ?? defaults.cron ?? '@daily',
    ...(cronTz !== undefined ? { cronTz } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(owner !== undefined ? { owner } : {}),
    ...(description !== undefined ? { description } : {}),
    tags: nameList('tags'),
    grains: [...nameList('grain'), ...nameList('grains')],
    references: nameList('references'),
    ...(columns ? { columns } : {}),
    columnDescriptions,
    audits,
    dependsOn: nameList('depends_on'),
    enabled: items['enabled'] ? reader.bool(items['enabled']) ?? true : defaults.enabled ?? true,
    ...(stamp !== undefined ? { stamp } : {}),
    ...(gateway !== undefined ? { gateway } : {}),
    ...(intervalUnit !== undefined ? { intervalUnit } : {}),
    allowPartials: items['allow_partials'] ? reader.bool(items['allow_partials']) ?? false : defaults.allowPartials ?? false,
    partitionedBy: nameList('partitioned_by'),
    clusteredBy: nameList('clustered_by'),
    physicalProperties: { ...defaults.physicalProperties, ...map('physical_properties') },
    virtualProperties: { ...defaults.virtualProperties, ...map('virtual_properties') },
    sessionProperties: { ...defaults.sessionProperties, ...map('session_properties') },
    signals: items['signals'] ? listItems(items['signals'].value ?? emptyValue()).map((v) => v.text) : [],
    ...(project !== undefined ? { project } : {}),
    headerRange: lines.range(header.keywordToken.start, header.close.end),
    properties,
    kindOptions,
    ...(query ? { query } : {}),
    // model_defaults statements run around the model's own: theirs first before, last after.
    preStatements: [...defaults.preStatements, ...pre],
    postStatements: [...post, ...defaults.postStatements],
    onVirtualUpdate: [...onVirtualUpdate, ...defaults.onVirtualUpdate],
    inlineAudits: inline.map((a) => a.name),
  };
  if (items['signals']) {
    reader.warning(items['signals'].keyToken, 'model.signals_unsupported', 'Signals are Python functions and are not supported; the model runs without them');
  }
  const models = blueprints.map((bp, i) => ({ ...model, name: names[i] ?? '', ...(bp ? { blueprintVariables: bp } : {}) }));
  return { models: models.filter((m) => m.name !== ''), audits: inline };
}

function emptyValue(): PropValue {
  return parseValue([], '');
}

/** `model_defaults.kind` as a value when the header has no `kind`. */
function kindFromDefaults(defaults: ModelDefaults, at: Token): PropValue | undefined {
  if (!defaults.kind) return undefined;
  const name = normaliseKindName(defaults.kind);
  if (!name) return undefined;
  const token: Token = { type: 'ident', text: name, start: at.start, end: at.start + name.length };
  return parseValue([token], name, at.start);
}

function stringMap(item: PropItem, reader: PropertyReader): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of item.value ? listItems(item.value) : []) {
    if (entry.kind === 'pair' && entry.value.kind === 'string') out[entry.key] = entry.value.value;
    else reader.error(entry, 'model.property_type', `'${item.key}' entries must be column = 'text', found ${describe(entry)}`);
  }
  return out;
}

/** `columns (id INT, name TEXT, amount DECIMAL(10, 2))`. */
function readColumns(item: PropItem, reader: PropertyReader, text: string): ColumnDef[] | undefined {
  const v = item.value;
  if (!v || v.kind !== 'tuple') {
    reader.error(v ?? item.keyToken, 'model.property_type', "'columns' must be a parenthesised list of column TYPE pairs");
    return undefined;
  }
  const inner = v.tokens.slice(1, -1);
  const parsed = parsePropertyList(inner, text);
  const out: ColumnDef[] = [];
  for (const e of parsed.errors) reader.error(e, 'model.columns', e.message);
  for (const col of parsed.items) {
    if (!col.value) {
      reader.error(col.keyToken, 'model.columns', `Column '${col.keyToken.value ?? col.keyToken.text}' needs a type`);
      continue;
    }
    out.push({ name: col.keyToken.value ?? col.keyToken.text, type: col.value.text });
  }
  return out;
}

/** `audits (not_null(columns := (a, b)), assert_positive)`. */
function readAuditCalls(item: PropItem, reader: PropertyReader): AuditCall[] {
  const out: AuditCall[] = [];
  for (const entry of item.value ? listItems(item.value) : []) {
    if (entry.kind === 'ident') {
      out.push({ name: entry.name.toLowerCase(), args: {}, range: reader.range(entry) });
    } else if (entry.kind === 'call') {
      const args: Record<string, PropValue> = {};
      for (const arg of entry.args) {
        if (arg.kind === 'pair') args[arg.key] = arg.value;
        else reader.error(arg, 'model.audit_args', `Audit arguments must be named (name := value), found ${describe(arg)}`);
      }
      out.push({ name: entry.name.toLowerCase(), args, range: reader.range(entry) });
    } else {
      reader.error(entry, 'model.property_type', `'audits' entries must be audit names or calls, found ${describe(entry)}`);
    }
  }
  return out;
}


const NAME_PATTERN = /^[^.\s]+(\.[^.\s]+){1,2}$/;

/** The model name; macros in it (`name @{schema}.t`, blueprint `name @name`) are rendered with the variables. */
function resolveName(
  item: PropItem,
  reader: PropertyReader,
  variables: Readonly<Record<string, unknown>>,
  blueprint: Record<string, string>,
): string | undefined {
  const value = item.value;
  let name: string | undefined;
  if (value && value.tokens.some((t) => t.type === 'macro')) {
    const vars: Record<string, MacroValue> = {};
    for (const [k, v] of Object.entries(variables)) vars[k.toLowerCase()] = fromPlain(v);
    for (const [k, v] of Object.entries(blueprint)) vars[k] = classify(v);
    // In a name every value is identifier text: strings lose their quotes.
    for (const [k, v] of Object.entries(vars)) if (v.t === 'str') vars[k] = sql(v.value);
    const ev = new MacroEvaluator({
      variables: vars,
      userVariables: vars,
      blueprintVariables: vars,
      functions: BUILTIN_MACROS,
      report: (at, code, message) => reader.error(at, code, message),
    });
    name = ev.render(value.text, value.start).replace(/\s+/g, '');
  } else {
    name = reader.string(item);
  }
  if (name !== undefined && !NAME_PATTERN.test(name)) {
    reader.error(value ?? item, 'model.name', `Model name '${name}' must be schema.table or catalog.schema.table`);
  }
  return name;
}

/** `blueprints ((name := a, x := 1), (name := b, x := 2))` → one variable map (SQL text values) per model. */
function readBlueprints(item: PropItem, reader: PropertyReader): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const entry of item.value ? listItems(item.value) : []) {
    const vars: Record<string, string> = {};
    for (const pair of entry.kind === 'tuple' || entry.kind === 'array' ? entry.items : [entry]) {
      if (pair.kind === 'pair') vars[pair.key] = pair.value.text;
      else reader.error(pair, 'model.blueprints', `Blueprint entries must be name := value pairs, found ${describe(pair)}`);
    }
    out.push(vars);
  }
  if (out.length === 0) reader.error(item.value ?? item.keyToken, 'model.blueprints', "'blueprints' must list at least one (name := value, ...) tuple");
  return out;
}

/**
 * Renders a model (or an audit) to plain DuckDB SQL: built-in temporal and runtime variables,
 * user variables, `@DEF` definitions in statement order, then every statement and the query
 * expanded by the macro evaluator. Problems come back as diagnostics at the macro's position.
 */
import type { AuditDefinition } from '../audit';
import type { Diagnostic, SourcePoint } from '../diagnostics';
import type { AuditCall, ColumnDef, SqlModelDefinition } from '../model';
import type { PropValue } from '../properties';
import { pointInSection, rangeInSection, type SqlSection } from '../sql-section';
import { BUILTIN_MACROS } from './builtins';
import { classify, MacroEvaluator, type RenderMap } from './evaluator';
import { type IntervalInput, timeVariables } from './time-vars';
import { bool, fromPlain, list, type MacroValue, NULL, num, sql, str } from './values';

export type RuntimeStage = 'loading' | 'creating' | 'evaluating' | 'promoting' | 'demoting' | 'auditing' | 'testing';

export interface RenderContext extends IntervalInput {
  /** User variables (config `variables` with the gateway's on top); names are case-insensitive. */
  variables?: Record<string, unknown>;
  /** Gateway name for `@gateway`. */
  gateway?: string;
  /** Table name `@this_model` renders to (the physical table); defaults to the model name. */
  thisModel?: string;
  /** `@runtime_stage`; default `loading`. */
  runtimeStage?: RuntimeStage;
  /** Columns of a relation (for `@STAR`, `@UNION`); return undefined when unknown. */
  columns?: (relation: string) => readonly ColumnDef[] | undefined;
}

export interface RenderedModel {
  /** The rendered query; undefined for models without one (SEED). */
  query?: string;
  preStatements: string[];
  postStatements: string[];
  onVirtualUpdate: string[];
  /** Empty when rendering succeeded. */
  diagnostics: Diagnostic[];
  /** File offsets of the rendered query's characters (macro output maps to its macro). */
  queryMap?: RenderMap;
}

interface Job {
  file: string;
  sections: SqlSection[];
  variables: Record<string, MacroValue>;
}

interface Variables {
  all: Record<string, MacroValue>;
  user: Record<string, MacroValue>;
  blueprint: Record<string, MacroValue>;
}

function baseVariables(context: RenderContext, modelName: string, kindName: string | undefined, blueprintVariables: Record<string, string> = {}): Variables {
  const user: Record<string, MacroValue> = {};
  for (const [k, v] of Object.entries(context.variables ?? {})) user[k.toLowerCase()] = fromPlain(v);
  const blueprint: Record<string, MacroValue> = {};
  for (const [k, v] of Object.entries(blueprintVariables)) blueprint[k.toLowerCase()] = classify(v);
  const builtins: Record<string, MacroValue> = {
    ...timeVariables(context),
    this_model: sql(context.thisModel ?? modelName),
    runtime_stage: str(context.runtimeStage ?? 'loading'),
    gateway: context.gateway !== undefined ? str(context.gateway) : NULL,
    ...(kindName !== undefined ? { model_kind_name: str(kindName) } : {}),
  };
  return { all: { ...user, ...blueprint, ...builtins }, user, blueprint };
}

function makeEvaluator(job: Job, vars: Variables, context: RenderContext, diagnostics: Diagnostic[]): MacroEvaluator {
  return new MacroEvaluator({
    variables: job.variables,
    userVariables: vars.user,
    blueprintVariables: vars.blueprint,
    functions: BUILTIN_MACROS,
    ...(context.columns ? { columns: context.columns } : {}),
    report(at, code, message) {
      const section = job.sections.find((s) => at.start >= s.offset && at.start <= s.offset + s.sql.length) ?? job.sections[0];
      const range = section ? rangeInSection(section, at.start, at.end) : undefined;
      diagnostics.push({
        file: section?.file ?? job.file,
        line: range?.start.line ?? 1,
        column: range?.start.column ?? 1,
        ...(range ? { endLine: range.end.line, endColumn: range.end.column } : {}),
        severity: 'error',
        message,
        code,
      });
    },
  });
}

/** Renders statements in order; statements that render to nothing (`@DEF`, a false `@IF`) are dropped. */
function renderStatements(ev: MacroEvaluator, sections: readonly SqlSection[]): string[] {
  const out: string[] = [];
  for (const s of sections) {
    const text = ev.render(s.sql, s.offset).trim();
    if (text !== '') out.push(text);
  }
  return out;
}

/** Renders a SQL model for one interval/context. */
export function renderModel(model: SqlModelDefinition, context: RenderContext = {}): RenderedModel {
  const diagnostics: Diagnostic[] = [];
  const vars = baseVariables(context, model.name, model.kind.name, model.blueprintVariables);
  const sections = [...model.preStatements, ...(model.query ? [model.query] : []), ...model.postStatements, ...model.onVirtualUpdate];
  const ev = makeEvaluator({ file: model.file, sections, variables: vars.all }, vars, context, diagnostics);
  const preStatements = renderStatements(ev, model.preStatements);
  const mapped = model.query ? ev.renderMapped(model.query.sql, model.query.offset) : undefined;
  const query = mapped?.text.trim();
  const queryMap = mapped ? mapped.map.shifted(mapped.text.length - mapped.text.trimStart().length) : undefined;
  const postStatements = renderStatements(ev, model.postStatements);
  const onVirtualUpdate = renderStatements(ev, model.onVirtualUpdate);
  return { ...(query !== undefined ? { query } : {}), ...(queryMap ? { queryMap } : {}), preStatements, postStatements, onVirtualUpdate, diagnostics };
}

/** Where in the model file an offset of its rendered query comes from. */
export function queryPosition(model: SqlModelDefinition, map: RenderMap | undefined, offset: number): SourcePoint | undefined {
  if (!model.query) return undefined;
  const fileOffset = map ? map.fileOffset(offset) : model.query.offset + (model.query.sql.length - model.query.sql.trimStart().length) + offset;
  return pointInSection(model.query, Math.max(model.query.offset, Math.min(fileOffset, model.query.offset + model.query.sql.length)));
}

export interface EnvironmentStatementsContext extends RenderContext {
  /** `@this_env`: the environment being planned or run. */
  thisEnv: string;
  /** `@schemas`: the environment's view schemas (`marts__dev`). */
  schemas: string[];
  /** `@views`: the environment's views (`marts__dev.x`). */
  views: string[];
}

/** Renders config.yaml's `before_all` / `after_all` statements for an environment. */
export function renderEnvironmentStatements(sections: readonly SqlSection[], context: EnvironmentStatementsContext): { statements: string[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const vars = baseVariables(context, '', undefined);
  vars.all = { ...vars.all, this_env: str(context.thisEnv), schemas: list(context.schemas.map((s) => sql(s))), views: list(context.views.map((v) => sql(v))) };
  const ev = makeEvaluator({ file: sections[0]?.file ?? 'config.yaml', sections: [...sections], variables: vars.all }, vars, context, diagnostics);
  return { statements: renderStatements(ev, sections), diagnostics };
}

/** A header value (audit argument or default) as a macro value. */
export function propToMacro(value: PropValue): MacroValue {
  switch (value.kind) {
    case 'string':
      return str(value.value);
    case 'number':
      return num(value.value, value.text);
    case 'bool':
      return bool(value.value);
    case 'null':
      return NULL;
    case 'array':
    case 'tuple':
      return list(value.items.map(propToMacro));
    case 'pair':
      return propToMacro(value.value);
    default:
      return sql(value.text);
  }
}

export interface RenderedAudit {
  query: string;
  diagnostics: Diagnostic[];
}

/**
 * Renders an audit's query for a model: `@this_model` is `context.thisModel` (the audited
 * table), and the call's arguments (over the audit's defaults) are macro variables.
 */
export function renderAudit(audit: AuditDefinition, call: AuditCall | undefined, context: RenderContext & { modelName: string }): RenderedAudit {
  const diagnostics: Diagnostic[] = [];
  const vars = baseVariables(context, context.modelName, undefined);
  const args: Record<string, MacroValue> = {};
  for (const [k, v] of Object.entries(audit.defaults)) args[k] = propToMacro(v);
  for (const [k, v] of Object.entries(call?.args ?? {})) args[k] = propToMacro(v);
  const ev = makeEvaluator({ file: audit.file, sections: [audit.query], variables: { ...vars.all, ...args } }, vars, context, diagnostics);
  return { query: ev.render(audit.query.sql, audit.query.offset).trim(), diagnostics };
}

/**
 * The project's one list of problems: what loading found (config, headers, YAML), what the
 * graph found (syntax errors at their true place in the file, unknown macros, cycles, missing
 * dependencies), and what only the columns tell (unknown, ambiguous or duplicate columns,
 * stars that cannot be expanded, tests and audits naming models or columns that do not exist),
 * with SQLMesh's linter settings deciding the rule-based ones. Needs no warehouse: upstream
 * columns come from declared columns, seeds, external models and upstream queries, through the
 * lineage graph.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineageGraph, type ModelInput } from '../lineage/graph';
import type { ProjectGraph } from '../plan/graph';
import { buildGraph } from '../plan/graph';
import { csvToRows } from '../project/csv';
import { type Diagnostic, sortDiagnostics, type SourceRange } from '../project/diagnostics';
import type { ModelDefinition } from '../project/model';
import type { PropValue } from '../project/properties';
import type { Project } from '../project/project';
import { queryPosition } from '../project/render/render-model';
import { closest, didYouMean } from '../project/suggest';
import type { ParsedExpression, SelectNode } from '../sql/ast';
import { expressionName, nameKey } from '../sql/names';
import type { SqlParser } from '../sql/parse';
import { SourceText } from '../sql/ranges';
import { qualifiedName, tableReferences } from '../sql/references';
import { linterSettings, type LintRule } from './linter';

export interface ProjectCheck {
  /** Every problem, sorted by file and position. */
  diagnostics: Diagnostic[];
  graph: ProjectGraph;
}

/** Columns of a model that is not a SQL query: declared (external, TypeScript, seeds) or a seed's CSV header. */
function declaredColumns(model: ModelDefinition): string[] | undefined {
  if (model.columns) return model.columns.map((c) => c.name);
  if (model.kind.name === 'SEED') {
    try {
      const text = readFileSync(model.kind.resolvedPath, 'utf8');
      const header = text.split(/\r?\n/, 1)[0] ?? '';
      const rows = csvToRows(`${header}\n${header}\n`);
      return Object.keys(rows[0] ?? {});
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function engineColumns(model: ModelDefinition): { column: string; expression: string }[] {
  const kind = model.kind;
  if (kind.name !== 'SCD_TYPE_2_BY_TIME' && kind.name !== 'SCD_TYPE_2_BY_COLUMN') return [];
  return [kind.validFromName, kind.validToName].map((column) => ({ column, expression: column }));
}

function readConfigText(project: Project): string | undefined {
  if (!project.config.file) return undefined;
  try {
    return readFileSync(join(project.root, project.config.file), 'utf8');
  } catch {
    return undefined;
  }
}

/** Checks a loaded project. `loadDiagnostics` are those `loadProject` returned. */
export async function checkProject(project: Project, loadDiagnostics: readonly Diagnostic[], parser: SqlParser, catalogs: Iterable<string> = []): Promise<ProjectCheck> {
  const graph = await buildGraph(project, parser, catalogs);
  const out: Diagnostic[] = [...loadDiagnostics, ...graph.diagnostics];
  const linter = linterSettings(project, readConfigText(project), out);

  // Column lists of relations that are not SQL queries.
  const sources: Record<string, readonly string[]> = {};
  for (const node of graph.nodes.values()) {
    if (node.model.source === 'sql' && node.model.kind.name !== 'SEED') continue;
    const columns = declaredColumns(node.model);
    if (columns) sources[node.name] = columns;
  }
  const lineage = new LineageGraph(sources);
  const inputs: ModelInput[] = [];
  for (const node of graph.nodes.values()) {
    if (node.query === undefined || !node.statements) continue;
    const extra = engineColumns(node.model);
    inputs.push({ name: node.name, sql: node.query, parsed: { ok: true, statements: node.statements }, ...(extra.length ? { engineColumns: extra } : {}) });
  }
  lineage.setModels(inputs);

  /** Output columns of a model when fully known. */
  const columnsOf = (name: string): readonly string[] | undefined => {
    const key = nameKey(name);
    const declared = project.models[key]?.columns?.map((c) => c.name);
    return lineage.model(key)?.columns ?? sources[key] ?? declared;
  };

  // A model file that failed to load may be the model a reference names: no second error for it.
  const brokenModelFiles = new Set(loadDiagnostics.filter((d) => d.severity === 'error' && d.file.startsWith('models/')).map((d) => (d.file.split('/').pop() ?? '').replace(/\.(sql|ts)$/, '').toLowerCase()));
  const modelSchemas = new Set(Object.values(project.models).filter((m) => m.source !== 'external').map((m) => nameKey(m.name).split('.').slice(-2)[0] ?? ''));
  const modelNames = Object.keys(project.models);

  // A model whose macros did not render has leftovers in its SQL that would read as columns.
  const unrendered = new Set(graph.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
  for (const node of graph.nodes.values()) {
    const model = node.model;
    if (model.source !== 'sql' || node.query === undefined || !node.statements || unrendered.has(model.file)) continue;
    const at = (offset: number | undefined): { line: number; column: number } => {
      const point = offset !== undefined ? queryPosition(model, node.queryMap, offset) : undefined;
      return point ?? { line: model.query?.range.start.line ?? 1, column: model.query?.range.start.column ?? 1 };
    };
    const push = (rule: LintRule | undefined, severity: Diagnostic['severity'] | undefined, code: string, offset: number | undefined, message: string): void => {
      const level = rule ? linter.severity(rule, model) : severity;
      if (!level) return;
      const p = at(offset);
      out.push({ file: model.file, line: p.line, column: p.column, severity: level, code: rule ? `lint.${rule}` : code, message: rule ? `${message} [${rule}]` : message });
    };

    // Tables in a schema the project's models own that are no model of it.
    for (const statement of node.statements) {
      for (const ref of tableReferences(statement)) {
        const name = nameKey(qualifiedName(ref)).split('.').slice(-2).join('.');
        const schema = name.includes('.') ? name.split('.')[0] ?? '' : '';
        if (!schema || !modelSchemas.has(schema) || project.models[name] || name === node.name) continue;
        if (project.disabledModels.some((d) => nameKey(d) === name)) continue;
        if (brokenModelFiles.has(name.split('.').pop() ?? '')) continue;
        push(undefined, 'error', 'model.unknown_reference', ref.offset >= 0 ? ref.offset : undefined, `${model.name} reads ${qualifiedName(ref)}, which is not a model of this project.${didYouMean(name, modelNames) || ' Define the model, declare it in external_models.yaml, or fix the name.'}`);
      }
    }

    const state = lineage.model(node.name);
    if (!state) continue;
    const problems = state.lineage.problems ?? [];
    const candidates = new Set<string>();
    if (problems.length > 0) for (const ref of state.lineage.references) for (const c of columnsOf(ref) ?? []) candidates.add(c);
    for (const problem of problems) {
      const last = problem.name.split('.').pop() ?? problem.name;
      const message =
        problem.kind === 'ambiguous'
          ? `Column '${problem.name}' is ambiguous in ${model.name}: more than one relation it reads has it. Qualify it with the table name or alias.`
          : `Column '${problem.name}' is not in any relation ${model.name} reads${problem.message.startsWith('relation') ? ` (${problem.message})` : ''}.${didYouMean(last, candidates) || ' Check the spelling, or add the column upstream.'}`;
      push('ambiguousorinvalidcolumn', undefined, 'column.unknown', problem.offset, message);
    }

    const statement = node.statements[0];
    const top = statement?.node.type === 'SELECT_NODE' ? (statement.node as SelectNode) : undefined;
    if (top) {
      // Item ranges need the query's tokens: found only when there is something to report.
      let text: SourceText | undefined;
      const rangeOf = (i: number) => (text ??= new SourceText(node.query ?? '')).selectItemRanges(top)[i];
      const seen = new Map<string, number>();
      top.select_list.forEach((item: ParsedExpression, i) => {
        const location = typeof item.query_location === 'number' ? item.query_location : undefined;
        if (item.class === 'STAR') {
          if ((item as { columns?: boolean }).columns !== true && linter.severity('noselectstar', model)) push('noselectstar', undefined, '', rangeOf(i)?.start ?? location, `${model.name} selects * in its outermost query; list the columns instead.`);
          return;
        }
        const name = expressionName(item);
        const key = nameKey(name);
        if (seen.has(key)) {
          push('ambiguousorinvalidcolumn', undefined, 'column.duplicate', rangeOf(i)?.start ?? location, `${model.name} outputs the column '${name}' twice; rename one of them (AS another_name).`);
        } else seen.set(key, i);
        if (!item.alias && item.class !== 'COLUMN_REF' && linter.severity('noambiguousprojections', model)) {
          const range = rangeOf(i);
          push('noambiguousprojections', undefined, '', range?.start ?? location, `The projection '${range && text ? text.slice(range) : name}' of ${model.name} has no name; give it one with AS.`);
        }
      });
    }
    for (const column of state.lineage.columns) {
      const reason = column.unknown?.reason ?? '';
      if (/cannot be expanded|names no relation/.test(reason) && /\*|COLUMNS/.test(column.column)) {
        push('invalidselectstarexpansion', undefined, '', column.range?.start, `SELECT * in ${model.name} cannot be expanded (${reason}). Declare the upstream columns (external_models.yaml, or columns in its MODEL block), or list the columns.`);
      }
    }

    // Audits naming columns the model does not output.
    const outputs = columnsOf(node.name);
    if (outputs) {
      const known = new Set(outputs.map(nameKey));
      for (const call of model.audits) {
        for (const [arg, value] of Object.entries(call.args)) {
          if (arg !== 'column' && arg !== 'columns') continue;
          for (const name of columnNames(value)) {
            if (known.has(nameKey(name))) continue;
            out.push(rangeDiagnostic(model.file, call.range, 'audit.unknown_column', `Audit ${call.name} on ${model.name} names column '${name}', which the model does not output.${didYouMean(name, outputs) || ` Its columns: ${outputs.join(', ')}.`}`));
          }
        }
      }
    }
  }

  // Tests naming inputs or columns that do not exist.
  for (const test of project.tests) {
    const tested = graph.nodes.get(nameKey(test.model));
    // What a model reads is known only when its query parsed.
    if (!tested || !test.positions || (tested.model.source === 'sql' && tested.query !== undefined && !tested.statements)) continue;
    const readable = new Set([...tested.parents, ...tested.sources].map(nameKey));
    for (const [input, range] of Object.entries(test.positions.inputs)) {
      const key = nameKey(input);
      if (readable.has(key) || readable.has(key.split('.').slice(-2).join('.'))) continue;
      const hint = closest(key, [...readable]);
      out.push(rangeDiagnostic(test.file, range, 'test.unknown_input', `Test '${test.name}' gives rows for ${input}, which ${test.model} does not read.${hint ? ` Did you mean '${hint}'?` : ` It reads: ${[...readable].join(', ') || 'no tables'}.`}`));
    }
    for (const c of test.positions.columns) {
      const columns = c.in === 'output' ? columnsOf(test.model) : project.models[nameKey(c.table)] ? columnsOf(c.table) : undefined;
      if (!columns || columns.some((x) => nameKey(x) === nameKey(c.column))) continue;
      const where = c.in === 'output' ? `the output of ${test.model}` : c.table;
      out.push(rangeDiagnostic(test.file, c.range, 'test.unknown_column', `Test '${test.name}' names column '${c.column}', which ${where} does not have.${didYouMean(c.column, columns) || ` Its columns: ${columns.join(', ')}.`}`));
    }
  }

  return { diagnostics: dedupe(sortDiagnostics(out)), graph: { ...graph, diagnostics: graph.diagnostics } };
}

function columnNames(value: PropValue): string[] {
  switch (value.kind) {
    case 'ident':
      return [value.parts[value.parts.length - 1] ?? value.name];
    case 'string':
      return [value.value];
    case 'array':
    case 'tuple':
      return value.items.flatMap(columnNames);
    default:
      return [];
  }
}

function rangeDiagnostic(file: string, range: SourceRange, code: string, message: string): Diagnostic {
  return { file, line: range.start.line, column: range.start.column, endLine: range.end.line, endColumn: range.end.column, severity: 'error', code, message };
}

function dedupe(items: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return items.filter((d) => {
    const key = `${d.file}\u0000${d.line}\u0000${d.column}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}



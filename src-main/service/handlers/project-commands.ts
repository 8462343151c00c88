/**
 * `project.dag`, `project.evaluate`, `project.audit`, `project.createExternalModels` and
 * `lineage.query`: what the `pas` commands of the same names print, as contract methods, so a
 * command works the same in-process and through the engine that has the project open.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument, YAMLSeq, type Document } from 'yaml';
import type { LineageRecordView } from '../../../src-shared/cli-contract';
import { PasException } from '../../../src-shared/errors';
import type { ResultStore } from '../../duck/results';
import { columnReport } from '../../lineage/records';
import { runAudit } from '../../plan/audits';
import { parseTime } from '../../plan/intervals';
import { physicalTable, PROD } from '../../plan/naming';
import { renderModel } from '../../project/render/render-model';
import { withTypeScriptRows } from '../../plan/evaluate';
import type { ModelDefinition } from '../../project/model';
import type { Workspace } from '../../plan/workspace';
import { modelRuntimeError } from '../../plan/model-errors';
import { refuseModelErrors } from '../../problems';
import type { ProjectSession } from '../project-session';
import type { SessionPool } from './query';
import type { Handlers } from './types';

export const EVALUATE_SESSION = 'cli-evaluate';

function noModel(name: string): PasException {
  return new PasException({ code: 'not_found', what: 'model', message: `No model named ${name}.` });
}

function quoted(name: string): string {
  return name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');
}

function startOf(ws: Workspace, model: ModelDefinition, start: string | undefined): number {
  return parseTime(start ?? String(model.start ?? ws.project.config.modelDefaults?.start ?? 'yesterday'));
}

/** external_models.yaml with each re-derived entry's columns replaced and new entries appended; nothing removed. */
function mergeExternalModels(doc: Document, derived: Map<string, Record<string, string>>): { written: string[]; kept: string[] } {
  const seq = isSeq(doc.contents) ? doc.contents : new YAMLSeq();
  doc.contents = seq;
  const written: string[] = [];
  const kept: string[] = [];
  const seen = new Set<string>();
  for (const item of seq.items) {
    if (!isMap(item)) continue;
    const name = String(item.get('name') ?? '').toLowerCase();
    if (!name) continue;
    seen.add(name);
    const columns = derived.get(name);
    if (columns) {
      item.set('columns', doc.createNode(columns));
      written.push(name);
    } else kept.push(name);
  }
  for (const [name, columns] of derived) {
    if (seen.has(name)) continue;
    seq.add(doc.createNode({ name, columns }));
    written.push(name);
  }
  return { written, kept };
}

export function projectCommandHandlers(
  project: ProjectSession,
  sessions: SessionPool,
  results: ResultStore,
): Handlers<'project.dag' | 'project.evaluate' | 'project.audit' | 'project.createExternalModels' | 'lineage.query'> {
  return {
    'project.dag': async () => {
      const ws = await project.workspace();
      const graph = await ws.graph();
      const nodes = graph.order.map((name) => {
        const node = graph.nodes.get(name);
        return { name, kind: node?.model.kind.name ?? null, file: node?.model.file ?? null, parents: node?.parents ?? [], sources: node?.sources ?? [] };
      });
      return { nodes, diagnostics: graph.diagnostics.map((d) => ({ file: d.file, line: d.line, column: d.column, severity: d.severity, message: d.message })) };
    },
    'project.evaluate': async ({ model: name, start, end, limit }, ctx) => {
      const ws = await project.workspace();
      await project.refreshLake();
      const model = ws.project.models[name.toLowerCase()];
      if (!model) throw noModel(name);
      const from = startOf(ws, model, start);
      const session = await sessions.get(EVALUATE_SESSION);
      const run = async (query: string) => {
        const started = performance.now();
        const result = await session.run(`SELECT * FROM (${query}) AS __q LIMIT ${limit ?? 100}`, ctx.signal);
        return results.add(result, performance.now() - started);
      };
      if (model.source === 'typescript') {
        // Upstream models are read from prod, as for SQL models: by their names.
        const context = {
          executionTime: Date.now(),
          variables: ws.project.variables,
          ...(ws.project.gateway ? { gateway: ws.project.gateway } : {}),
          thisModel: quoted(model.name),
          resolveTable: quoted,
          fetch: (sql: string) => ws.warehouse.query(sql, ctx.signal),
        };
        return withTypeScriptRows(model, from, end ? parseTime(end) : Date.now(), context, run);
      }
      if (model.source === 'external') {
        const parts = model.name.split('.');
        const table = parts.pop() ?? model.name;
        return run(`SELECT * FROM ${ws.warehouse.qualify({ schema: parts.pop() ?? 'main', table })}`);
      }
      await refuseModelErrors(ws, model);
      const rendered = renderModel(model, { start: from, ...(end ? { end } : {}), executionTime: Date.now(), variables: ws.project.variables, ...(ws.project.gateway ? { gateway: ws.project.gateway } : {}) });
      if (rendered.diagnostics.length > 0) {
        throw new PasException({ code: 'validation', message: `${model.name} does not render`, issues: rendered.diagnostics.map((d) => ({ path: `${d.file}:${d.line}:${d.column}`, message: d.message })) });
      }
      const query = rendered.query;
      if (!query) throw new PasException({ code: 'not_found', what: 'sql', message: `${model.name} has no query.` });
      return run(query).catch((error: unknown) => {
        if (ctx.signal.aborted) throw error;
        // A runtime error names the model, its file and the line there, not the rendered SQL's.
        const named = modelRuntimeError(model, 'evaluating', error, { rendered: query, ...(rendered.queryMap ? { map: rendered.queryMap } : {}) });
        throw named instanceof Error ? new PasException({ code: 'sql', message: named.message, errorType: 'Runtime' }) : named;
      });
    },
    'project.audit': async ({ model: wantedName }) => {
      const ws = await project.workspace();
      await project.refreshLake();
      const env = await ws.state.getEnvironment(PROD);
      if (!env) throw new PasException({ code: 'not_found', what: 'environment', message: 'Nothing to audit: prod has no models yet (run `pas plan` first).' });
      const wanted = wantedName?.toLowerCase();
      if (wanted && !ws.project.models[wanted]) throw noModel(wantedName ?? '');
      const out = [];
      for (const snapshot of env.snapshots) {
        const model = ws.project.models[snapshot.name];
        if (!model || (wanted && snapshot.name !== wanted)) continue;
        for (const call of model.audits) {
          const result = await runAudit(ws.warehouse, call, ws.project.audits, {
            table: ws.warehouse.qualify(physicalTable(snapshot.name, snapshot.version)),
            modelName: model.name,
            start: 0,
            end: Date.now(),
            executionTime: Date.now(),
            variables: ws.project.variables,
          });
          out.push({ model: model.name, audit: result.audit, blocking: result.blocking, failedRows: result.failedRows });
        }
      }
      return { results: out };
    },
    'project.createExternalModels': async () => {
      const ws = await project.workspace();
      await project.refreshLake();
      const graph = await ws.graph();
      const externals = Object.values(ws.project.models).filter((m) => m.source === 'external').map((m) => m.name.toLowerCase());
      const names = [...new Set([...[...graph.nodes.values()].flatMap((n) => n.sources), ...externals])].sort();
      const derived = new Map<string, Record<string, string>>();
      const missing: string[] = [];
      for (const name of names) {
        const parts = name.split('.');
        const table = parts.pop() ?? name;
        const schema = parts.pop() ?? 'main';
        const columns = await ws.warehouse.columns({ schema, table });
        if (columns.length === 0) missing.push(name);
        else derived.set(name, Object.fromEntries(columns.map((c) => [c.name, c.type])));
      }
      const file = path.join(ws.project.root, 'external_models.yaml');
      const text = await readFile(file, 'utf8').catch(() => '');
      const doc = parseDocument(text);
      if (doc.errors.length > 0) {
        throw new PasException({ code: 'validation', message: `${file} is not valid YAML: ${doc.errors[0]?.message ?? ''}; fix it first, nothing was written.`, issues: [] });
      }
      const { written, kept } = mergeExternalModels(doc, derived);
      await writeFile(file, doc.toString());
      return { file, written, kept, missing: missing.filter((m) => !kept.includes(m)) };
    },
    'lineage.query': async ({ model, column, direction, depth, all }) => {
      // One model's report needs only the models around it (its cone), not the whole project's.
      const lineage = await (all || !model ? project.lineage() : project.lineageAround(model));
      const graph = lineage.graph;
      const options = { ...(direction && direction !== 'both' ? { direction } : {}), ...(depth !== undefined ? { depth } : {}) };
      if (all) {
        const records: LineageRecordView[] = [];
        for (const name of graph.modelNames()) {
          for (const c of graph.model(name)?.lineage.columns ?? []) {
            const report = columnReport(graph, name, c.column, options);
            if (report) records.push(report);
          }
        }
        return { records };
      }
      if (!model) throw new PasException({ code: 'validation', message: 'Give a model, or all: true', issues: [{ path: 'params.model', message: 'required unless all is true' }] });
      // A model, or a root (an external model, a lake table) for a downstream report.
      const relation = graph.relation(model);
      if (!relation) {
        const names = graph.modelNames();
        throw new PasException({ code: 'not_found', what: 'model', message: `No model or source table named ${model} (models: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}).` });
      }
      const columns = column ? [column] : relation.columns;
      const records = columns.map((c) => {
        const report = columnReport(graph, relation.name, c, options);
        if (!report) throw new PasException({ code: 'not_found', what: 'column', message: `${relation.name} has no column ${c} (columns: ${relation.columns.join(', ')}).` });
        return report;
      });
      return { records };
    },
  };
}

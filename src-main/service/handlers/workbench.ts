/**
 * `workbench.*`: the modeling workbench — the explorer's tree with each model's status against
 * an environment, the problems and rendered SQL of a file's unsaved text, the live preview (the
 * model run from its unsaved text over the preview catalog, capped, cancellable) with its column
 * profile, and saving files inside the project.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PasException, type PasError } from '../../../src-shared/errors';
import type { WorkbenchItem, WorkbenchModel } from '../../../src-shared/workbench-contract';
import type { DuckEngine } from '../../duck/engine';
import type { ResultStore } from '../../duck/results';
import type { Session } from '../../duck/session';
import { missingTableHint, pipelineFiles, pipelineName } from '../../ingest/config/project-pipelines';
import { environmentView, PROD, splitModelName } from '../../plan/naming';
import type { Workspace } from '../../plan/workspace';
import type { Diagnostic } from '../../project/diagnostics';
import { problemView } from '../../problems';
import type { SqlModelDefinition } from '../../project/model';
import { BUILTIN_MACROS } from '../../project/render/builtins';
import { queryLineage } from '../../lineage/query';
import { SourceText } from '../../sql/ranges';
import type { SelectStatementAst } from '../../sql/ast';
import { readOverlay, renderForPreview, renderedToFile } from '../../workbench/overlay';
import { PreviewCatalogs, readNames } from '../../workbench/preview-catalog';
import { profileTable } from '../../workbench/profile';
import { resolveInside, saveProjectFile } from '../../workbench/project-files';
import type { EventBus } from '../events';
import type { ProjectSession } from '../project-session';
import type { Handlers } from './types';

const DEFAULT_PREVIEW_ROWS = 500;
const PREVIEW_TABLE = '__pas_preview';
/** Preview sessions kept open (one per window that previews). */
const KEPT_SESSIONS = 8;

function relativePath(root: string, file: string): string {
  return path.relative(path.resolve(root), file).split(path.sep).join('/');
}


/** The identifier (or other token) starting at `offset` of `sql`. */
function tokenAt(sql: string, offset: number): string | undefined {
  return /^("[^"]*"|[A-Za-z_][\w$]*|\S+)/.exec(sql.slice(offset))?.[1];
}

/** The query as a subquery, so a row cap can follow it; `prefix` is what precedes the query. */
function wrapQuery(query: string): { prefix: string; sql: string } {
  const prefix = 'SELECT * FROM (\n';
  return { prefix, sql: `${prefix}${query}\n)` };
}

/**
 * Unknown columns found by column lineage (every projection, not only the first the binder
 * stops at), at the column name inside its expression, as offsets of the rendered query.
 */
function unknownColumns(statement: SelectStatementAst, query: string, columns: Map<string, { name: string; type: string }[]>): { offset: number; message: string }[] {
  const lineage = queryLineage(statement, new SourceText(query), (ref) => {
    const key = `${(ref.schema || 'main').toLowerCase()}.${ref.name.toLowerCase()}`;
    const known = ref.catalog ? undefined : columns.get(key);
    return { key, ...(known ? { columns: known.map((c) => c.name) } : {}) };
  });
  const out: { offset: number; message: string }[] = [];
  for (const column of lineage.columns) {
    const reason = column.unknown?.reason ?? '';
    const name = /column "([^"]+)" is not found|has no column "([^"]+)"/.exec(reason);
    const missing = name?.[1] ?? name?.[2];
    if (!missing || !column.range) continue;
    const expression = query.slice(column.range.start, column.range.end);
    const at = new RegExp(`(^|[^\\w$])(${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(?![\\w$])`, 'i').exec(expression);
    out.push({ offset: column.range.start + (at ? at.index + (at[1]?.length ?? 0) : 0), message: `Unknown column: ${reason}` });
  }
  return out;
}

export function workbenchHandlers(
  project: ProjectSession,
  engine: DuckEngine,
  results: ResultStore,
  events: EventBus,
): { handlers: Handlers<'workbench.tree' | 'workbench.problems' | 'workbench.render' | 'workbench.preview' | 'workbench.profile' | 'workbench.save'>; close(): Promise<void> } {
  const catalogs = new PreviewCatalogs(engine);
  const sessions = new Map<string, Promise<Session>>();
  const previewColumns = new Map<string, { columns: { name: string; type: string }[]; cap: number }>();
  events.on('project.changed', () => catalogs.invalidate());
  // A plan, a run or a load changes what is built: read the environment afresh.
  events.on('progress', (e) => {
    if (e.stage === 'finished' && (e.method === 'plan.apply' || e.method === 'plan.run' || e.method === 'ingest.run')) catalogs.invalidate();
  });

  /** A client's preview session; the least recently used ones close beyond a few. */
  let problemsSession: Promise<Session> | undefined;
  const session = (id: string): Promise<Session> => {
    let s = sessions.get(id);
    if (s) sessions.delete(id);
    else s = engine.openSession();
    sessions.set(id, s);
    while (sessions.size > KEPT_SESSIONS) {
      const [oldest, open] = sessions.entries().next().value as [string, Promise<Session>];
      sessions.delete(oldest);
      previewColumns.delete(oldest);
      void open.then((o) => o.close()).catch(() => undefined);
    }
    return s;
  };

  /** The normalized relative path and the model its text defines. */
  const overlayOf = async (ws: Workspace, file: string, text: string) => {
    const absolute = await resolveInside(ws.project.root, file);
    const relative = relativePath(ws.project.root, absolute);
    return { relative, ...readOverlay(ws.project, relative, text) };
  };

  /** A SQL error of the wrapped query, moved to the model file's line and column. */
  const fileError = (error: PasError, model: SqlModelDefinition, query: string, prefix: number): PasError => {
    if (error.code !== 'sql' || !error.position) return error;
    const offset = Math.max(0, error.position.offset - prefix);
    const at = renderedToFile(model, query, offset, tokenAt(query, offset));
    return { ...error, position: { line: at.line, column: at.column, offset: -1 } };
  };

  const requireModel = (relative: string, overlay: { model?: SqlModelDefinition; diagnostics: Diagnostic[] }): SqlModelDefinition => {
    const errors = overlay.diagnostics.filter((d) => d.severity === 'error');
    if (!overlay.model || errors.length > 0) {
      throw new PasException({
        code: 'validation',
        message: `${relative} has ${errors.length || 1} problem(s)`,
        issues: (errors.length > 0 ? errors : [{ file: relative, line: 1, column: 1, message: 'No MODEL (...) header' }]).map((d) => ({ path: `${d.file}:${d.line}:${d.column}`, message: d.message })),
      });
    }
    return overlay.model;
  };

  const renderOrThrow = (ws: Workspace, relative: string, model: SqlModelDefinition): string => {
    const rendered = renderForPreview(ws.project, model);
    if (rendered.diagnostics.length > 0) {
      throw new PasException({ code: 'validation', message: `${model.name} does not render`, issues: rendered.diagnostics.map((d) => ({ path: `${d.file}:${d.line}:${d.column}`, message: d.message })) });
    }
    if (rendered.query === undefined) throw new PasException({ code: 'not_found', what: 'sql', message: `${model.name} is a ${model.kind.name} model: it has no query to preview.` });
    return rendered.query;
  };

  const handlers: Handlers<'workbench.tree' | 'workbench.problems' | 'workbench.render' | 'workbench.preview' | 'workbench.profile' | 'workbench.save'> = {
    'workbench.tree': async ({ environment }) => {
      const ws = await project.workspace();
      const env = environment ?? PROD;
      const graph = await ws.graph();
      const envRecord = await ws.state.getEnvironment(env).catch(() => undefined);
      const deployed = new Map((envRecord?.snapshots ?? []).map((s) => [s.name.toLowerCase(), s.identifier]));
      const names = Object.keys(ws.project.models);
      const prepared = await catalogs.prepare(ws, env, names);
      const bound = await catalogs.columns(prepared.catalog);
      // The project's one problem list (load, graph, columns, linter), as the header's badge shows it.
      const diagnostics = await ws.problems();
      const models: WorkbenchModel[] = [];
      for (const model of Object.values(ws.project.models)) {
        const key = model.name.toLowerCase();
        const { schema, table } = splitModelName(key);
        const built = await ws.warehouse.exists(environmentView(model.name, env)).catch(() => undefined);
        const problems = diagnostics.filter((d) => d.file === model.file);
        const folder = model.file.startsWith('models/') ? path.posix.dirname(model.file.slice('models/'.length)) : '';
        const declared = model.columns?.map((c) => ({ name: c.name, type: c.type }));
        const columns = declared ?? bound.get(`${schema}.${table}`) ?? [];
        models.push({
          name: model.name,
          schema,
          folder: folder === '.' ? '' : folder,
          file: model.file,
          kind: model.kind.name,
          source: model.source,
          ...(model.description ? { description: model.description } : {}),
          columns: columns.map((c) => ({ ...c, ...(model.columnDescriptions[c.name] ? { description: model.columnDescriptions[c.name] } : {}) })),
          parents: graph.nodes.get(key)?.parents ?? [],
          status: {
            changed: model.source !== 'external' && deployed.get(key) !== graph.nodes.get(key)?.identifier,
            neverBuilt: model.source !== 'external' && built === undefined,
            errors: problems.filter((d) => d.severity === 'error').length,
            warnings: problems.filter((d) => d.severity === 'warning').length,
          },
        });
      }
      models.sort((a, b) => a.name.localeCompare(b.name));
      const items: WorkbenchItem[] = [];
      for (const audit of Object.values(ws.project.audits)) if (audit.standalone) items.push({ type: 'audit', name: audit.name, file: audit.file });
      for (const test of ws.project.tests) items.push({ type: 'test', name: test.name, file: test.file });
      for (const model of Object.values(ws.project.models)) {
        if (model.kind.name === 'SEED') items.push({ type: 'seed', name: path.basename(model.kind.resolvedPath), file: relativePath(ws.project.root, model.kind.resolvedPath) });
      }
      for (const file of await pipelineFiles(ws.project.root)) items.push({ type: 'pipeline', name: pipelineName(file), file: relativePath(ws.project.root, file) });
      for (const file of ['config.yaml', 'config.yml', 'external_models.yaml', 'external_models.yml', '.env']) {
        try {
          await readFile(path.join(ws.project.root, file));
          items.push({ type: 'config', name: file, file });
        } catch {
          // not in this project
        }
      }
      const environments = (await ws.state.listEnvironments().catch(() => [])).map((e) => e.name);
      return {
        projectDir: ws.project.root,
        environment: env,
        environments: environments.includes(PROD) ? environments : [PROD, ...environments],
        models,
        items,
        macros: Object.keys(BUILTIN_MACROS).sort(),
      };
    },

    'workbench.problems': async ({ path: file, text, environment }) => {
      const ws = await project.workspace();
      const absolute = await resolveInside(ws.project.root, file);
      const relative = relativePath(ws.project.root, absolute);
      if (!/^models\/.*\.sql$/.test(relative)) {
        // Tests, audits, config: the project's problem list for that file (computed on first ask).
        return { problems: (await ws.problems()).filter((d) => d.file === relative).map(problemView) };
      }
      const source = text ?? (await readFile(absolute, 'utf8'));
      const overlay = readOverlay(ws.project, relative, source);
      const problems = overlay.diagnostics.map(problemView);
      const model = overlay.model;
      if (!model || problems.some((p) => p.severity === 'error')) return { problems };
      const rendered = renderForPreview(ws.project, model);
      problems.push(...rendered.diagnostics.map(problemView));
      const query = rendered.query;
      if (query === undefined || rendered.diagnostics.length > 0) return { problems };
      const parsed = await ws.parser.parse(query);
      if (!parsed.ok) {
        const offset = parsed.offset ?? 0;
        const at = renderedToFile(model, query, offset, tokenAt(query, offset));
        problems.push({ file: relative, ...at, severity: 'error', message: parsed.message.split('\n')[0] ?? parsed.message, code: 'sql.parse' });
        return { problems };
      }
      // Binding (no rows run) finds unknown models, tables and columns, at their position.
      const prepared = await catalogs.prepare(ws, environment ?? PROD, (await readNames(ws, query)).filter((n) => n !== model.name.toLowerCase()));
      const target = await (problemsSession ??= engine.openSession());
      const wrapped = wrapQuery(query);
      const describe = `DESCRIBE ${wrapped.sql}`;
      try {
        await target.run(`USE "${prepared.catalog}"`);
        await target.run(describe);
      } catch (raw) {
        const error = raw instanceof PasException ? raw.error : undefined;
        if (error?.code === 'sql') {
          const moved = fileError(error, model, query, 'DESCRIBE '.length + wrapped.prefix.length);
          const position = moved.code === 'sql' ? moved.position : undefined;
          problems.push({
            file: relative,
            line: position?.line ?? model.query?.range.start.line ?? 1,
            column: position?.column ?? 1,
            severity: 'error',
            message: error.message.split('\n').slice(0, 2).join(' '),
            code: `sql.${error.errorType.toLowerCase()}`,
          });
        }
      }
      // Column lineage finds every unknown column of the select list; the binder stops at its first.
      const bound = await catalogs.columns(prepared.catalog);
      for (const statement of parsed.statements) {
        for (const unknown of unknownColumns(statement, query, bound)) {
          const at = renderedToFile(model, query, unknown.offset, tokenAt(query, unknown.offset));
          if (!problems.some((p) => p.line === at.line && p.column === at.column)) {
            problems.push({ file: relative, ...at, severity: 'error', message: unknown.message, code: 'lineage.unknown_column' });
          }
        }
      }
      for (const failure of prepared.failures) {
        problems.push({ file: relative, line: model.query?.range.start.line ?? 1, column: 1, severity: 'warning', message: `Upstream ${failure.name} cannot be previewed: ${failure.message}`, code: 'preview.upstream' });
      }
      return { problems };
    },

    'workbench.render': async ({ path: file, text }) => {
      const ws = await project.workspace();
      const overlay = await overlayOf(ws, file, text);
      const model = requireModel(overlay.relative, overlay);
      return { model: model.name, sql: renderOrThrow(ws, overlay.relative, model) };
    },

    'workbench.preview': async ({ path: file, text, environment, limit, session: id }, ctx) => {
      const ws = await project.workspace();
      const overlay = await overlayOf(ws, file, text);
      const model = requireModel(overlay.relative, overlay);
      const query = renderOrThrow(ws, overlay.relative, model);
      const parsed = await ws.parser.parse(query);
      if (!parsed.ok) {
        const offset = parsed.offset ?? 0;
        const at = renderedToFile(model, query, offset, tokenAt(query, offset));
        throw new PasException({ code: 'sql', errorType: 'Parser', message: parsed.message.split('\n')[0] ?? parsed.message, position: { ...at, offset: -1 } });
      }
      const reads = (await readNames(ws, query)).filter((n) => n !== model.name.toLowerCase());
      const prepared = await catalogs.prepare(ws, environment ?? PROD, reads);
      const cap = limit ?? DEFAULT_PREVIEW_ROWS;
      const target = await session(id);
      const wrapped = wrapQuery(query);
      const create = `CREATE OR REPLACE TEMP TABLE ${PREVIEW_TABLE} AS ${wrapped.sql} LIMIT ${cap + 1}`;
      const started = performance.now();
      try {
        await target.run(`USE "${prepared.catalog}"`, ctx.signal);
        await target.run(create, ctx.signal);
      } catch (raw) {
        if (raw instanceof PasException) {
          const moved = fileError(raw.error, model, query, `CREATE OR REPLACE TEMP TABLE ${PREVIEW_TABLE} AS `.length + wrapped.prefix.length);
          const upstream = prepared.failures.map((f) => `${f.name}: ${f.message}`).join('; ');
          const hint = moved.code === 'sql' ? await missingTableHint(moved.message, ws.project.root) : undefined;
          const notes = [hint?.text, upstream && `(upstream not available: ${upstream})`].filter(Boolean).join('\n');
          throw new PasException(
            notes && moved.code === 'sql' ? { ...moved, message: `${moved.message}\n${notes}`, ...(hint ? { loadedBy: hint.pipelines } : {}) } : moved,
          );
        }
        throw raw;
      }
      const result = await target.run(`SELECT * FROM ${PREVIEW_TABLE} LIMIT ${cap}`, ctx.signal);
      const count = await target.run(`SELECT count(*) > ${cap} FROM ${PREVIEW_TABLE}`, ctx.signal);
      const handle = results.add(result, performance.now() - started);
      previewColumns.set(id, { columns: handle.columns, cap });
      const capped = (await count.getRows())[0]?.[0] === true;
      return { handle, model: model.name, sql: query, capped, inlined: prepared.inlined };
    },

    'workbench.profile': async ({ session: id }) => {
      const last = previewColumns.get(id);
      if (!last) throw new PasException({ code: 'not_found', what: 'preview', message: 'No preview to profile yet: preview a model first.' });
      const target = await session(id);
      // The table holds one row past the cap (to know it was capped): profile the rows shown.
      return target.withConnection((connection) => profileTable(connection, `(SELECT * FROM ${PREVIEW_TABLE} LIMIT ${last.cap})`, last.columns));
    },

    'workbench.save': async ({ path: file, text }) => {
      const saved = await saveProjectFile(project.projectDir, file, text);
      // The watcher reloads the project too; reloading now makes the next call see the new text.
      void project.reload();
      return saved;
    },
  };
  return {
    handlers,
    async close() {
      await catalogs.close();
      for (const s of [...sessions.values(), ...(problemsSession ? [problemsSession] : [])]) await (await s.catch(() => undefined))?.close();
    },
  };
}

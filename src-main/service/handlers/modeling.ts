/**
 * `project.*` and `plan.*`: the modeling engine through the contract — project info, rendered
 * SQL, model tests, plans (built, kept by id, then applied with streamed progress), runs.
 */
import { PasException } from '../../../src-shared/errors';
import type { PlanView } from '../../../src-shared/modeling';
import { AuditFailedError, backfillBatches } from '../../plan/apply';
import { planChangeDetails } from '../../plan/plan-details';

import { ModelRuntimeError } from '../../plan/model-errors';
import { missingTableHint } from '../../ingest/config/project-pipelines';
import { refuseModelErrors } from '../../problems';
import type { ProjectGraph } from '../../plan/graph';
import { displayRange, isoDate, parseTime } from '../../plan/intervals';
import { PlanError, type Plan } from '../../plan/plan';
import { runModelTests } from '../../plan/unit-tests';
import { renderModel } from '../../project/render/render-model';
import { StateConflictError } from '../../state/store';
import type { ProjectSession } from '../project-session';
import type { Handlers } from './types';

const KEPT_PLANS = 20;

function toPasError(error: unknown): never {
  if (error instanceof AuditFailedError) {
    throw new PasException({ code: 'audit_failed', message: error.message, model: error.model, audits: error.results.map((r) => ({ audit: r.audit, failedRows: r.failedRows })) });
  }
  if (error instanceof StateConflictError) throw new PasException({ code: 'conflict', message: error.message });
  if (error instanceof PlanError) throw new PasException({ code: 'validation', message: error.message, issues: [] });
  if (error instanceof ModelRuntimeError) {
    throw new PasException({ code: 'sql', message: error.message, errorType: /^([A-Za-z ]+?) Error: /.exec(error.detail)?.[1] ?? 'Runtime' });
  }
  throw error;
}

/**
 * A model that failed because a table does not exist, where a project pipeline loads that
 * table (a fresh project planned before its first load): the error says which to run.
 */
async function explainFailure(error: unknown, projectDir: string): Promise<never> {
  if (error instanceof ModelRuntimeError) {
    const hint = await missingTableHint(error.detail, projectDir);
    if (hint) throw new PasException({ code: 'sql', message: `${error.message} ${hint.text}`, errorType: 'Catalog', loadedBy: hint.pipelines });
  }
  return toPasError(error);
}

function planView(plan: Plan, graph: ProjectGraph): PlanView {
  return {
    planId: plan.planId,
    environment: plan.environment,
    createdFrom: plan.createdFrom,
    previousPlanId: plan.previousPlanId,
    changes: plan.changes.map((c) => ({
      model: c.model,
      change: c.change,
      category: c.category,
      ...(c.diff ? { diff: c.diff } : {}),
      ...planChangeDetails(c, plan, graph),
      ...(c.change === 'indirectly_modified' ? { parents: graph.nodes.get(c.model)?.parents ?? [] } : {}),
    })),
    backfills: plan.backfills.map((b) => {
      const model = graph.nodes.get(b.model)?.model;
      return { model: b.model, refresh: b.refresh, intervals: b.intervals.map((i) => displayRange(i, b.unit)), ...(model ? { batches: backfillBatches(b, model).length } : {}) };
    }),
    virtualUpdate: plan.virtualUpdate,
    start: plan.start > 0 ? isoDate(plan.start) : null,
    end: plan.end !== undefined ? isoDate(plan.end - 1) : null,
  };
}

export function modelingHandlers(project: ProjectSession): Handlers<'project.info' | 'project.render' | 'project.test' | 'plan.create' | 'plan.apply' | 'plan.run'> {
  const plans = new Map<string, { plan: Plan; graph: ProjectGraph }>();
  return {
    'project.info': async () => {
      const ws = await project.workspace();
      const environments = await ws.state.listEnvironments();
      return {
        root: ws.project.root,
        gateway: ws.project.gateway ?? null,
        warehouse: ws.warehouse.catalog,
        models: Object.values(ws.project.models).map((m) => ({ name: m.name, kind: m.kind.name, file: m.file })),
        environments: environments.map((e) => ({ name: e.name, models: e.snapshots.length, expiresAt: e.expirationTs ? new Date(e.expirationTs).toISOString() : null })),
        tests: ws.project.tests.length,
        audits: Object.values(ws.project.models).reduce((n, m) => n + m.audits.length, 0) + Object.keys(ws.project.audits).length,
        diagnostics: (await ws.problems()).map((d) => ({ file: d.file, line: d.line, column: d.column, severity: d.severity, message: d.message })),
      };
    },
    'project.render': async ({ model: name, start, end }) => {
      const ws = await project.workspace();
      const model = ws.project.models[name.toLowerCase()];
      if (!model) throw new PasException({ code: 'not_found', what: 'model', message: `No model named ${name}.` });
      if (model.source !== 'sql') throw new PasException({ code: 'not_found', what: 'sql', message: `${name} is a ${model.source} model: it has no SQL.` });
      await refuseModelErrors(ws, model);
      const rendered = renderModel(model, {
        start: parseTime(start ?? String(model.start ?? ws.project.config.modelDefaults?.start ?? 'yesterday')),
        ...(end ? { end } : {}),
        executionTime: Date.now(),
        variables: ws.project.variables,
        ...(ws.project.gateway ? { gateway: ws.project.gateway } : {}),
      });
      if (rendered.diagnostics.length > 0) {
        throw new PasException({ code: 'validation', message: `${name} does not render`, issues: rendered.diagnostics.map((d) => ({ path: `${d.file}:${d.line}:${d.column}`, message: d.message })) });
      }
      return { sql: [...rendered.preStatements, rendered.query ?? '', ...rendered.postStatements].filter(Boolean).join(';\n') };
    },
    'project.test': async ({ pattern }) => {
      const ws = await project.workspace();
      return runModelTests(ws.project, ws.parser, pattern);
    },
    'plan.create': async ({ environment, start, end, forwardOnly, restateModels, categories, executionTime }) => {
      const ws = await project.workspace();
      const errors = (await ws.problems()).filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        throw new PasException({ code: 'validation', message: `The project has ${errors.length} error(s)`, issues: errors.map((d) => ({ path: `${d.file}:${d.line}:${d.column}`, message: d.message })) });
      }
      const built = await ws
        .plan({
          environment: environment ?? ws.project.config.defaultTargetEnvironment,
          ...(start ? { start } : {}),
          ...(end ? { end } : {}),
          ...(forwardOnly ? { forwardOnly } : {}),
          ...(restateModels ? { restateModels } : {}),
          ...(categories ? { categories } : {}),
          ...(executionTime ? { executionTime: Date.parse(executionTime) } : {}),
        })
        .catch(toPasError);
      plans.set(built.plan.planId, built);
      while (plans.size > KEPT_PLANS) plans.delete(plans.keys().next().value as string);
      return planView(built.plan, built.graph);
    },
    'plan.apply': async ({ planId }, ctx) => {
      const built = plans.get(planId);
      if (!built) throw new PasException({ code: 'not_found', what: 'plan', message: `No plan ${planId}: plans are kept until ${KEPT_PLANS} newer ones were made; plan again.` });
      const ws = await project.workspace();
      const result = await ws
        .apply(built.plan, built.graph, {
          signal: ctx.signal,
          onEvent: (e) => {
            const requestId = ctx.requestId;
            if (e.stage === 'audit') ctx.events.emit('plan.progress', { requestId, stage: 'audit', model: e.model, audit: e.result.audit, failedRows: e.result.failedRows, blocking: e.result.blocking });
            else ctx.events.emit('plan.progress', { requestId, ...e });
          },
        })
        .catch((e: unknown) => explainFailure(e, ws.project.root));
      plans.delete(planId);
      return { ...result, audits: result.audits.map((a) => ({ audit: a.audit, blocking: a.blocking, failedRows: a.failedRows })) };
    },
    'plan.run': async ({ environment, executionTime, skipJanitor }, ctx) => {
      const ws = await project.workspace();
      const janitor = skipJanitor ? undefined : await ws.janitor().catch(toPasError);
      const result = await ws
        // SQLMesh's default_target_environment names the environment when none is given.
        .run(environment ?? ws.project.config.defaultTargetEnvironment, {
          signal: ctx.signal,
          ...(executionTime ? { executionTime: Date.parse(executionTime) } : {}),
          onEvent: (e) => ctx.events.emit('progress', { requestId: ctx.requestId, method: 'plan.run', stage: 'running', message: `${e.model} [${e.interval.join(' – ')}]` }),
        })
        .catch((e: unknown) => explainFailure(e, ws.project.root));
      return { environment: result.environment, evaluated: result.evaluated, ...(result.message ? { message: result.message } : {}), ...(janitor ? { janitor } : {}) };
    },
  };
}

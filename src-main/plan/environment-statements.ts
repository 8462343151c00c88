/**
 * config.yaml's `before_all` / `after_all`: statements run at the start and at the end of
 * applying a plan and of a run, as SQLMesh runs them, with `@this_env`, `@schemas` (the
 * environment's view schemas) and `@views` (its views) besides the usual variables.
 */
import type { Project } from '../project/project';
import { renderEnvironmentStatements } from '../project/render/render-model';
import { environmentView } from './naming';
import type { Warehouse } from './warehouse';

export interface EnvironmentStatementsContext {
  project: Project;
  warehouse: Warehouse;
  environment: string;
  /** Names of the environment's materialized models. */
  models: readonly string[];
  executionTime: number;
  signal?: AbortSignal;
}

export async function runEnvironmentStatements(which: 'before_all' | 'after_all', ctx: EnvironmentStatementsContext): Promise<void> {
  const sections = which === 'before_all' ? ctx.project.config.beforeAll : ctx.project.config.afterAll;
  if (sections.length === 0) return;
  const views = ctx.models.map((name) => environmentView(name, ctx.environment)).map((v) => [v.catalog, v.schema, v.table].filter(Boolean).join('.'));
  const schemas = [...new Set(ctx.models.map((name) => environmentView(name, ctx.environment)).map((v) => [v.catalog, v.schema].filter(Boolean).join('.')))];
  const rendered = renderEnvironmentStatements(sections, {
    thisEnv: ctx.environment,
    schemas,
    views,
    executionTime: ctx.executionTime,
    variables: ctx.project.variables,
    ...(ctx.project.gateway !== undefined ? { gateway: ctx.project.gateway } : {}),
  });
  if (rendered.diagnostics.length > 0) throw new Error(rendered.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
  for (const statement of rendered.statements) await ctx.warehouse.query(statement, ctx.signal);
}

/**
 * A project opened for planning and running: the loaded project, its warehouse (from the
 * gateway's connection), its state store (the gateway's state connection, else the warehouse's
 * own DuckDB file, as SQLMesh does), and DuckDB's parser. The CLI and the service open one and
 * call plan / apply / run / janitor on it.
 */
import { mkdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckEngine } from '../duck/engine';
import type { Diagnostic } from '../project/diagnostics';
import { loadProject, type Project } from '../project/project';
import { SqlParser } from '../sql/parse';
import { DuckDbStateDb } from '../state/duckdb-db';
import { openPostgresState } from '../state/postgres-db';
import { StateStore } from '../state/store';
import { applyPlan, type ApplyEvent, type ApplyResult } from './apply';
import { DEFAULT_CONCURRENT_TASKS } from '../project/config';
import { problemsKey, readProblems, writeProblems } from '../problems/check-cache';
import { checkProject } from '../problems/check';
import { buildGraph, type ProjectGraph } from './graph';
import { mark } from '../process/timing';
import { openWarehouse } from './open-warehouse';
import { runJanitor, type JanitorResult } from './janitor';
import { buildPlan, type Plan, type PlanOptions } from './plan';
import { runEnvironment, type RunContext, type RunResult } from './run';
import type { Warehouse } from './warehouse';

export interface WorkspaceOptions {
  projectDir: string;
  engine: DuckEngine;
  gateway?: string;
  env?: Record<string, string | undefined>;
  /**
   * `lazy`: read only config.yaml to open the warehouse and state; models, audits and tests are
   * loaded by the first `loaded()` (a query on the warehouse needs none of them). Default `eager`.
   */
  models?: 'eager' | 'lazy';
}

export class Workspace {
  /** The graph the last check built; rebuilt by `reload`. */
  private checkedGraph: ProjectGraph | undefined;
  private checking: Promise<Diagnostic[]> | undefined;
  private loading: Promise<this> | undefined;

  private constructor(
    public project: Project,
    public diagnostics: Diagnostic[],
    readonly warehouse: Warehouse,
    readonly state: StateStore,
    readonly parser: SqlParser,
    private readonly connections: DuckDBConnection[],
    private readonly closeWarehouse: () => Promise<void>,
    /** The engine the warehouse is attached to (its default catalog is the warehouse's). */
    readonly engine: DuckEngine,
  ) {}

  static async open(options: WorkspaceOptions): Promise<Workspace> {
    const lazy = options.models === 'lazy';
    const { project, diagnostics } = await loadProject(options.projectDir, {
      ...(options.gateway ? { gateway: options.gateway } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(lazy ? { configOnly: true } : {}),
    });
    mark('workspace: config loaded');
    const gateway = project.gateway ? project.config.gateways[project.gateway] : undefined;
    const opened = await openWarehouse(options.engine, project);
    mark('workspace: warehouse opened');
    const parserConnection = await options.engine.connect();
    const stateConfig = gateway?.stateConnection;
    let stateDb;
    try {
      if (stateConfig?.type === 'postgres') {
        stateDb = await openPostgresState({
          host: stateConfig.host,
          port: stateConfig.port,
          user: stateConfig.user,
          ...(stateConfig.password !== undefined ? { password: stateConfig.password } : {}),
          database: stateConfig.database,
        });
      } else if (stateConfig?.type === 'duckdb' && stateConfig.database) {
        const statePath = path.resolve(project.root, stateConfig.database);
        mkdirSync(path.dirname(statePath), { recursive: true });
        stateDb = await DuckDbStateDb.open(options.engine, statePath);
      } else if (opened.defaultState.type === 'postgres') {
        stateDb = await openPostgresState(opened.defaultState.connection);
      } else {
        mkdirSync(path.dirname(opened.defaultState.path), { recursive: true });
        stateDb = await DuckDbStateDb.open(options.engine, opened.defaultState.path);
      }
    } catch (error) {
      parserConnection.closeSync();
      await opened.close();
      throw error;
    }
    const state = await StateStore.open(stateDb);
    mark('workspace: state opened');
    const workspace = new Workspace(project, diagnostics, opened.warehouse, state, new SqlParser(parserConnection), [parserConnection], opened.close, options.engine);
    if (!lazy) workspace.loading = Promise.resolve(workspace);
    return workspace;
  }

  /** The workspace with its models, audits and tests loaded (once; `reload` reads them again). */
  loaded(): Promise<this> {
    this.loading ??= this.reload().then(() => this);
    return this.loading;
  }

  /**
   * The project's whole problem list (loading + graph, columns, linter, tests and audits),
   * computed once per load; `diagnostics` holds it afterwards. Commands that plan, render or
   * report problems ask for it; the others do not pay for it.
   */
  async problems(): Promise<Diagnostic[]> {
    await this.loaded();
    this.checking ??= this.check(this.diagnostics).then(() => this.diagnostics);
    return this.checking;
  }

  /** Computes the project's whole problem list (load problems + graph, columns, linter). */
  private async check(loadDiagnostics: Diagnostic[]): Promise<void> {
    this.checkedGraph = undefined;
    try {
      // The same project as last check (nothing changed since): its problem list from the cache.
      const key = problemsKey(this.project, loadDiagnostics, [this.warehouse.catalog]);
      const cached = key !== undefined ? readProblems(this.project.root, key) : undefined;
      if (cached) {
        this.diagnostics = cached;
        return;
      }
      const check = await checkProject(this.project, loadDiagnostics, this.parser, [this.warehouse.catalog]);
      this.diagnostics = check.diagnostics;
      this.checkedGraph = check.graph;
      if (key !== undefined) writeProblems(this.project.root, key, check.diagnostics);
    } catch (error) {
      // A fault of the checker must not keep the project from opening: say so, keep what loading found.
      const message = `The project could not be checked completely (${error instanceof Error ? error.message : String(error)}); problems in queries and columns may be missing.`;
      this.diagnostics = [...loadDiagnostics, { file: this.project.config.file ?? 'config.yaml', line: 1, column: 1, severity: 'warning', code: 'project.check_failed', message }];
    }
  }

  /** Reads the project's files again (after an edit); the warehouse and state stay open. */
  async reload(): Promise<void> {
    const { project, diagnostics } = await loadProject(this.project.root, this.project.gateway ? { gateway: this.project.gateway } : {});
    mark('workspace: models loaded');
    this.project = project;
    this.diagnostics = diagnostics;
    this.checkedGraph = undefined;
    this.checking = undefined;
    this.loading ??= Promise.resolve(this);
  }

  /** The project's models as a graph (built once per load). */
  async graph(): Promise<ProjectGraph> {
    this.checkedGraph ??= await buildGraph(this.project, this.parser, [this.warehouse.catalog]);
    mark('workspace: graph built');
    return this.checkedGraph;
  }

  async plan(options: PlanOptions = {}): Promise<{ plan: Plan; graph: ProjectGraph }> {
    // Every problem of the project (not only the graph's) stops a plan.
    const problems = await this.problems();
    mark('workspace: problems known');
    const graph = { ...(await this.graph()), diagnostics: [...problems] };
    const plan = await buildPlan(this.project, graph, this.state, this.parser, options);
    mark('workspace: plan built');
    return { plan, graph };
  }

  apply(plan: Plan, graph: ProjectGraph, options: { owner?: string; onEvent?: (e: ApplyEvent) => void; signal?: AbortSignal } = {}): Promise<ApplyResult> {
    return applyPlan(plan, {
      project: this.project,
      graph,
      state: this.state,
      warehouse: this.warehouse,
      parser: this.parser,
      owner: { owner: options.owner ?? applierName(), host: hostname(), pid: process.pid },
      concurrentTasks: this.concurrentTasks(),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** The gateway connection's `concurrent_tasks`: how many models are evaluated at once. */
  concurrentTasks(): number {
    const gateway = this.project.gateway ? this.project.config.gateways[this.project.gateway] : undefined;
    return gateway?.connection?.concurrentTasks ?? DEFAULT_CONCURRENT_TASKS;
  }

  run(environment: string, options: { executionTime?: number; signal?: AbortSignal; onEvent?: RunContext['onEvent'] } = {}): Promise<RunResult> {
    return runEnvironment(environment, { project: this.project, state: this.state, warehouse: this.warehouse, parser: this.parser, ...options });
  }

  janitor(options: { now?: number; ignoreTtl?: boolean } = {}): Promise<JanitorResult> {
    return runJanitor(this.state, this.warehouse, options.now, options.ignoreTtl);
  }

  async close(): Promise<void> {
    await this.state.close();
    for (const connection of this.connections) connection.closeSync();
    await this.closeWarehouse();
  }
}

/** Who applies a plan, as environments record it: `user@host`. */
export function applierName(): string {
  let user = process.env.USER ?? process.env.USERNAME;
  try {
    user ??= userInfo().username;
  } catch {
    // No user database entry (some containers): keep the fallback.
  }
  return `${user ?? 'pas'}@${hostname()}`;
}

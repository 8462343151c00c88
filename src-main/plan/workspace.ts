/**
 * A project opened for planning and running: the loaded project, its warehouse (from the
 * gateway's connection), its state store (the gateway's state connection, else the warehouse's
 * own DuckDB file, as SQLMesh does), and DuckDB's parser. The CLI and the service open one and
 * call plan / apply / run / janitor on it.
 */
import { mkdirSync } from 'node:fs';
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
import { buildGraph, type ProjectGraph } from './graph';
import { openWarehouse } from './open-warehouse';
import { runJanitor, type JanitorResult } from './janitor';
import { buildPlan, type Plan, type PlanOptions } from './plan';
import { runEnvironment, type RunResult } from './run';
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
  private loading: Promise<this> | undefined;

  private constructor(
    public project: Project,
    public diagnostics: Diagnostic[],
    readonly warehouse: Warehouse,
    readonly state: StateStore,
    readonly parser: SqlParser,
    private readonly connections: DuckDBConnection[],
    private readonly closeWarehouse: () => Promise<void>,
  ) {}

  static async open(options: WorkspaceOptions): Promise<Workspace> {
    const lazy = options.models === 'lazy';
    const { project, diagnostics } = await loadProject(options.projectDir, {
      ...(options.gateway ? { gateway: options.gateway } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(lazy ? { configOnly: true } : {}),
    });
    const gateway = project.gateway ? project.config.gateways[project.gateway] : undefined;
    const opened = await openWarehouse(options.engine, project);
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
    const workspace = new Workspace(project, diagnostics, opened.warehouse, state, new SqlParser(parserConnection), [parserConnection], opened.close);
    if (!lazy) workspace.loading = Promise.resolve(workspace);
    return workspace;
  }

  /** The workspace with its models, audits and tests loaded (once; `reload` reads them again). */
  loaded(): Promise<this> {
    this.loading ??= this.reload().then(() => this);
    return this.loading;
  }

  /** Reads the project's files again (after an edit); the warehouse and state stay open. */
  async reload(): Promise<void> {
    const { project, diagnostics } = await loadProject(this.project.root, this.project.gateway ? { gateway: this.project.gateway } : {});
    this.project = project;
    this.diagnostics = diagnostics;
    this.loading ??= Promise.resolve(this);
  }

  graph(): Promise<ProjectGraph> {
    return buildGraph(this.project, this.parser, [this.warehouse.catalog]);
  }

  async plan(options: PlanOptions = {}): Promise<{ plan: Plan; graph: ProjectGraph }> {
    const graph = await this.graph();
    graph.diagnostics.unshift(...this.diagnostics);
    return { plan: await buildPlan(this.project, graph, this.state, this.parser, options), graph };
  }

  apply(plan: Plan, graph: ProjectGraph, options: { owner?: string; onEvent?: (e: ApplyEvent) => void; signal?: AbortSignal } = {}): Promise<ApplyResult> {
    return applyPlan(plan, {
      project: this.project,
      graph,
      state: this.state,
      warehouse: this.warehouse,
      parser: this.parser,
      owner: options.owner ?? `${process.env.USER ?? 'pas'}@${process.pid}`,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  run(environment: string, options: { executionTime?: number; signal?: AbortSignal } = {}): Promise<RunResult> {
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

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
import { DuckDbWarehouse } from './duckdb-warehouse';
import { buildGraph, type ProjectGraph } from './graph';
import { runJanitor, type JanitorResult } from './janitor';
import { buildPlan, type Plan, type PlanOptions } from './plan';
import { runEnvironment, type RunResult } from './run';
import { quoteIdentifier, type Warehouse } from './warehouse';

export interface WorkspaceOptions {
  projectDir: string;
  engine: DuckEngine;
  gateway?: string;
  env?: Record<string, string | undefined>;
}

/**
 * Attaches the warehouse database of the project's gateway (a duckdb connection's `database`)
 * into the engine, once; returns the catalog name models live under (`memory` when none).
 */
export async function attachWarehouse(engine: DuckEngine, project: Project): Promise<{ catalog: string; databasePath?: string }> {
  const gateway = project.gateway ? project.config.gateways[project.gateway] : undefined;
  const connection = gateway?.connection;
  if (connection?.type !== 'duckdb' || !connection.database || connection.database === ':memory:') return { catalog: 'memory' };
  const databasePath = path.resolve(project.root, connection.database);
  mkdirSync(path.dirname(databasePath), { recursive: true });
  const probe = await engine.connect();
  try {
    const attached = await probe.runAndReadAll('SELECT database_name FROM duckdb_databases() WHERE path = $1', [databasePath]);
    const existing = attached.getRows()[0]?.[0];
    if (existing !== undefined) return { catalog: String(existing), databasePath };
    const catalog = path.basename(databasePath).replace(/\.[^.]+$/, '') || 'warehouse';
    await probe.run(`ATTACH '${databasePath.replace(/'/g, "''")}' AS ${quoteIdentifier(catalog)}`);
    return { catalog, databasePath };
  } finally {
    probe.closeSync();
  }
}

export class Workspace {
  private constructor(
    public project: Project,
    public diagnostics: Diagnostic[],
    readonly warehouse: Warehouse,
    readonly state: StateStore,
    readonly parser: SqlParser,
    private readonly connections: DuckDBConnection[],
  ) {}

  static async open(options: WorkspaceOptions): Promise<Workspace> {
    const { project, diagnostics } = await loadProject(options.projectDir, {
      ...(options.gateway ? { gateway: options.gateway } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    const gateway = project.gateway ? project.config.gateways[project.gateway] : undefined;
    const { catalog, databasePath } = await attachWarehouse(options.engine, project);
    const warehouseConnection = await options.engine.connect();
    const parserConnection = await options.engine.connect();
    // Unqualified names in model queries (sources such as raw.events) resolve in the warehouse.
    await warehouseConnection.run(`USE ${quoteIdentifier(catalog)}`);
    const warehouse = new DuckDbWarehouse(warehouseConnection, catalog);

    const stateConfig = gateway?.stateConnection;
    let stateDb;
    if (stateConfig?.type === 'postgres') {
      stateDb = await openPostgresState({
        host: stateConfig.host,
        port: stateConfig.port,
        user: stateConfig.user,
        ...(stateConfig.password !== undefined ? { password: stateConfig.password } : {}),
        database: stateConfig.database,
      });
    } else {
      const statePath =
        stateConfig?.type === 'duckdb' && stateConfig.database
          ? path.resolve(project.root, stateConfig.database)
          : (databasePath ?? path.join(project.root, '.pas', 'state.db'));
      mkdirSync(path.dirname(statePath), { recursive: true });
      stateDb = await DuckDbStateDb.open(options.engine, statePath);
    }
    const state = await StateStore.open(stateDb);
    return new Workspace(project, diagnostics, warehouse, state, new SqlParser(parserConnection), [warehouseConnection, parserConnection]);
  }

  /** Reads the project's files again (after an edit); the warehouse and state stay open. */
  async reload(): Promise<void> {
    const { project, diagnostics } = await loadProject(this.project.root, this.project.gateway ? { gateway: this.project.gateway } : {});
    this.project = project;
    this.diagnostics = diagnostics;
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
  }
}

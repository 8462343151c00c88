/**
 * The service: the one implementation of the contract. Every door (Electron IPC, the web
 * mode's WebSocket, the CLI, tests) calls `invoke` or `call`; this module validates the
 * params against the contract, runs the handler with a cancellation signal, reports
 * progress for long calls, and turns every failure into a `PasError`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import {
  isMethodName,
  longRunningMethods,
  methodParams,
  type MethodName,
  type MethodResult,
  type MethodParams,
} from '../../src-shared/contract';
import { isPasException, PasException, type PasError } from '../../src-shared/errors';
import type { Outcome } from '../../src-shared/protocol';
import { DuckEngine } from '../duck/engine';
import { ResultStore } from '../duck/results';
import type { Session } from '../duck/session';
import { isCatalogFree } from '../duck/catalog-free';
import { EventBus } from './events';
import { mark } from '../process/timing';
import { appHandlers } from './handlers/app';
import { environmentHandlers } from './handlers/environments';
import { ingestHandlers } from './handlers/ingest';
import { lakeHandlers } from './handlers/lake';
import { lakeCommandHandlers } from './handlers/lake-commands';
import { lineageHandlers } from './handlers/lineage';
import { modelingHandlers } from './handlers/modeling';
import { workbenchHandlers } from './handlers/workbench';
import { problemsHandlers } from './handlers/problems';
import { projectCommandHandlers } from './handlers/project-commands';
import { ProjectSession } from './project-session';
import { queryHandlers, SessionPool } from './handlers/query';
import { resultsHandlers } from './handlers/results';
import type { Handler, Handlers } from './handlers/types';

export interface ServiceOptions {
  /** The analytics project folder (holds config.yaml); defaults to the working directory. */
  projectDir?: string;
  /** Return before the project has opened (web mode prints its URL sooner); sessions wait for it. */
  openInBackground?: boolean;
  /**
   * Watch the project's files and reload on change (default true). A one-shot CLI command
   * turns it off: a recursive watch walks every folder of the project (~100 ms on 1,000 models).
   */
  watch?: boolean;
  /**
   * Open the warehouse at the first call that needs it rather than at start (a one-shot CLI
   * command): a query that reads no catalog (`select 1`, see duck/catalog-free.ts) runs
   * without it. Other calls see the project exactly as if it had opened at start.
   */
  deferOpen?: boolean;
}

export interface InvokeOptions {
  requestId?: string;
  signal?: AbortSignal;
}

export class PasService {
  readonly events = new EventBus();
  private readonly handlers: Handlers;
  private closed = false;

  private readonly project: ProjectSession;
  /** Folders besides the project that exports may write into (a desktop save dialog's choices). */
  readonly exportRoots: string[] = [];
  private readonly workbench: ReturnType<typeof workbenchHandlers>;
  /** Settles once the project has opened (or failed to). Queries wait for it too (query.run refreshes the lake first). */
  private opening: Promise<unknown> = Promise.resolve();
  /** The project waits to be opened (`deferOpen`) by `ensureOpen`. */
  private deferred = false;
  /** Where statements that read no catalog run while the project is unopened. */
  private looseSession: Session | undefined;

  private constructor(
    readonly projectDir: string,
    private readonly engine: DuckEngine,
    private readonly results: ResultStore,
    watch = true,
  ) {
    const sessions = new SessionPool(engine);
    this.project = new ProjectSession(engine, projectDir, this.events, { watch });
    this.workbench = workbenchHandlers(this.project, engine, results, this.events);
    this.handlers = {
      ...appHandlers(engine, projectDir),
      ...queryHandlers(sessions, results, (sql, options) => this.beforeQuery(sql, options)),
      ...lineageHandlers(this.project),
      ...lakeHandlers(this.project, sessions, results),
      ...ingestHandlers(this.project),
      ...modelingHandlers(this.project),
      ...environmentHandlers(this.project, sessions, results),
      ...resultsHandlers(sessions, results, { projectDir, exportRoots: () => this.exportRoots }),
      ...this.workbench.handlers,
      ...problemsHandlers(this.project),
      ...projectCommandHandlers(this.project, sessions, results),
      ...lakeCommandHandlers(this.project),
    };
  }

  static async create(options: ServiceOptions = {}): Promise<PasService> {
    const projectDir = path.resolve(options.projectDir ?? process.cwd());
    mark('service: create');
    const engine = await DuckEngine.open();
    mark('service: duckdb instance');
    const service = new PasService(projectDir, engine, new ResultStore(), options.watch ?? true);
    // A project's warehouse becomes every session's default catalog (see open-warehouse.ts), so
    // names resolve as SQLMesh users write them. A project that fails to open still leaves a
    // working console; `pas info` and the app say why.
    const config = ['config.yaml', 'config.yml'].map((name) => path.join(projectDir, name)).find((file) => existsSync(file));
    if (config) {
      service.deferred = true;
      if (!options.deferOpen || configuresEngine(config)) {
        void service.ensureOpen();
        if (!options.openInBackground) await service.opening;
      }
    }
    return service;
  }

  /** Starts opening the warehouse and state (once); the models load when a call needs them. */
  private ensureOpen(): Promise<unknown> {
    if (this.deferred) {
      this.deferred = false;
      this.opening = this.project.warehouse().catch(() => undefined);
      void this.opening.then(() => mark('service: warehouse open'));
    }
    return this.opening;
  }

  /**
   * Before a statement: the lake rebinds what other processes committed meanwhile. While the
   * project is still unopened (`deferOpen`), a statement that reads no catalog runs on a
   * session of its own without opening it (a `pas fetchdf "select 1"`).
   */
  private async beforeQuery(sql: string, options?: { open: true }): Promise<Session | undefined> {
    if (this.deferred && !options?.open) {
      // Kept until the engine closes (it owns the results it makes).
      this.looseSession ??= await this.engine.openSession();
      if (await this.looseSession.withConnection((connection) => isCatalogFree(connection, sql))) return this.looseSession;
    }
    if (this.deferred) await this.ensureOpen();
    await this.project.refreshLake();
    return undefined;
  }

  /** Calls a method; resolves with its result or rejects with a PasException. */
  async invoke<M extends MethodName>(
    method: M,
    params: MethodParams<M>,
    options: InvokeOptions = {},
  ): Promise<MethodResult<M>> {
    const outcome = await this.call(method, params, options);
    if (!outcome.ok) throw new PasException(outcome.error);
    return outcome.value as MethodResult<M>;
  }

  /** Calls a method named by untrusted input; never throws. */
  async call(method: string, params: unknown, options: InvokeOptions = {}): Promise<Outcome<unknown>> {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'unknown_method', method, message: `Unknown method "${method}".` } };
    }
    const parsed = validate(method, params);
    if (!parsed.ok) return parsed;
    // Every call but a query (which decides in `beforeQuery`) sees the project opened.
    if (this.deferred && !QUERY_METHODS.has(method)) await this.ensureOpen();
    if (this.closed) return { ok: false, error: { code: 'internal', message: 'The service is shut down.' } };
    const requestId = options.requestId ?? randomUUID();
    const signal = options.signal ?? new AbortController().signal;
    const long = longRunningMethods.has(method);
    if (long) this.events.emit('progress', { requestId, method, stage: 'started' });
    try {
      const handler = this.handlers[method] as Handler<MethodName>;
      const value = await handler(parsed.value as never, { requestId, signal, events: this.events });
      if (long) this.events.emit('progress', { requestId, method, stage: 'finished', fraction: 1 });
      return { ok: true, value };
    } catch (raw) {
      const error = toPasError(raw, signal);
      if (long) {
        const stage = error.code === 'cancelled' ? 'cancelled' : 'failed';
        this.events.emit('progress', { requestId, method, stage, message: error.message });
      }
      return { ok: false, error };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opening;
    this.results.clear();
    await this.workbench.close();
    mark('service: close workbench');
    await this.project.close();
    mark('service: close project');
    await this.engine.close();
    mark('service: close engine');
  }
}

/**
 * The project's connection sets DuckDB settings or loads extensions when it opens (a time
 * zone changes what `select now()::varchar` prints): then every statement waits for it. Read
 * from the file's text (no YAML parse at start); a mention anywhere counts.
 */
function configuresEngine(configFile: string): boolean {
  try {
    return /connector_config|extensions/.test(readFileSync(configFile, 'utf8'));
  } catch {
    return true;
  }
}

/** Calls that need no open project of their own (`query.run` opens it when its SQL reads a catalog). */
const QUERY_METHODS = new Set<MethodName>(['query.run', 'query.page', 'query.close', 'session.close']);

function validate(method: MethodName, params: unknown): Outcome<unknown> {
  const schema: z.ZodType = methodParams[method];
  const result = schema.safeParse(params ?? {});
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    error: {
      code: 'validation',
      message: `Invalid params for ${method}`,
      issues: result.error.issues.map((issue) => ({
        path: ['params', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    },
  };
}

export function toPasError(raw: unknown, signal?: AbortSignal): PasError {
  if (isPasException(raw)) return raw.error;
  if (signal?.aborted) return { code: 'cancelled', message: 'The call was cancelled.' };
  const message = raw instanceof Error ? raw.message : String(raw);
  return { code: 'internal', message };
}

/**
 * The service: the one implementation of the contract. Every door (Electron IPC, the web
 * mode's WebSocket, the CLI, tests) calls `invoke` or `call`; this module validates the
 * params against the contract, runs the handler with a cancellation signal, reports
 * progress for long calls, and turns every failure into a `PasError`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
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
import { EventBus } from './events';
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
      ...queryHandlers(sessions, results, () => this.project.refreshLake()),
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
    const engine = await DuckEngine.open();
    const service = new PasService(projectDir, engine, new ResultStore(), options.watch ?? true);
    // A project's warehouse becomes every session's default catalog (see open-warehouse.ts), so
    // names resolve as SQLMesh users write them. A project that fails to open still leaves a
    // working console; `pas info` and the app say why.
    if (existsSync(path.join(projectDir, 'config.yaml')) || existsSync(path.join(projectDir, 'config.yml'))) {
      // Only the warehouse and state: the models load when a call needs them (a query does not).
      service.opening = service.project.warehouse().catch(() => undefined);
      if (!options.openInBackground) await service.opening;
    }
    return service;
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
    await this.project.close();
    await this.engine.close();
  }
}

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

/**
 * The service: the one implementation of the contract. Every door (Electron IPC, the web
 * mode's WebSocket, the CLI, tests) calls `invoke` or `call`; this module validates the
 * params against the contract, runs the handler with a cancellation signal, reports
 * progress for long calls, and turns every failure into a `PasError`.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { isProjectDir } from '../project/project-dir';
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
import { readDiscovery } from '../server/discovery';
import { processAlive } from '../process/alive';
import { mark } from '../process/timing';
import { EventBus } from './events';
import { projectsHandlers, type ProjectsDoor } from './handlers/projects';
import type { Handler, Handlers } from './handlers/types';
import { OpenProject } from './open-project';
import { configErrors } from './project-session';

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
   * Lets clients open other project folders (`projects.*`): given by the doors a user works in
   * (`pas serve`, the app), never by a one-shot command. The first project is remembered in the
   * recent list and its folder allowed.
   */
  projects?: ProjectsDoor;
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
  private closed = false;
  private readonly projectHandlers: Partial<Handlers>;
  /** Settles when the close-and-open phase of a switch has finished; calls wait for it. */
  private switching: Promise<unknown> = Promise.resolve();
  /** One switch at a time: each waits for the one before. */
  private switches: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly events: EventBus,
    /** Folders besides the project that exports may write into (a desktop save dialog's choices). */
    readonly exportRoots: string[],
    private current: OpenProject,
    private readonly watch: boolean,
    door: ProjectsDoor | undefined,
  ) {
    this.projectHandlers = projectsHandlers(this, door);
  }

  /** The folder of the project served now (it changes when a client opens another). */
  get projectDir(): string {
    return this.current.projectDir;
  }

  static async create(options: ServiceOptions = {}): Promise<PasService> {
    const projectDir = path.resolve(options.projectDir ?? process.cwd());
    const watch = options.watch ?? true;
    const events = new EventBus();
    const exportRoots: string[] = [];
    mark('service: create');
    const first = await OpenProject.open(projectDir, events, { watch, exportRoots: () => exportRoots, deferOpen: options.deferOpen ?? false });
    const service = new PasService(events, exportRoots, first, watch, options.projects);
    // A project that fails to open still leaves a working console; `pas info` and the app say why.
    first.opening = first.opening.catch(() => undefined);
    if (!options.openInBackground) await first.opening;
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
    let effective = signal;
    let project: OpenProject | undefined;
    try {
      const own = (this.projectHandlers as Partial<Handlers>)[method] as Handler<MethodName> | undefined;
      let value: unknown;
      if (own) value = await own(parsed.value as never, { requestId, signal, events: this.events });
      else {
        // A call made while another project opens goes to that project.
        await this.switching.catch(() => undefined);
        project = this.current;
        // Every call but a query (which decides for itself) sees the project opened.
        if (project.deferred && !QUERY_METHODS.has(method)) await project.ensureOpen();
        const handler = (project.handlers as Partial<Handlers>)[method] as Handler<MethodName> | undefined;
        if (!handler) throw new PasException({ code: 'unknown_method', method, message: `Unknown method "${method}".` });
        value = await project.run(method, signal, (s) => {
          effective = s;
          return handler(parsed.value as never, { requestId, signal: s, events: this.events });
        });
      }
      if (long) this.events.emit('progress', { requestId, method, stage: 'finished', fraction: 1 });
      return { ok: true, value };
    } catch (raw) {
      let error = toPasError(raw, effective);
      if (project?.closing && (error.code === 'cancelled' || effective.aborted)) {
        error = { code: 'cancelled', message: `The call was cancelled: the engine closed ${project.projectDir} to open another project.` };
      }
      if (long) {
        const stage = error.code === 'cancelled' ? 'cancelled' : 'failed';
        this.events.emit('progress', { requestId, method, stage, message: error.message });
      }
      return { ok: false, error };
    }
  }

  /**
   * Closes the served project and opens `dir` (an existing folder's real path) in its place,
   * keeping the event bus, so every client's subscriptions survive; announces `project.opened`.
   * Checked first, so a refusal leaves the served project as it was: `dir` must be a project
   * whose configuration has no errors, that no other live engine has open, and no write
   * (plan apply, ingest, save, ...) may be running here; reads in flight are cancelled. When the
   * new project then fails to open (its lake unreachable, a file locked), the old one is opened
   * again and the error says both. False when `dir` is already the served project.
   */
  openProject(dir: string): Promise<boolean> {
    const attempt = this.switches.then(() => this.switchTo(dir));
    this.switches = attempt.catch(() => undefined);
    return attempt;
  }

  private async switchTo(dir: string): Promise<boolean> {
    if (this.closed) throw new PasException({ code: 'internal', message: 'The service is shut down.' });
    if (dir === this.current.projectDir) return false;
    if (!isProjectDir(dir)) {
      throw new PasException({ code: 'not_found', what: 'project', message: `${dir} is not a project: it has no config.yaml. Nothing was switched.` });
    }
    const invalid = await configErrors(dir);
    if (invalid) {
      const message = invalid.error.message.replace(/^The project/, `The project ${dir}`);
      throw new PasException({ ...invalid.error, message: `${message}${/[.?!]$/.test(message) ? '' : '.'} Nothing was switched.` } as PasError);
    }
    const other = readDiscovery(dir);
    if (other && processAlive(other.pid)) {
      throw new PasException({
        code: 'conflict',
        message: `${dir} is already open in another engine (pid ${other.pid}, ${other.address}:${other.port}, see ${path.join(dir, '.pas', 'engine.json')}). Close it there first. Nothing was switched.`,
      });
    }
    const writes = this.current.runningWrites();
    if (writes.length > 0) {
      throw new PasException({
        code: 'conflict',
        message: `${[...new Set(writes)].join(', ')} is running on ${this.current.projectDir}; a switch would cut it mid-write. Wait for it to finish (or cancel it), then open the other project. Nothing was switched.`,
      });
    }
    const old = this.current;
    const switched = (async () => {
      await old.close();
      const options = { watch: this.watch, exportRoots: () => this.exportRoots };
      const next = await OpenProject.open(dir, this.events, options);
      try {
        await next.opening;
      } catch (error) {
        await next.close();
        const back = await OpenProject.open(old.projectDir, this.events, options);
        back.opening = back.opening.catch(() => undefined);
        this.current = back;
        await back.opening;
        const reason = toPasError(error);
        throw new PasException({ ...reason, message: `Could not open ${dir}: ${reason.message} The engine is back on ${old.projectDir}.` } as PasError);
      }
      this.current = next;
      this.events.emit('project.opened', { dir, name: path.basename(dir), previousDir: old.projectDir });
    })();
    this.switching = switched;
    await switched;
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.switches;
    await this.current.close();
  }
}

/** Calls that need no open project of their own (`query.run` opens it when its SQL reads a catalog). */
const QUERY_METHODS = new Set<string>(['query.run', 'query.page', 'query.close', 'session.close']);

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

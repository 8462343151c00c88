/**
 * Everything the service holds for the one project it serves: a DuckDB engine (whose default
 * catalog is the project's warehouse), the results kept for paging, the query sessions, the
 * project session (workspace, lineage, watcher), the workbench's preview catalogs and the
 * handlers bound to them. Switching projects closes one of these and opens another, so nothing
 * of the old project (attached catalogs, settings, sessions) leaks into the new one. It also
 * tracks its calls in flight, so a switch can cancel reads and refuse while a write runs.
 */
import { readFileSync } from 'node:fs';
import { configFile } from '../project/project-dir';
import type { MethodName } from '../../src-shared/contract';
import { DuckEngine } from '../duck/engine';
import { isCatalogFree } from '../duck/catalog-free';
import { ResultStore } from '../duck/results';
import type { Session } from '../duck/session';
import { mark } from '../process/timing';
import type { EventBus } from './events';
import { appHandlers } from './handlers/app';
import { environmentHandlers } from './handlers/environments';
import { ingestHandlers } from './handlers/ingest';
import { lakeHandlers } from './handlers/lake';
import { lakeCommandHandlers } from './handlers/lake-commands';
import { lineageHandlers } from './handlers/lineage';
import { modelingHandlers } from './handlers/modeling';
import { problemsHandlers } from './handlers/problems';
import { projectCommandHandlers } from './handlers/project-commands';
import { queryHandlers, SessionPool } from './handlers/query';
import { resultsHandlers } from './handlers/results';
import type { ProjectsMethod } from './handlers/projects';
import type { Handlers } from './handlers/types';
import { workbenchHandlers } from './handlers/workbench';
import { ProjectSession } from './project-session';

/**
 * Calls that write to a project's files, lake, warehouse or state: a switch waits for none of
 * them and cuts none of them; it is refused while one runs. Every other call is cancelled.
 */
export const WRITING_METHODS: ReadonlySet<string> = new Set([
  'ingest.run',
  'ingest.drop',
  'plan.apply',
  'plan.run',
  'plan.unlock',
  'env.invalidate',
  'env.janitor',
  'lake.expire',
  'lake.cleanup',
  'query.export',
  'workbench.save',
  'project.createExternalModels',
]);

/** The contract's methods bound to one project: all but `projects.*` (a missing one fails the type check). */
export type ProjectHandlers = Handlers<Exclude<MethodName, ProjectsMethod>>;

interface InFlight {
  method: MethodName;
  abort: AbortController;
  done: Promise<unknown>;
}

export class OpenProject {
  readonly handlers: ProjectHandlers;
  /** Settles once the warehouse has opened (or failed to); queries wait for it too. */
  opening: Promise<unknown> = Promise.resolve();
  /** The warehouse waits to be opened (`deferOpen`) by `ensureOpen`. */
  deferred = false;
  /** Where statements that read no catalog run while the project is unopened. */
  private looseSession: Session | undefined;
  private readonly project: ProjectSession;
  private readonly workbench: ReturnType<typeof workbenchHandlers>;
  private readonly inFlight = new Set<InFlight>();
  private closed: Promise<void> | undefined;

  private constructor(
    readonly projectDir: string,
    private readonly engine: DuckEngine,
    private readonly results: ResultStore,
    events: EventBus,
    options: { watch: boolean; exportRoots: () => string[] },
  ) {
    const sessions = new SessionPool(engine);
    this.project = new ProjectSession(engine, projectDir, events, { watch: options.watch });
    this.workbench = workbenchHandlers(this.project, engine, results, events);
    this.handlers = {
      ...appHandlers(engine, projectDir),
      ...queryHandlers(sessions, results, (sql, open) => this.beforeQuery(sql, open)),
      ...lineageHandlers(this.project),
      ...lakeHandlers(this.project, sessions, results),
      ...ingestHandlers(this.project),
      ...modelingHandlers(this.project),
      ...environmentHandlers(this.project, sessions, results),
      ...resultsHandlers(sessions, results, { projectDir, exportRoots: options.exportRoots }),
      ...this.workbench.handlers,
      ...problemsHandlers(this.project),
      ...projectCommandHandlers(this.project, sessions, results),
      ...lakeCommandHandlers(this.project),
    };
  }

  /**
   * Opens `projectDir` on a fresh engine. A project's warehouse becomes every session's default
   * catalog (see open-warehouse.ts), so names resolve as SQLMesh users write them; only the
   * warehouse and state open here, the models load when a call needs them (a query does not).
   * `opening` rejects when the warehouse fails to open (the caller decides what that means).
   */
  static async open(
    projectDir: string,
    events: EventBus,
    options: { watch: boolean; exportRoots: () => string[]; deferOpen?: boolean },
  ): Promise<OpenProject> {
    const engine = await DuckEngine.open();
    mark('service: duckdb instance');
    const opened = new OpenProject(projectDir, engine, new ResultStore(), events, options);
    const config = configFile(projectDir);
    if (config) {
      if (options.deferOpen && !configuresEngine(config)) opened.deferred = true;
      else opened.opening = opened.project.warehouse();
    }
    return opened;
  }

  /** Starts opening a deferred warehouse and state (once); a failure leaves a working console. */
  ensureOpen(): Promise<unknown> {
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

  /** Runs one call, tracked so a switch can cancel it; `signal` is the caller's. */
  run<T>(method: MethodName, signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    if (signal.aborted) abort.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const done = work(abort.signal);
    const entry: InFlight = { method, abort, done };
    this.inFlight.add(entry);
    const forget = () => {
      this.inFlight.delete(entry);
      signal.removeEventListener('abort', onAbort);
    };
    done.then(forget, forget);
    return done;
  }

  /** Closing or closed: a call that fails now failed because of it. */
  get closing(): boolean {
    return this.closed !== undefined;
  }

  /** The writing calls running now (a switch is refused while there is one). */
  runningWrites(): MethodName[] {
    return [...this.inFlight].map((c) => c.method).filter((m) => WRITING_METHODS.has(m));
  }

  /** Cancels the calls in flight, waits for them to settle, then closes everything. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      for (const call of this.inFlight) call.abort.abort();
      await Promise.all([...this.inFlight].map((c) => c.done.catch(() => undefined)));
      await this.opening.catch(() => undefined);
      this.results.clear();
      await this.workbench.close();
      mark('service: close workbench');
      await this.project.close();
      mark('service: close project');
      await this.engine.close();
      mark('service: close engine');
    })();
    return this.closed;
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

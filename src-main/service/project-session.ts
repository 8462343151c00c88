/**
 * The project the service serves: opened lazily (loading, warehouse, state), its column
 * lineage built on first use, and both kept current as files change: a file watcher reloads
 * the project and recomputes the lineage of the models whose SQL changed (and their
 * dependents), then announces `project.changed`.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { isProjectDir } from '../project/project-dir';
import { PasException } from '../../src-shared/errors';
import type { DuckEngine } from '../duck/engine';
import { ProjectLineage } from '../lineage/project-lineage';
import type { ProjectGraph } from '../plan/graph';
import { lakeWarehouseOf } from '../plan/multi-catalog-warehouse';
import { Workspace } from '../plan/workspace';
import type { Diagnostic } from '../project/diagnostics';
import { loadProject } from '../project/project';
import type { EventBus } from './events';

/** The project's folders whose files are watched (recursively), and its watched root files. */
const WATCHED_FOLDERS = ['models', 'audits', 'tests', 'seeds', 'macros'];
const WATCHED_FILES = /^(config\.ya?ml|external_models\.ya?ml|\.env)$/;

export class ProjectSession {
  private workspacePromise: Promise<Workspace> | undefined;
  private lineagePromise: Promise<ProjectLineage> | undefined;
  private readonly watchers: FSWatcher[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reloading: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: DuckEngine,
    readonly projectDir: string,
    private readonly events: EventBus,
    private readonly options: { watch?: boolean } = {},
  ) {}

  workspace(): Promise<Workspace> {
    // An edit the watcher saw but has not reloaded yet is read now, and a reload under way is
    // waited for, so a call right after a save sees it.
    if (this.timer !== undefined && this.workspacePromise) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.reload();
    }
    const reloading = this.reloading;
    return this.warehouse().then(async (ws) => {
      await reloading.catch(() => undefined);
      return ws.loaded();
    });
  }

  /**
   * The project's warehouse and state, opened from config.yaml alone: what a query needs (the
   * warehouse as every session's default catalog). `workspace()` loads the models on top.
   */
  warehouse(): Promise<Workspace> {
    if (!isProjectDir(this.projectDir)) {
      return Promise.reject(new PasException({ code: 'not_found', what: 'project', message: `${this.projectDir} is not a project: it has no config.yaml.` }));
    }
    this.workspacePromise ??= Workspace.open({ projectDir: this.projectDir, engine: this.engine, models: 'lazy' }).then(
      (ws) => {
        this.startWatching();
        ws.state.onEnvironmentChange((change) => this.events.emit('environments.changed', change));
        return ws;
      },
      async (error: unknown) => {
        // Not kept: the next call tries again (the user fixes config.yaml and retries).
        this.workspacePromise = undefined;
        throw await openingError(this.projectDir, error);
      },
    );
    return this.workspacePromise;
  }

  lineage(): Promise<ProjectLineage> {
    this.lineagePromise ??= (async () => {
      // Not `workspace()`: a reload in flight waits for this lineage, so this must not wait for it.
      const ws = await this.warehouse().then((w) => w.loaded());
      return buildLineage(ws, await ws.graph());
    })();
    return this.lineagePromise;
  }

  /**
   * Lineage that answers every question about one model's columns (where they come from, what
   * uses them, at any depth): the model, everything downstream of it, and everything upstream of
   * those. A one-shot session (no watcher: a `pas` command) builds only that cone, a third of a
   * layered 1,000-model project; a long-lived one builds (and keeps) the whole project's.
   */
  async lineageAround(model: string): Promise<ProjectLineage> {
    if (this.lineagePromise || this.options.watch !== false) return this.lineage();
    const ws = await this.warehouse().then((w) => w.loaded());
    const graph = await ws.graph();
    const start = model.toLowerCase();
    // Not a model of the project (a source table, a typo): the whole lineage answers or says why.
    if (!graph.nodes.has(start)) return this.lineage();
    const children = new Map<string, string[]>();
    for (const node of graph.nodes.values()) for (const parent of node.parents) children.set(parent, [...(children.get(parent) ?? []), node.name]);
    const closure = (from: Iterable<string>, next: (name: string) => readonly string[]): Set<string> => {
      const seen = new Set(from);
      const stack = [...seen];
      for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
        for (const n of next(name)) {
          if (seen.has(n)) continue;
          seen.add(n);
          stack.push(n);
        }
      }
      return seen;
    };
    const cone = closure(closure([start], (n) => children.get(n) ?? []), (n) => graph.nodes.get(n)?.parents ?? []);
    if (cone.size === graph.nodes.size) return this.lineage();
    const nodes = new Map([...graph.nodes].filter(([name]) => cone.has(name)));
    return buildLineage(ws, { ...graph, nodes, order: graph.order.filter((name) => cone.has(name)) });
  }

  /** Sees commits other processes made to the project's lake (one cheap catalog query). */
  async refreshLake(): Promise<void> {
    if (!this.workspacePromise) return;
    const ws = await this.workspacePromise.catch(() => undefined);
    if (ws) await lakeWarehouseOf(ws.warehouse)?.lake.refresh();
  }

  /**
   * Watches the project's own folders and root files, not the whole folder: a recursive watch of
   * a project root that holds node_modules or a data folder walks all of it first (~0.35 s on the
   * example, on Linux). A watched folder created later is picked up from the root's events.
   */
  private startWatching(): void {
    if (this.watchers.length > 0 || this.options.watch === false) return;
    const changed = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.reload();
      }, 150);
    };
    const watching = new Set<string>();
    const watchFolder = (name: string): void => {
      const dir = path.join(this.projectDir, name);
      if (watching.has(name) || !existsSync(dir)) return;
      try {
        const watcher = watch(dir, { recursive: true }, changed);
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
        watching.add(name);
      } catch {
        // No recursive watching on this platform: changes are seen on the next start.
      }
    };
    try {
      const root = watch(this.projectDir, (_event, file) => {
        const name = String(file ?? '');
        if (WATCHED_FOLDERS.includes(name)) {
          watchFolder(name);
          changed();
        } else if (WATCHED_FILES.test(name)) changed();
      });
      root.on('error', () => undefined);
      this.watchers.push(root);
    } catch {
      return;
    }
    for (const name of WATCHED_FOLDERS) watchFolder(name);
  }


  /** Reloads the project and refreshes lineage incrementally. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      if (!this.workspacePromise) return;
      const ws = await this.workspacePromise;
      await ws.reload();
      let recomputed: string[] = [];
      if (this.lineagePromise) {
        const lineage = await this.lineagePromise;
        recomputed = (await lineage.refresh(await ws.graph(), ws.parser)).recomputed;
      }
      const problems = await ws.problems();
      this.events.emit('project.changed', { recomputed, errors: problems.filter((d) => d.severity === 'error').length });
    });
    return this.reloading.catch(() => undefined);
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    for (const watcher of this.watchers.splice(0)) watcher.close();
    await this.reloading.catch(() => undefined);
    if (this.workspacePromise) await (await this.workspacePromise.catch(() => undefined))?.close();
  }
}

/**
 * Why the warehouse could not be opened: the configuration's own errors at their places when it
 * has any (a connection type typo, a missing extension), else the error itself.
 */
async function openingError(projectDir: string, error: unknown): Promise<unknown> {
  return (await configErrors(projectDir)) ?? error;
}

/**
 * The errors of a project's configuration (config.yaml and what it reads) as one validation
 * error naming the first at its file, line and column; undefined when it has none.
 */
export async function configErrors(projectDir: string): Promise<PasException | undefined> {
  const { diagnostics } = await loadProject(projectDir, { configOnly: true }).catch(() => ({ diagnostics: [] as Diagnostic[] }));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return undefined;
  const issues = errors.map((d) => ({ path: `${d.file}:${d.line}:${d.column}`, message: d.message }));
  const first = issues[0] as { path: string; message: string };
  return new PasException({
    code: 'validation',
    message: `The project cannot be opened: ${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more error(s) in its configuration)` : ''}`,
    issues,
  });
}

/** The lineage of the models of `graph` (all of the project's, or an upward-closed part of them). */
function buildLineage(ws: Workspace, graph: ProjectGraph): Promise<ProjectLineage> {
  return ProjectLineage.build(graph, ws.parser, async (name) => {
    const parts = name.split('.');
    const table = parts.pop() ?? name;
    const schema = parts.pop() ?? 'main';
    return (await ws.warehouse.columns({ schema, table })).map((c) => c.name);
  }, { variables: ws.project.variables });
}

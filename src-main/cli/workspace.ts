/**
 * Opening a project in the CLI process for the commands not yet served by the contract
 * (table-diff, janitor, invalidate): engine + workspace, diagnostics printed, always closed.
 */
import type { Writable } from 'node:stream';
import { DuckEngine } from '../duck/engine';
import type { Diagnostic } from '../project/diagnostics';
import { loadProject } from '../project/project';
import { normalizeEnvironment } from '../plan/naming';
import { Workspace } from '../plan/workspace';
import { CliError } from './args';
import { formatDiagnostic } from './common';
import { connectRunningEngine, requireProjectDir } from './connect';
import { readDiscovery } from '../server/discovery';

export { formatDiagnostic };

export async function withWorkspace<T>(projectDir: string | undefined, stderr: Writable, fn: (workspace: Workspace) => Promise<T>): Promise<T> {
  const dir = requireProjectDir(projectDir);
  const running = await connectRunningEngine(dir);
  if (running) {
    await running.close();
    throw new CliError(`This command does not go through the engine that has ${dir} open yet (pid ${readDiscovery(dir)?.pid ?? '?'}): close the app or \`pas serve\`, then run it again.`, 1);
  }
  const engine = await DuckEngine.open();
  try {
    const workspace = await Workspace.open({ projectDir: dir, engine }).catch(async (error: unknown) => {
      // The warehouse could not be opened: the project's own errors often say why.
      const { diagnostics } = await loadProject(dir).catch(() => ({ diagnostics: [] as Diagnostic[] }));
      for (const d of diagnostics.filter((x) => x.severity === 'error')) stderr.write(`${formatDiagnostic(d)}\n`);
      throw error;
    });
    try {
      for (const d of workspace.diagnostics) if (d.severity === 'warning') stderr.write(`${formatDiagnostic(d)}\n`);
      return await fn(workspace);
    } finally {
      await workspace.close();
    }
  } finally {
    await engine.close();
  }
}

/** The environment named `name` as state knows it; an unknown one is an error listing the known ones. */
export async function knownEnvironment(ws: Workspace, name: string): Promise<string> {
  const wanted = normalizeEnvironment(name);
  const environments = (await ws.state.listEnvironments()).map((e) => e.name);
  if (environments.includes(wanted)) return wanted;
  throw new CliError(`No environment named \`${wanted}\` (environments: ${environments.length ? environments.join(', ') : 'none yet: run `pas plan`'}).`, 1);
}

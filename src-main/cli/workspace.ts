/** Opening a project for a CLI command: engine + workspace, diagnostics printed, always closed. */
import path from 'node:path';
import type { Writable } from 'node:stream';
import { DuckEngine } from '../duck/engine';
import type { Diagnostic } from '../project/diagnostics';
import { loadProject } from '../project/project';
import { Workspace } from '../plan/workspace';

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

export async function withWorkspace<T>(projectDir: string | undefined, stderr: Writable, fn: (workspace: Workspace) => Promise<T>): Promise<T> {
  const engine = await DuckEngine.open();
  try {
    const dir = path.resolve(projectDir ?? process.cwd());
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

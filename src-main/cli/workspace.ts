/** Opening a project for a CLI command: engine + workspace, diagnostics printed, always closed. */
import path from 'node:path';
import type { Writable } from 'node:stream';
import { DuckEngine } from '../duck/engine';
import type { Diagnostic } from '../project/diagnostics';
import { Workspace } from '../plan/workspace';

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

export async function withWorkspace<T>(projectDir: string | undefined, stderr: Writable, fn: (workspace: Workspace) => Promise<T>): Promise<T> {
  const engine = await DuckEngine.open();
  try {
    const workspace = await Workspace.open({ projectDir: path.resolve(projectDir ?? process.cwd()), engine });
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

/**
 * The engine discovery file, `.pas/engine.json` in a project: where the engine that has the
 * project open listens (loopback address, port, per-run token), its pid, project folder and
 * version. Written with mode 0600 by the process that serves the project (`pas serve`, the
 * Electron app), removed when it closes; `pas` commands read it to go through that engine
 * instead of opening the project's files a second time.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { processAlive } from '../process/alive';

export { processAlive };

export const engineDiscovery = z.object({
  address: z.literal('127.0.0.1'),
  port: z.number().int().min(1).max(65535),
  token: z.string().min(16),
  pid: z.number().int().positive(),
  projectDir: z.string().min(1),
  version: z.string(),
});

export type EngineDiscovery = z.infer<typeof engineDiscovery>;

export function discoveryPath(projectDir: string): string {
  return path.join(projectDir, '.pas', 'engine.json');
}

/** Writes the file atomically, readable by the user only (created 0600, then renamed into place). */
export function writeDiscovery(info: EngineDiscovery): string {
  const file = discoveryPath(info.projectDir);
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  return file;
}

/** The discovery file's content, or undefined when there is none or it is not one. */
export function readDiscovery(projectDir: string): EngineDiscovery | undefined {
  let text: string;
  try {
    text = readFileSync(discoveryPath(projectDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = engineDiscovery.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the file; with `token`, only when the file is still that engine's (not a newer one's). */
export function removeDiscovery(projectDir: string, token?: string): void {
  if (token !== undefined && readDiscovery(projectDir)?.token !== token) return;
  try {
    unlinkSync(discoveryPath(projectDir));
  } catch {
    // Already gone.
  }
}


/**
 * Publishing a running engine to the project's other doors: a loopback WebSocket endpoint that
 * speaks the contract (the web server's `/ws`, without static files), announced in the
 * project's `.pas/engine.json` (see discovery.ts) while the project is open, so `pas` commands
 * run from a terminal go through this engine instead of failing on DuckDB's file lock.
 * Plain Node: the Electron main process calls `startEngineEndpoint(service)` once.
 */
import packageJson from '../../package.json' with { type: 'json' };
import type { PasService } from '../service/service';
import { isProjectDir } from '../project/project-dir';
import { removeDiscovery, writeDiscovery } from './discovery';
import { HOST, startWebServer } from './web-server';

export interface EngineEndpoint {
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * Writes the discovery file for an engine listening at `port` with `token`, when `projectDir`
 * is a project; returns what removes it again (also done, synchronously, when the process exits).
 */
export function publishEngine(projectDir: string, port: number, token: string): () => void {
  if (!isProjectDir(projectDir)) return () => undefined;
  writeDiscovery({ address: HOST, port, token, pid: process.pid, projectDir, version: packageJson.version });
  const remove = () => removeDiscovery(projectDir, token);
  process.once('exit', remove);
  return () => {
    process.off('exit', remove);
    remove();
  };
}

/**
 * Publishes the engine for the service's project, and follows it when a client opens another
 * project: the old project's file is removed, the new one's written. Returns what unpublishes.
 */
export function publishServedProject(service: PasService, port: number, token: string): () => void {
  let unpublish = publishEngine(service.projectDir, port, token);
  const off = service.events.on('project.opened', ({ dir }) => {
    unpublish();
    unpublish = publishEngine(dir, port, token);
  });
  return () => {
    off();
    unpublish();
  };
}

/** Starts the contract endpoint on 127.0.0.1 (a free port) and publishes it for the service's project. */
export async function startEngineEndpoint(service: PasService): Promise<EngineEndpoint> {
  const server = await startWebServer({ service });
  const unpublish = publishServedProject(service, server.port, server.token);
  return {
    port: server.port,
    token: server.token,
    async close() {
      unpublish();
      await server.close();
    },
  };
}

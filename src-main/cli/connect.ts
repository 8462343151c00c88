/**
 * Which project a command works on, and through which engine. The project is the folder given
 * with `-p DIR`, else the nearest folder holding config.yaml/config.yml from the working
 * directory up (as git finds its repository). When an engine already has that project open
 * (`.pas/engine.json`, see server/discovery.ts) the command goes through it; a stale file (its
 * process gone, or its endpoint refusing) is removed and the command runs in-process.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { PasService } from '../service/service';
import { isProjectDir, projectDirAbove } from '../project/project-dir';
import { processAlive, readDiscovery, removeDiscovery } from '../server/discovery';
import { CliError } from './args';
import { InProcessClient, RemoteClient, type EngineClient } from './client';

/** The project folder for `-p DIR` or the working directory; undefined when there is none. */
export function findProjectDir(option: string | undefined, cwd = process.cwd()): string | undefined {
  if (option !== undefined) {
    const dir = path.resolve(cwd, option);
    return isProjectDir(dir) ? dir : undefined;
  }
  return projectDirAbove(cwd);
}

/** The project folder, or a clear error (exit 1) when there is none. */
export function requireProjectDir(option: string | undefined, cwd = process.cwd()): string {
  const dir = findProjectDir(option, cwd);
  if (dir) return dir;
  const where = path.resolve(cwd, option ?? '.');
  throw new CliError(
    option !== undefined
      ? `${where} is not a project: it has no config.yaml.`
      : `Not inside a project: no config.yaml in ${where} or any folder above it (give one with -p DIR).`,
    1,
  );
}

/** Whether two paths name one folder (an engine that switched projects writes the real path). */
function sameFolder(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync.native(p);
    } catch {
      return path.resolve(p);
    }
  };
  return path.resolve(a) === path.resolve(b) || real(a) === real(b);
}

/** Connects to the engine that has `projectDir` open, if any; removes a stale discovery file. */
export async function connectRunningEngine(projectDir: string): Promise<RemoteClient | undefined> {
  const found = readDiscovery(projectDir);
  if (!found) {
    // An unreadable or foreign file is stale too.
    removeDiscovery(projectDir);
    return undefined;
  }
  if (processAlive(found.pid) && sameFolder(found.projectDir, projectDir)) {
    try {
      return await RemoteClient.connect(`ws://${found.address}:${found.port}/ws?token=${encodeURIComponent(found.token)}`);
    } catch (error) {
      // Refused: stale. No answer from a live process: it is busy or stuck, and still holds the project.
      if (!(error as { refused?: boolean }).refused) {
        throw new CliError(`The engine that has ${projectDir} open (pid ${found.pid}) does not answer: ${(error as Error).message}. Try again, or close it.`, 1);
      }
    }
  }
  removeDiscovery(projectDir, found.token);
  return undefined;
}

export interface OpenOptions {
  /** `-p DIR` as given. */
  project: string | undefined;
  /** The command needs a project (most do; `fetchdf` also runs in a plain folder). */
  needsProject?: boolean;
  /** Run in this process even when an engine has the project open (`pas serve` itself). */
  inProcess?: boolean;
}

export async function openClient(options: OpenOptions): Promise<EngineClient> {
  const projectDir = options.needsProject === false ? findProjectDir(options.project) : requireProjectDir(options.project);
  if (projectDir && !options.inProcess) {
    const remote = await connectRunningEngine(projectDir);
    if (remote) return remote;
  }
  // One command, then exit: no file watcher (it would walk the whole project for nothing), and
  // the project opens at the first call that needs it (`pas fetchdf "select 1"` never does).
  return new InProcessClient(await PasService.create({ projectDir: projectDir ?? path.resolve(options.project ?? '.'), watch: false, deferOpen: true }));
}

/** Opens a client for the command, runs it, and always closes the client. */
export async function withClient<T>(options: OpenOptions, fn: (client: EngineClient) => Promise<T>): Promise<T> {
  const client = await openClient(options);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * What makes a folder a project: a `config.yaml` (or `config.yml`) in it. One place for the
 * check and for finding the project a path lies in, as git finds its repository.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The project's config file (config.yaml before config.yml), or undefined in a folder that is not a project. */
export function configFile(dir: string): string | undefined {
  for (const name of ['config.yaml', 'config.yml']) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** True when the folder is a project (holds config.yaml or config.yml). */
export function isProjectDir(dir: string): boolean {
  return configFile(dir) !== undefined;
}

/** The nearest project folder at or above `start`, or undefined. */
export function projectDirAbove(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (isProjectDir(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

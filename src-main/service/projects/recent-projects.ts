/**
 * The per-user list of recently opened projects, `recent-projects.json` in the user's pas
 * folder: `$PAS_HOME` when set (tests point it at a temporary folder), else `%APPDATA%\pas` on
 * Windows, else `$XDG_CONFIG_HOME/pas` or `~/.config/pas`. Newest first, at most 20; written
 * atomically. A missing or unreadable file is an empty list, never an error.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export const MAX_RECENT_PROJECTS = 20;

const recentFile = z.object({
  projects: z.array(z.object({ dir: z.string().min(1), lastOpened: z.string() })),
});

export interface RecentEntry {
  dir: string;
  lastOpened: string;
}

/** The user's pas folder (settings, recent projects). */
export function userConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PAS_HOME) return path.resolve(env.PAS_HOME);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(homedir(), 'AppData', 'Roaming'), 'pas');
  return path.join(env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'pas');
}

export class RecentProjects {
  constructor(readonly file: string = path.join(userConfigDir(), 'recent-projects.json')) {}

  list(): RecentEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = recentFile.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data.projects.slice(0, MAX_RECENT_PROJECTS) : [];
    } catch {
      return [];
    }
  }

  /** Puts `dir` first, opened now. */
  remember(dir: string, now = new Date()): void {
    this.write([{ dir, lastOpened: now.toISOString() }, ...this.list().filter((e) => e.dir !== dir)]);
  }

  /** Removes `dir`; true when it was listed. */
  forget(dir: string): boolean {
    const list = this.list();
    const rest = list.filter((e) => e.dir !== dir);
    if (rest.length === list.length) return false;
    this.write(rest);
    return true;
  }

  private write(projects: RecentEntry[]): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ projects: projects.slice(0, MAX_RECENT_PROJECTS) }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT_PROJECTS, RecentProjects, userConfigDir } from './recent-projects';

function fresh(): RecentProjects {
  return new RecentProjects(path.join(mkdtempSync(path.join(tmpdir(), 'pas-recent-')), 'pas', 'recent-projects.json'));
}

describe('the recent-projects list', () => {
  it('puts the last opened project first, once, with when it was opened, in a file only the user reads', () => {
    const recent = fresh();
    expect(recent.list()).toEqual([]);
    recent.remember('/p/a', new Date('2026-01-01T00:00:00Z'));
    recent.remember('/p/b', new Date('2026-01-02T00:00:00Z'));
    recent.remember('/p/a', new Date('2026-01-03T00:00:00Z'));
    expect(recent.list()).toEqual([
      { dir: '/p/a', lastOpened: '2026-01-03T00:00:00.000Z' },
      { dir: '/p/b', lastOpened: '2026-01-02T00:00:00.000Z' },
    ]);
    expect(new RecentProjects(recent.file).list()).toHaveLength(2);
    if (process.platform !== 'win32') expect(statSync(recent.file).mode & 0o777).toBe(0o600);
  });

  it(`keeps the newest ${MAX_RECENT_PROJECTS} and forgets on request`, () => {
    const recent = fresh();
    for (let i = 0; i < MAX_RECENT_PROJECTS + 5; i++) recent.remember(`/p/${i}`);
    expect(recent.list()).toHaveLength(MAX_RECENT_PROJECTS);
    expect(recent.list()[0]?.dir).toBe(`/p/${MAX_RECENT_PROJECTS + 4}`);
    expect(recent.forget(`/p/${MAX_RECENT_PROJECTS + 4}`)).toBe(true);
    expect(recent.forget('/p/never')).toBe(false);
    expect(recent.list()[0]?.dir).toBe(`/p/${MAX_RECENT_PROJECTS + 3}`);
  });

  it('reads a damaged file as an empty list and writes a good one over it', () => {
    const recent = fresh();
    recent.remember('/p/a');
    writeFileSync(recent.file, '{"projects": [ oops');
    expect(recent.list()).toEqual([]);
    recent.remember('/p/b');
    expect(JSON.parse(readFileSync(recent.file, 'utf8'))).toMatchObject({ projects: [{ dir: '/p/b' }] });
  });

  it('lives in $PAS_HOME when set, else the XDG config folder or ~/.config/pas, or %APPDATA%\\pas on Windows', () => {
    expect(userConfigDir({ PAS_HOME: '/tmp/h' }, 'linux')).toBe(path.resolve('/tmp/h'));
    expect(userConfigDir({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe(path.join('/x', 'pas'));
    expect(userConfigDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toBe(path.join('C:\\Users\\u\\AppData\\Roaming', 'pas'));
    expect(userConfigDir({}, 'linux')).toMatch(/\.config[/\\]pas$/);
  });
});

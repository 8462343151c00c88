import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads } from '../../src-shared/contract';
import { discoveryPath, readDiscovery, writeDiscovery } from '../server/discovery';
import { publishServedProject } from '../server/engine-endpoint';
import type { OpenProject } from './open-project';
import { PasService } from './service';

const repo = path.resolve(import.meta.dirname, '../..');
let parent: string;
let outside: string;
let first: string;
let second: string;
let broken: string;
let service: PasService;

/** A copy of the repository's example project in `dir`. */
function copyExample(dir: string): string {
  for (const entry of ['config.yaml', 'external_models.yaml', 'models', 'tests', 'audits', 'seeds']) {
    const from = path.join(repo, entry);
    if (existsSync(from)) cpSync(from, path.join(dir, entry), { recursive: true });
  }
  return dir;
}

async function scalar(sql: string): Promise<unknown> {
  const handle = await service.invoke('query.run', { sql });
  return (await service.invoke('query.page', { resultId: handle.resultId, offset: 0, limit: 1 })).columns[0]?.[0];
}

async function modelNames(): Promise<string[]> {
  return (await service.invoke('workbench.tree', {})).models.map((m) => m.name);
}

beforeAll(async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'pas-switch-'));
  parent = path.join(base, 'projects');
  outside = path.join(base, 'elsewhere');
  mkdirSync(outside, { recursive: true });
  first = copyExample(path.join(parent, 'first'));
  // The second project keeps its warehouse in a DuckDB file, so a query tells which one answers.
  second = copyExample(path.join(parent, 'second'));
  writeFileSync(path.join(second, 'config.yaml'), 'gateways:\n  local:\n    connection:\n      type: duckdb\n      database: data/second.duckdb\ndefault_gateway: local\nmodel_defaults:\n  dialect: duckdb\n  start: 2024-01-01\n');
  writeFileSync(path.join(second, 'models', 'only_in_second.sql'), 'MODEL (name marts.only_in_second, kind FULL);\nSELECT 1 AS one');
  broken = copyExample(path.join(parent, 'broken'));
  writeFileSync(path.join(broken, 'config.yaml'), 'gateways:\n  local:\n    connection:\n      type: duckdb\n      databse: x.duckdb\ndefault_gateway: local\nmodel_defaults:\n  dialect: duckdb\n');
  copyExample(path.join(outside, 'secret'));
  process.env.PAS_HOME = path.join(base, 'home');
  service = await PasService.create({ projectDir: first, projects: { allow: [parent] } });
});

afterAll(async () => {
  await service.close();
});

describe('opening another project in a running service', () => {
  it('answers queries and the explorer from the new project, moves the discovery file and announces the switch', async () => {
    const unpublish = publishServedProject(service, 4242, 'a-token-of-sixteen-chars');
    const events: EventPayloads['project.opened'][] = [];
    const off = service.events.on('project.opened', (e) => events.push(e));
    try {
      expect(await scalar('select current_database()')).toBe('lake');
      expect(await modelNames()).not.toContain('marts.only_in_second');
      expect(readDiscovery(first)?.token).toBe('a-token-of-sixteen-chars');

      const opened = await service.invoke('projects.open', { dir: second });
      expect(opened).toMatchObject({ switched: true, project: { dir: second, name: 'second', isProject: true } });
      expect(service.projectDir).toBe(second);
      expect(events).toEqual([{ dir: second, name: 'second', previousDir: first }]);

      expect(await scalar('select current_database()')).toBe('second');
      expect(await modelNames()).toContain('marts.only_in_second');
      expect(existsSync(discoveryPath(first))).toBe(false);
      expect(readDiscovery(second)).toMatchObject({ token: 'a-token-of-sixteen-chars', port: 4242, projectDir: second });

      // The recent list has both, newest first.
      const recent = await service.invoke('projects.recent', {});
      expect(recent.projects.map((p) => p.dir)).toEqual([second, first]);

      // Back again: the first project's lake answers.
      await service.invoke('projects.open', { dir: first });
      expect(await scalar('select current_database()')).toBe('lake');
      expect(await modelNames()).not.toContain('marts.only_in_second');
      expect(readDiscovery(first)?.port).toBe(4242);
      expect(existsSync(discoveryPath(second))).toBe(false);
      // Opening the served project again changes nothing.
      expect(await service.invoke('projects.open', { dir: first })).toMatchObject({ switched: false });
    } finally {
      off();
      unpublish();
    }
  });

  it('refuses a project whose config.yaml has errors, naming its line and column, and keeps serving the old one', async () => {
    const refused = await service.call('projects.open', { dir: broken });
    expect(refused).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(refused.ok ? '' : refused.error.message).toMatch(/config\.yaml:5:\d+: .*databse.*'database'\? Nothing was switched/);
    expect(service.projectDir).toBe(first);
    expect(await scalar('select current_database()')).toBe('lake');
    expect(await modelNames()).toContain('staging.stg_collisions');
  });

  it('opens the old project again when the new one fails to open after its checks, and says both', async () => {
    const unreachable = copyExample(path.join(parent, 'unreachable'));
    writeFileSync(path.join(unreachable, 'config.yaml'), 'gateways:\n  local:\n    connection:\n      type: duckdb\n      database: /dev/null/nowhere/x.duckdb\ndefault_gateway: local\nmodel_defaults:\n  dialect: duckdb\n');
    try {
      const refused = await service.call('projects.open', { dir: unreachable });
      expect(refused.ok ? '' : refused.error.message).toMatch(new RegExp(`^Could not open ${unreachable}: .* The engine is back on ${first}\\.$`));
      expect(service.projectDir).toBe(first);
      expect(await scalar('select current_database()')).toBe('lake');
      expect(await modelNames()).toContain('staging.stg_collisions');
    } finally {
      rmSync(unreachable, { recursive: true });
    }
  });

  it('refuses a project another live engine has open, naming it', async () => {
    writeDiscovery({ address: '127.0.0.1', port: 5555, token: 'another-engine-token', pid: process.pid, projectDir: second, version: 'x' });
    try {
      const refused = await service.call('projects.open', { dir: second });
      expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining(`pid ${process.pid}, 127.0.0.1:5555`) } });
      expect(service.projectDir).toBe(first);
    } finally {
      rmSync(discoveryPath(second));
    }
  });

  it('cancels a read in flight on the old project, saying why', async () => {
    const running = service.call('query.run', { sql: 'select count(*) from range(1000000000000) a' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await service.invoke('projects.open', { dir: second });
    try {
      expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled', message: `The call was cancelled: the engine closed ${first} to open another project.` } });
      expect(await scalar('select current_database()')).toBe('second');
    } finally {
      await service.invoke('projects.open', { dir: first });
    }
  });

  it('refuses to switch while a write runs, and says so', async () => {
    const project = Reflect.get(service, 'current') as OpenProject;
    let finish!: () => void;
    const write = project.run('plan.apply', new AbortController().signal, () => new Promise<void>((resolve) => (finish = resolve)));
    try {
      const refused = await service.call('projects.open', { dir: second });
      expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('plan.apply is running') } });
      expect(service.projectDir).toBe(first);
    } finally {
      finish();
      await write;
    }
  });

  it('opens and browses only inside the allowed folders: no .., no symbolic link out, no folder elsewhere', async () => {
    const top = await service.invoke('projects.browse', {});
    // The first project's folder is allowed too, but inside the other root it adds nothing.
    expect(top.entries.map((e) => e.dir)).toEqual([parent]);
    const listing = await service.invoke('projects.browse', { dir: parent });
    expect(listing.entries.map((e) => [e.name, e.isProject])).toEqual([
      ['broken', true],
      ['first', true],
      ['second', true],
    ]);
    symlinkSync(path.join(outside, 'secret'), path.join(parent, 'link-out'));
    expect((await service.invoke('projects.browse', { dir: parent })).entries.map((e) => e.name)).not.toContain('link-out');
    for (const dir of [outside, path.join(outside, 'secret'), path.join(parent, '..', 'elsewhere', 'secret'), path.join(parent, 'link-out'), '/']) {
      expect(await service.call('projects.browse', { dir })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      expect(await service.call('projects.open', { dir })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    expect(await service.call('projects.open', { dir: 'relative/path' })).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(service.projectDir).toBe(first);
    // No native dialog in this door.
    expect(await service.invoke('projects.current', {})).toMatchObject({ dir: first, canPickFolder: false, canSwitch: true, allowedRoots: [parent] });
    expect(await service.call('projects.pickFolder', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('lists a recent project that is gone, or outside the allowed folders, as not openable, and forgets it on request', async () => {
    const file = path.join(process.env.PAS_HOME ?? '', 'recent-projects.json');
    const gone = path.join(parent, 'gone');
    const list = JSON.parse(readFileSync(file, 'utf8')) as { projects: { dir: string; lastOpened: string }[] };
    list.projects.push({ dir: gone, lastOpened: new Date(0).toISOString() }, { dir: path.join(outside, 'secret'), lastOpened: new Date(0).toISOString() });
    writeFileSync(file, JSON.stringify(list));
    const { projects } = await service.invoke('projects.recent', {});
    expect(projects.find((p) => p.dir === gone)).toMatchObject({ exists: false, disabledReason: expect.stringContaining('no longer exists') });
    expect(projects.find((p) => p.dir === path.join(outside, 'secret'))).toMatchObject({ exists: true, disabledReason: expect.stringContaining('--allow') });
    expect(projects.find((p) => p.dir === first)?.disabledReason).toBeUndefined();
    expect(await service.invoke('projects.forget', { dir: gone })).toEqual({ forgotten: true });
    expect((await service.invoke('projects.recent', {})).projects.map((p) => p.dir)).not.toContain(gone);
  });
});

describe('a service started without a way to open other projects (a one-shot command)', () => {
  it('refuses projects.open and says why', async () => {
    const single = await PasService.create({ projectDir: second, watch: false });
    try {
      expect(await single.invoke('projects.current', {})).toMatchObject({ canSwitch: false, canPickFolder: false });
      expect(await single.call('projects.open', { dir: first })).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringContaining('one project') } });
    } finally {
      await single.close();
    }
  });
});

import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main';
import { DuckEngine } from '../duck/engine';
import { createTestProject, DAILY } from './test-project';
import { Workspace } from './workspace';

const bin = path.resolve(import.meta.dirname, '../../bin/pas.mjs');
const EXECUTION = ['--execution-time', '2024-03-01T00:00:00Z'];

/** One batch per day over two months, each a little slow, so an apply is long enough to be killed in. */
const SLOW_DAILY = DAILY.replace('batch_size 2', 'batch_size 1').replace(
  'WHERE ts BETWEEN @start_ts AND @end_ts',
  'WHERE ts BETWEEN @start_ts AND @end_ts AND (SELECT count(*) FROM range(3000000)) > 0',
);

function pas(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('a plan lock left by a killed apply', () => {
  it('is taken over by the next plan, which says so and finishes with the right rows', async () => {
    const root = await createTestProject({ 'models/marts/daily.sql': SLOW_DAILY });
    // Kill the first apply once its first backfill batch is done.
    const child = spawn(process.execPath, [bin, 'plan', 'dev', '--auto-apply', '--skip-tests', '-p', root, ...EXECUTION], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const killed = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += String(chunk);
        if (/\[1\/\d+\] marts\.daily/.test(out) && child.kill('SIGKILL')) resolve(true);
      });
      child.on('exit', () => resolve(false));
    });
    expect(killed, out).toBe(true);
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    expect(out).not.toMatch(/Plan applied/);

    const next = pas(['plan', 'dev', '--auto-apply', '--skip-tests', '-p', root, ...EXECUTION]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(new RegExp(`Took over the plan lock of environment "dev" left by plan [0-9a-f-]+ \\(.*\\): its process \\(${child.pid}\\) on this machine is gone`));
    expect(next.stdout).toMatch(/Plan applied/);

    const rows = pas(['fetchdf', 'SELECT count(*) AS days, sum(n) AS events FROM marts__dev.daily', '--json', '-p', root]);
    expect(rows.code, rows.stderr).toBe(0);
    expect(JSON.parse(rows.stdout)).toEqual([{ days: 5, events: 40 }]);
  });
});

describe('pas plan --unlock', () => {
  it('removes a lock whatever holds it and says what that risks', async () => {
    const root = await createTestProject();
    const engine = await DuckEngine.open();
    const ws = await Workspace.open({ projectDir: root, engine });
    await ws.state.acquirePlanLock('dev', 'plan-far', { owner: 'carol@far', host: 'another-machine', pid: 4242 });
    await ws.close();
    await engine.close();
    const run = async () => {
      const out: string[] = [];
      const code = await main(['plan', '--unlock', 'dev', '-p', root], {
        stdout: new Writable({ write: (c: Buffer | string, _e, done) => (out.push(String(c)), done()) }),
        stderr: new Writable({ write: (_c, _e, done) => done() }),
        signal: new AbortController().signal,
      });
      return { code, out: out.join('') };
    };
    const first = await run();
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Removed the plan lock of environment "dev" held by plan plan-far \(carol@far on another-machine, process 4242\)/);
    expect(first.out).toMatch(/If that apply is still running, it and the next plan may now write the same tables/);
    expect((await run()).out).toBe('Environment "dev" has no plan lock.\n');
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../src-shared/protocol';
import { createTestProject } from '../plan/test-project';
import { discoveryPath, readDiscovery } from '../server/discovery';

const bin = path.resolve(import.meta.dirname, '../../bin/pas.mjs');
const EXECUTION = ['--execution-time', '2024-01-05T12:00:00Z'];

function pas(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let root: string;
let serve: ChildProcess;
let rendererDir: string;

beforeAll(async () => {
  root = await createTestProject();
  rendererDir = mkdtempSync(path.join(tmpdir(), 'pas-renderer-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>pas</title>');
  serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '-p', root], { env: { ...process.env, PAS_RENDERER_DIR: rendererDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    serve.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Open http')) resolve();
    });
    serve.on('exit', (code) => reject(new Error(`pas serve exited with ${code}`)));
  });
}, 120_000);

afterAll(() => {
  if (serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
});

describe('one engine per project', () => {
  it('pas serve announces itself in .pas/engine.json, readable by the user only', () => {
    const found = readDiscovery(root);
    expect(found).toMatchObject({ address: '127.0.0.1', pid: serve.pid, projectDir: root });
    expect(statSync(discoveryPath(root)).mode & 0o777).toBe(0o600);
  });

  it('refuses a second pas serve on the same project, naming the engine that has it', async () => {
    const second = await pas(['serve', '--port', '0', '-p', root], { PAS_RENDERER_DIR: rendererDir });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is already open in another engine (pid ${serve.pid})`);
  }, 60_000);

  it('runs plan and fetchdf through the running engine: no lock error, and its subscribers see the plan', async () => {
    const found = readDiscovery(root);
    if (!found) throw new Error('no discovery file');
    const subscriber = new WebSocket(`ws://127.0.0.1:${found.port}/ws?token=${found.token}`);
    await new Promise((resolve, reject) => {
      subscriber.on('open', resolve);
      subscriber.on('error', reject);
    });
    const events: ServerMessage[] = [];
    subscriber.on('message', (data) => events.push(JSON.parse(String(data)) as ServerMessage));
    subscriber.send(JSON.stringify({ type: 'subscribe', topic: 'plan.progress' }));

    const plan = await pas(['plan', 'dev', '--auto-apply', '--json', '-p', root, ...EXECUTION]);
    expect(plan.stderr).not.toMatch(/lock/i);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ environment: 'dev', applied: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stages = events.flatMap((m) => (m.type === 'event' && m.topic === 'plan.progress' ? [m.payload.stage] : []));
    expect(stages).toContain('backfill');
    expect(stages).toContain('promote');
    subscriber.close();

    // From a subfolder of the project, without -p.
    const fetched = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'fetchdf', 'select count(*) as n from marts__dev.daily', '--json'], { cwd: path.join(root, 'models'), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(JSON.parse(fetched.stdout)).toEqual([{ n: 4 }]);
  }, 120_000);

  it('janitor, invalidate and table-diff go through the engine too instead of failing on the lock', async () => {
    const janitor = await pas(['janitor', '-p', root]);
    expect(janitor.code, janitor.stderr).toBe(0);
    expect(janitor.stdout).toMatch(/^Dropped \d+ environment/);
    expect(janitor.stderr).not.toMatch(/lock/i);
    const invalidate = await pas(['invalidate', 'nope', '-p', root]);
    expect(invalidate.code).toBe(1);
    expect(invalidate.stderr).toContain('No environment named "nope"');
    expect(invalidate.stderr).not.toMatch(/lock/i);
  }, 60_000);

  it('Ctrl+C on a command that runs through the engine cancels its query there', async () => {
    const found = readDiscovery(root);
    if (!found) throw new Error('no discovery file');
    const subscriber = new WebSocket(`ws://127.0.0.1:${found.port}/ws?token=${found.token}`);
    await new Promise((resolve, reject) => {
      subscriber.on('open', resolve);
      subscriber.on('error', reject);
    });
    const started = new Promise<void>((resolve) =>
      subscriber.on('message', (data) => {
        const m = JSON.parse(String(data)) as ServerMessage;
        if (m.type === 'event' && m.topic === 'progress' && m.payload.method === 'query.run' && m.payload.stage === 'started') resolve();
      }),
    );
    subscriber.send(JSON.stringify({ type: 'subscribe', topic: 'progress' }));
    const child = spawn(process.execPath, [bin, 'fetchdf', 'select count(*) from range(1000000000000) a', '-p', root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await started;
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('cancelled');
    subscriber.close();
    const after = await pas(['fetchdf', 'select 1 as one', '--json', '-p', root]);
    expect(JSON.parse(after.stdout)).toEqual([{ one: 1 }]);
  }, 120_000);

  it('after the engine dies, the next command removes the stale file and runs in-process', async () => {
    serve.kill('SIGKILL');
    await new Promise((resolve) => serve.once('exit', resolve));
    expect(existsSync(discoveryPath(root))).toBe(true);
    const fetched = await pas(['fetchdf', 'select count(*) as n from marts__dev.daily', '--json', '-p', root]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(JSON.parse(fetched.stdout)).toEqual([{ n: 4 }]);
    expect(existsSync(discoveryPath(root))).toBe(false);
  }, 120_000);

  it('treats a discovery file whose endpoint refuses as stale', async () => {
    writeFileSync(discoveryPath(root), JSON.stringify({ address: '127.0.0.1', port: 1, token: 'x'.repeat(32), pid: process.pid, projectDir: root, version: '0' }));
    const info = await pas(['info', '--json', '-p', root]);
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout).models).toBe(3);
    expect(existsSync(discoveryPath(root))).toBe(false);
    expect(readFileSync(path.join(root, 'config.yaml'), 'utf8')).toContain('gateways');
  }, 120_000);
});

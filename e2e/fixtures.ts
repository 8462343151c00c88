/**
 * Shared e2e fixtures: a real `pas serve` process on a free port (the same command users run)
 * and a page opened at its tokenised URL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { chromiumMissing } from '../playwright.config';

const root = path.resolve(import.meta.dirname, '..');

export interface ServedApp {
  url: string;
  process: ChildProcess;
}

/**
 * Starts `pas serve` on `projectDir` with extra `args` (e.g. `--allow DIR`). Its recent-projects
 * list lives in a temporary `PAS_HOME` unless `env` names one, never in the user's own.
 */
export async function startServe(projectDir = root, options: { args?: string[]; env?: Record<string, string> } = {}): Promise<ServedApp> {
  const env = { ...process.env, PAS_HOME: mkdtempSync(path.join(tmpdir(), 'pas-home-')), ...options.env };
  const child = spawn(process.execPath, [path.join(root, 'bin/pas.mjs'), 'serve', '--port', '0', '--project', projectDir, ...(options.args ?? [])], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pas serve did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`pas serve exited with ${code}:\n${output}`)));
  });
  return { url, process: child };
}

/** Runs a `pas` command on a project (before `pas serve` opens it: a DuckDB-file catalog has one process at a time). */
export function pas(args: string[], projectDir: string): string {
  const run = spawnSync(process.execPath, [path.join(root, 'bin/pas.mjs'), ...args, '--project', projectDir], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`pas ${args.join(' ')} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/**
 * A temporary copy of the repository's example project (so a test may edit its files; in `into` when given), with the
 * bundled sample ingested into its lake when `ingest` is set.
 */
export function copyExampleProject(options: { ingest?: boolean; into?: string } = {}): string {
  const dir = options.into ?? mkdtempSync(path.join(tmpdir(), 'pas-example-'));
  for (const entry of ['config.yaml', 'external_models.yaml', 'models', 'tests', 'audits', 'seeds', 'pipelines', 'resources/sample']) {
    const from = path.join(root, entry);
    if (existsSync(from)) cpSync(from, path.join(dir, entry), { recursive: true });
  }
  if (options.ingest) pas(['ingest', 'nyc_collisions_sample'], dir);
  return dir;
}

export const test = base.extend<{ app: Page }, { served: ServedApp }>({
  served: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      if (chromiumMissing) throw new Error(chromiumMissing);
      const served = await startServe();
      await use(served);
      served.process.kill('SIGTERM');
    },
    { scope: 'worker' },
  ],
  app: async ({ page, served }, use) => {
    await page.goto(served.url);
    // The app opens on the Models view; these fixtures' users start in the query console.
    await page.getByRole('button', { name: 'Query', exact: true }).click();
    await page.locator('main:not([hidden]) .monaco-editor').waitFor();
    await use(page);
  },
});

export { expect } from '@playwright/test';

/** Replaces the editor's text and runs it with the keyboard shortcut. */
export async function runInEditor(page: Page, sql: string): Promise<void> {
  await page.locator('main:not([hidden]) .monaco-editor .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('ControlOrMeta+Enter');
}

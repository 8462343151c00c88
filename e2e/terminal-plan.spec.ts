/**
 * One engine per project, seen from the app: while `pas serve` has a private copy of the example
 * project open, `pas plan dev --auto-apply` run from a terminal goes through that engine (no
 * DuckDB lock error) and the app's Environments panel shows dev as the plan lands.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { copyExampleProject, startServe } from './fixtures';

const root = path.resolve(import.meta.dirname, '..');

test('a plan applied from a terminal while the app is open updates the Environments panel', async ({ page }) => {
  const dir = copyExampleProject({ ingest: true });
  const served = await startServe(dir);
  try {
    expect(existsSync(path.join(dir, '.pas', 'engine.json'))).toBe(true);
    await page.goto(served.url);
    await page.getByRole('button', { name: /Environments/ }).click();
    await expect(page.getByText('No environments yet — plan dev to build your models.')).toBeVisible();

    // The terminal: a separate `pas` process on the same project, while the app holds its files.
    const terminal = spawn(process.execPath, [path.join(root, 'bin/pas.mjs'), 'plan', 'dev', '--auto-apply', '--project', dir], { cwd: root });
    let output = '';
    terminal.stdout.on('data', (c: Buffer) => (output += c.toString()));
    terminal.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exitCode = new Promise<number | null>((resolve) => terminal.once('exit', resolve));

    // The panel updates by itself (environments.changed), without a reload or a click.
    await expect(page.getByTestId('env-dev')).toBeVisible({ timeout: 90_000 });
    expect(await exitCode).toBe(0);
    expect(output).not.toMatch(/lock/i);
    expect(output).toMatch(/Plan applied/);
    await expect(page.getByTestId('env-dev')).toContainText('intermediate.int_collisions_daily');
    await page.screenshot({ path: 'test-results/terminal-plan-environments.png' });
  } finally {
    served.process.kill('SIGTERM');
  }
});

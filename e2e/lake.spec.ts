import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { createTestProject } from '../src-main/plan/test-project';
import { startServe, type ServedApp } from './fixtures';

const root = path.resolve(import.meta.dirname, '..');

const test = base.extend<object, { lakeApp: ServedApp }>({
  lakeApp: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const project = await createTestProject({}, { kind: 'lake-local' });
      const plan = spawnSync(process.execPath, [path.join(root, 'bin/pas.mjs'), 'plan', '--auto-apply', '-p', project, '--execution-time', '2024-01-05T12:00:00Z'], { encoding: 'utf8' });
      if (plan.status !== 0) throw new Error(plan.stderr);
      const served = await startServe(project);
      await use(served);
      served.process.kill('SIGTERM');
    },
    { scope: 'worker' },
  ],
});

test('the lake browser lists tables and snapshots and reads a table now and as of an older snapshot', async ({ page, lakeApp }, testInfo) => {
  await page.goto(lakeApp.url);
  await page.getByRole('button', { name: /Lake/ }).click();
  const raw = page.getByTestId('lake-table-raw.events');
  await expect(raw).toContainText('40 rows · 1 files');
  await expect(page.getByTestId('lake-snapshots')).toContainText('#0');
  await expect(page.getByTestId('lake-snapshots')).toContainText('tables created: raw.events');
  const daily = page.locator('[data-testid^="lake-table-sqlmesh__marts.marts__daily__"]');
  await daily.click();
  const result = page.getByTestId('lake-result');
  await expect(result.getByRole('grid')).toHaveAttribute('aria-rowcount', '4');
  await page.screenshot({ path: testInfo.outputPath('lake-latest.png') });
  // The first snapshot that inserted into marts.daily's table holds its first batch only (2 days).
  const tableName = (await daily.getAttribute('data-testid'))!.replace('lake-table-', '');
  const entries = await page.getByTestId('lake-snapshots').locator('li').allTextContents();
  const firstInsert = entries
    .filter((text) => text.includes('inserted into') && text.includes(tableName))
    .map((text) => Number(/#(\d+)/.exec(text)?.[1]))
    .sort((a, b) => a - b)[0];
  expect(firstInsert).toBeDefined();
  await page.getByLabel('Snapshot').selectOption(String(firstInsert));
  await expect(result.getByRole('grid')).toHaveAttribute('aria-rowcount', '2');
  await page.screenshot({ path: testInfo.outputPath('lake-time-travel.png') });
});

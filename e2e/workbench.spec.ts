/**
 * The modeling workbench against `pas serve` on a temporary copy of the example project (with
 * the bundled sample ingested), so edits never touch the repository's files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { copyExampleProject, startServe, type ServedApp } from './fixtures';

const test = base.extend<object, { project: { dir: string; served: ServedApp } }>({
  project: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const dir = copyExampleProject({ ingest: true });
      const served = await startServe(dir);
      await use({ dir, served });
      served.process.kill('SIGTERM');
    },
    { scope: 'worker' },
  ],
});

const SUMMARY = 'models/marts/borough_daily_summary.sql';

async function openModel(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId(`explorer-model-${name}`).click();
  await expect(page.getByTestId('model-editor')).toBeVisible();
  await expect(page.getByTestId('preview-status')).toContainText('rows', { timeout: 30_000 });
}

/** Replaces the model editor's whole text by pasting it (typing would auto-indent each line). */
async function replaceText(page: Page, text: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
  await page.locator('[data-testid="model-editor"] .view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
  await expect.poll(() => page.locator('[data-testid="model-editor"] .view-lines').innerText()).not.toBe('');
}

test('opens on the models of the example project, grouped by schema with kinds and status', async ({ page, project }, testInfo) => {
  await page.goto(project.served.url);
  for (const name of ['staging.stg_collisions', 'intermediate.int_collisions_daily', 'marts.borough_daily_summary']) {
    await expect(page.getByTestId(`explorer-model-${name}`)).toBeVisible();
  }
  await expect(page.getByTestId('explorer-model-intermediate.int_collisions_daily')).toContainText('INCR·TIME');
  await expect(page.getByText('Open a model', { exact: true })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('01-explorer.png') });
  await page.getByTestId('explorer-model-marts.borough_daily_summary').click();
  // A fresh project previews without any plan: the upstream models are inlined.
  await expect(page.getByTestId('preview-status')).toContainText('inlined', { timeout: 30_000 });
  await expect(page.getByRole('columnheader').filter({ hasText: 'collisions' }).first()).toBeVisible();
  await expect(page.getByTestId('column-profiles')).toContainText('borough');
  await page.screenshot({ path: testInfo.outputPath('02-preview-light.png') });
  await page.getByRole('button', { name: /Toggle light and dark theme/ }).click();
  await page.screenshot({ path: testInfo.outputPath('03-preview-dark.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  const sideways = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(sideways).toBe(0);
  await page.screenshot({ path: testInfo.outputPath('04-preview-1024.png') });
});

test('an edit updates the preview without pressing anything, and the old rows are dimmed meanwhile', async ({ page, project }, testInfo) => {
  await openModel(page, project.served.url, 'marts.borough_daily_summary');
  const original = readFileSync(path.join(project.dir, SUMMARY), 'utf8');
  await replaceText(page, original.replace('COUNT(*) AS collisions,', 'COUNT(*) AS collisions, COUNT(*) * 2 AS doubled,'));
  await expect(page.getByRole('columnheader').filter({ hasText: 'doubled' })).toBeVisible();
  await expect(page.getByTestId('preview-grid')).toHaveAttribute('data-stale', 'false');
  await expect(page.getByRole('tab', { selected: true }).getByRole('button', { name: /unsaved changes/ })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('05-live-edit.png') });
});

test('a misspelt column is marked in the editor and listed as a problem at its line', async ({ page, project }, testInfo) => {
  await openModel(page, project.served.url, 'marts.borough_daily_summary');
  const original = readFileSync(path.join(project.dir, SUMMARY), 'utf8');
  const text = original.replace('SUM(persons_killed)', 'SUM(persons_kiled)');
  const line = text.split('\n').findIndex((l) => l.includes('persons_kiled')) + 1;
  await replaceText(page, text);
  await expect(page.locator('[data-testid="model-editor"] .squiggly-error')).toBeVisible();
  await expect(page.getByTestId('problems-tab')).toContainText('1');
  await expect(page.getByTestId('preview-error')).toContainText('persons_kiled');
  await page.screenshot({ path: testInfo.outputPath('06-typo-preview.png') });
  await page.getByTestId('problems-tab').click();
  await expect(page.getByTestId('problems-panel')).toContainText(`${SUMMARY}:${line}:7`);
  await expect(page.getByTestId('problems-panel')).toContainText('persons_kiled');
  await page.screenshot({ path: testInfo.outputPath('07-typo-problems.png') });

  // Saved, the typo is the project's problem too: the header's badge counts it and lists it at its line.
  await page.locator('[data-testid="model-editor"] .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+S');
  const badge = page.getByTestId('problems-badge');
  await expect(badge).toContainText('1 error');
  await badge.click();
  await expect(page.locator('ul.problems-list li').filter({ hasText: `${SUMMARY}:${line}:7` })).toContainText('persons_kiled');
  await page.screenshot({ path: testInfo.outputPath('07b-typo-badge.png') });
  await badge.click();
  writeFileSync(path.join(project.dir, SUMMARY), original);
  await expect(badge).toContainText('No problems');
});

test('completes the columns of an upstream model after its alias', async ({ page, project }, testInfo) => {
  await openModel(page, project.served.url, 'marts.borough_daily_summary');
  const original = readFileSync(path.join(project.dir, SUMMARY), 'utf8');
  const text = original.replace('FROM intermediate.int_collisions_daily', 'FROM intermediate.int_collisions_daily AS d').replace('  borough,\n', '  borough,\n  d\n');
  await replaceText(page, text);
  const line = text.split('\n').findIndex((l) => l === '  d') + 1;
  await page.keyboard.press('ControlOrMeta+Home');
  for (let i = 1; i < line; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.type('.');
  const suggest = page.locator('.suggest-widget');
  await expect(suggest).toBeVisible();
  await expect(suggest).toContainText('crash_ts');
  await expect(suggest).toContainText('collision_id');
  await page.screenshot({ path: testInfo.outputPath('08-completion.png') });
  await page.keyboard.type('crash_t');
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-testid="model-editor"] .view-lines')).toContainText('d.crash_ts');
  // Hovering a column shows its type and the model it comes from.
  await page.locator('[data-testid="model-editor"] .view-lines').getByText('crash_ts').first().hover();
  await expect(page.locator('.monaco-hover:visible')).toContainText('TIMESTAMP');
  await expect(page.locator('.monaco-hover:visible')).toContainText('intermediate.int_collisions_daily');
  await page.screenshot({ path: testInfo.outputPath('08b-hover.png') });
});

test('goes to the definition of an upstream model with F12', async ({ page, project }, testInfo) => {
  await openModel(page, project.served.url, 'marts.borough_daily_summary');
  await page.locator('[data-testid="model-editor"] .view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.locator('[data-testid="model-editor"] .view-lines').getByText('int_collisions_daily').click();
  await page.keyboard.press('F12');
  await expect(page.getByTestId('model-editor')).toHaveAttribute('data-path', 'models/intermediate/int_collisions_daily.sql');
  await expect(page.getByRole('tablist', { name: 'Open files' }).getByRole('tab', { selected: true })).toContainText('int_collisions_daily.sql');
  await page.screenshot({ path: testInfo.outputPath('09-definition.png') });
  // A column's definition is its upstream expression, found through lineage.
  await page.getByRole('tablist', { name: 'Open files' }).getByText('borough_daily_summary.sql').click();
  await expect(page.getByTestId('model-editor')).toHaveAttribute('data-path', SUMMARY);
  await page.locator('[data-testid="model-editor"] .view-lines').getByText('SUM(pedestrians_killed)').click();
  await page.keyboard.press('F12');
  await expect(page.getByTestId('model-editor')).toHaveAttribute('data-path', 'models/intermediate/int_collisions_daily.sql');
  const upstream = readFileSync(path.join(project.dir, 'models/intermediate/int_collisions_daily.sql'), 'utf8');
  const line = upstream.split('\n').findIndex((l) => l.trim() === 'pedestrians_killed,') + 1;
  await expect(page.locator('[data-testid="model-editor"] .line-numbers.active-line-number')).toContainText(String(line));
});

test('saves with Ctrl+S, and the command palette lists actions with their shortcuts', async ({ page, project }, testInfo) => {
  await openModel(page, project.served.url, 'marts.borough_daily_summary');
  const file = path.join(project.dir, SUMMARY);
  const original = readFileSync(file, 'utf8');
  try {
    await replaceText(page, original.replace('-- Collisions and casualties', '-- Saved: collisions and casualties'));
    await page.keyboard.press('ControlOrMeta+S');
    await expect.poll(() => readFileSync(file, 'utf8')).toContain('-- Saved: collisions');
    await expect(page.getByRole('tab', { selected: true }).getByRole('button', { name: /unsaved changes/ })).toHaveCount(0);
    await page.keyboard.press('ControlOrMeta+Shift+P');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await expect(palette).toContainText('Format document');
    await expect(palette).toContainText('Shift+Alt+F');
    await page.keyboard.type('rendered');
    await page.screenshot({ path: testInfo.outputPath('10-palette.png') });
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('rendered-sql')).toContainText('FROM intermediate.int_collisions_daily');
    await page.screenshot({ path: testInfo.outputPath('11-rendered.png') });
  } finally {
    writeFileSync(file, original);
  }
});

test('picks up edits made outside the app and remembers open tabs per project', async ({ page, project }, testInfo) => {
  await openModel(page, project.served.url, 'staging.stg_collisions');
  const file = path.join(project.dir, 'models/staging/stg_collisions.sql');
  const original = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, original.replace('-- NYC collisions with proper types', '-- Edited elsewhere: NYC collisions'));
    await expect(page.locator('[data-testid="model-editor"] .view-lines')).toContainText('Edited elsewhere');
    await page.reload();
    await expect(page.getByRole('tablist', { name: 'Open files' }).getByRole('tab', { selected: true })).toContainText('stg_collisions.sql');
    await expect(page.locator('[data-testid="model-editor"] .view-lines')).toContainText('Edited elsewhere');
    await page.screenshot({ path: testInfo.outputPath('12-restored.png') });
  } finally {
    writeFileSync(file, original);
  }
});

test('formats the query below the MODEL header, and asks before closing unsaved work', async ({ page, project }, testInfo) => {
  await openModel(page, project.served.url, 'marts.borough_daily_summary');
  const original = readFileSync(path.join(project.dir, SUMMARY), 'utf8');
  const header = original.slice(0, original.indexOf(');') + 2);
  await replaceText(page, `${header}\nselect borough, count(*) as n from intermediate.int_collisions_daily group by borough`);
  await page.keyboard.press('Shift+Alt+F');
  const lines = page.locator('[data-testid="model-editor"] .view-lines');
  await expect(lines).toContainText('GROUP BY');
  await expect(lines).toContainText('unique_combination_of_columns(columns := (borough, crash_day))');
  await page.screenshot({ path: testInfo.outputPath('13-formatted.png') });
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.getByRole('button', { name: `Close ${SUMMARY} (unsaved changes)` }).click();
  expect(asked).toContain('unsaved changes');
  await expect(page.getByTestId('model-editor')).toHaveAttribute('data-path', SUMMARY);
});

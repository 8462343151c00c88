/**
 * Opening another project folder in web mode: `pas serve --allow PARENT` on one copy of the
 * example, the Open project dialog browses PARENT and opens a second copy (every view reloads
 * on it), the recent list opens the first again with its tabs; `?project=` in the address opens
 * an allowed project and explains a refused one. Unsaved edits in a window that reloads for the
 * switch come back, still unsaved, when their project is opened again.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { copyExampleProject, startServe, type ServedApp } from './fixtures';

interface Projects {
  parent: string;
  first: string;
  second: string;
  served: ServedApp;
}

const test = base.extend<object, { projects: Projects }>({
  projects: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const parent = mkdtempSync(path.join(tmpdir(), 'pas-projects-'));
      const first = copyExampleProject({ into: path.join(parent, 'first') });
      const second = copyExampleProject({ into: path.join(parent, 'second') });
      writeFileSync(path.join(second, 'models', 'only_in_second.sql'), 'MODEL (name marts.only_in_second, kind FULL);\nSELECT 1 AS one\n');
      mkdirSync(path.join(parent, 'notes'));
      // The user's recent list already names a folder since deleted and a project outside the allowed folders.
      const home = mkdtempSync(path.join(tmpdir(), 'pas-home-'));
      const outside = copyExampleProject({ into: path.join(mkdtempSync(path.join(tmpdir(), 'pas-outside-')), 'elsewhere') });
      const earlier = new Date(Date.now() - 86_400_000).toISOString();
      writeFileSync(path.join(home, 'recent-projects.json'), JSON.stringify({ projects: [{ dir: path.join(parent, 'gone'), lastOpened: earlier }, { dir: outside, lastOpened: earlier }] }));
      const served = await startServe(first, { args: ['--allow', parent], env: { PAS_HOME: home } });
      await use({ parent, first, second, served });
      served.process.kill('SIGTERM');
    },
    { scope: 'worker' },
  ],
});

const dialog = (page: Page) => page.getByRole('dialog', { name: 'Open a project' });

async function noSidewaysScroll(page: Page): Promise<void> {
  expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
}

test('opens a second project from the dialog, then the first again from the recent list with its tabs', async ({ page, projects }, testInfo) => {
  await page.goto(projects.served.url);
  await expect(page.getByTestId('explorer-model-staging.stg_collisions')).toBeVisible();
  await expect(page.getByTestId('explorer-model-marts.only_in_second')).toHaveCount(0);
  await expect(page.locator('.app-header .project-switcher')).toContainText('first');
  // A tab in the first project, remembered for it.
  await page.getByTestId('explorer-model-staging.stg_collisions').click();
  await expect(page.getByTestId('model-editor')).toBeVisible();

  // Another window on the same engine follows the switch too.
  const other = await page.context().newPage();
  await other.goto(projects.served.url);
  await expect(other.getByTestId('explorer-model-staging.stg_collisions')).toBeVisible();
  // It has unsaved work, which the switch must not lose: it comes back as a draft with the project.
  await expect(other.getByTestId('model-editor')).toBeVisible();
  await other.locator('[data-testid="model-editor"] .view-lines').click();
  await other.keyboard.press('ControlOrMeta+End');
  await other.keyboard.type('\n-- draft kept across the switch');
  await expect(other.getByRole('tab', { selected: true }).getByRole('button', { name: /unsaved changes/ })).toBeVisible();

  await page.keyboard.press('ControlOrMeta+O');
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page).getByText(projects.parent, { exact: true })).toBeVisible();
  await expect(dialog(page).getByRole('button', { name: 'Open project second' })).toBeEnabled();
  // A folder that is not a project can be browsed, not opened; the first project is the open one.
  await expect(dialog(page).getByRole('button', { name: 'Open project notes' })).toHaveCount(0);
  await expect(dialog(page).getByRole('button', { name: 'Open project first' })).toBeDisabled();
  const recentList = dialog(page).getByRole('region', { name: 'Recent projects' });
  await expect(recentList).toContainText('first');
  // Missing or disallowed folders are listed greyed, with the reason, and cannot be opened.
  await expect(recentList.getByRole('button', { name: 'Open gone' })).toBeDisabled();
  await expect(recentList.getByRole('button', { name: 'Open gone' })).toContainText('no longer exists');
  await expect(recentList.getByRole('button', { name: 'Open elsewhere' })).toBeDisabled();
  await expect(recentList.getByRole('button', { name: 'Open elsewhere' })).toContainText('--allow');
  await page.screenshot({ path: testInfo.outputPath('01-dialog-light-1400.png') });
  await page.keyboard.press('Alt+T');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: testInfo.outputPath('02-dialog-dark-1400.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await noSidewaysScroll(page);
  await page.screenshot({ path: testInfo.outputPath('03-dialog-dark-1024.png') });
  await page.keyboard.press('Alt+T');
  await page.screenshot({ path: testInfo.outputPath('04-dialog-light-1024.png') });
  await page.setViewportSize({ width: 1400, height: 900 });

  await dialog(page).getByRole('button', { name: 'Open project second' }).click();
  // Every view reloads on the new project.
  await expect(page.getByTestId('explorer-model-marts.only_in_second')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.app-header .project-switcher')).toContainText('second');
  await expect(dialog(page)).toHaveCount(0);
  await expect(page.getByTestId('model-editor')).toHaveCount(0);
  expect(page.url()).toContain('token=');
  await page.screenshot({ path: testInfo.outputPath('05-second-project.png') });
  await expect(other.getByTestId('explorer-model-marts.only_in_second')).toBeVisible({ timeout: 30_000 });
  await expect(other.locator('.app-header .project-switcher')).toContainText('second');
  await other.close();

  // Back to the first from the recent list (the explorer's own entry this time).
  await page.getByRole('button', { name: 'Open project…' }).click();
  const recent = dialog(page).getByRole('region', { name: 'Recent projects' });
  await expect(recent.getByRole('button', { name: 'Open second' })).toBeDisabled();
  await page.screenshot({ path: testInfo.outputPath('06-recent-light-1400.png') });
  // A folder gone from disk can be removed from the list.
  await recent.getByRole('button', { name: 'Remove gone from the recent list' }).click();
  await expect(recent.getByRole('button', { name: 'Open gone' })).toHaveCount(0);
  await recent.getByRole('button', { name: 'Open first' }).click();
  await expect(page.getByTestId('explorer-model-staging.stg_collisions')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('explorer-model-marts.only_in_second')).toHaveCount(0);
  await expect(page.locator('.app-header .project-switcher')).toContainText('first');
  // The first project's tab came back, with the other window's unsaved edit, still unsaved.
  await expect(page.getByTestId('model-editor')).toBeVisible();
  await expect(page.getByRole('tab', { selected: true }).getByRole('button', { name: /unsaved changes/ })).toBeVisible();
  await page.locator('[data-testid="model-editor"] .view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await expect(page.getByTestId('model-editor')).toContainText('draft kept across the switch');
  await page.screenshot({ path: testInfo.outputPath('08-draft-restored.png') });
});

test('?project= in the address opens an allowed project, and says why it refuses one outside the allowed folders', async ({ page, projects }, testInfo) => {
  await page.goto(`${projects.served.url}&project=${encodeURIComponent(projects.second)}`);
  await expect(page.getByTestId('explorer-model-marts.only_in_second')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.app-header .project-switcher')).toContainText('second');

  const outside = mkdtempSync(path.join(tmpdir(), 'pas-outside-'));
  copyExampleProject({ into: path.join(outside, 'elsewhere') });
  await page.goto(`${projects.served.url}&project=${encodeURIComponent(path.join(projects.parent, '..', path.basename(outside), 'elsewhere'))}`);
  await expect(dialog(page).getByRole('alert')).toContainText('outside the folders this server may open');
  await expect(page.locator('.app-header .project-switcher')).toContainText('second');
  await page.screenshot({ path: testInfo.outputPath('07-refused-project-param.png') });
});

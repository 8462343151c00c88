/**
 * Plans approved by clicking, against `pas serve` on a private copy of the example project
 * (the sample ingested first): dev built with a backfill to completion, prod promoted as a
 * virtual update, a column added on disk shown as a non-breaking change with its column impact
 * and table diff, and a cancelled apply that leaves dev as it was. Light and dark screenshots.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { copyExampleProject, startServe, type ServedApp } from './fixtures';

const INTERMEDIATE = 'models/intermediate/int_collisions_daily.sql';

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
test.describe.configure({ mode: 'serial' });

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('open-plan')).toBeVisible();
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const current = await page.locator('html').getAttribute('data-theme');
  if (current === theme) return;
  // With the dialog open the header's toggle is behind it: switch the page's theme directly.
  if (await page.getByRole('dialog').isVisible()) {
    await page.locator('html').evaluate((html, t) => html.setAttribute('data-theme', t), theme);
    return;
  }
  // The toggle flips the app's theme, which may differ from the page's after a direct switch.
  for (let i = 0; i < 2 && (await page.locator('html').getAttribute('data-theme')) !== theme; i++) {
    await page.getByRole('button', { name: 'Toggle light and dark theme' }).click();
  }
}

async function planFor(page: Page, environment: string) {
  await page.getByTestId('open-plan').click();
  const dialog = page.getByRole('dialog', { name: 'Plan' });
  await expect(dialog).toBeVisible();
  const input = dialog.getByLabel('Environment', { exact: true });
  if ((await input.inputValue()) !== environment) {
    await expect(dialog.getByTestId('plan-review').or(dialog.getByRole('alert'))).toBeVisible({ timeout: 60_000 });
    await input.fill(environment);
    await dialog.getByTestId('replan').click();
  }
  await expect(dialog.getByTestId('plan-review')).toBeVisible({ timeout: 60_000 });
  return dialog;
}

test('approving a dev plan by clicking backfills every model to completion', async ({ page, project }) => {
  await open(page, project.served.url);
  await setTheme(page, 'light');
  await page.getByRole('button', { name: /Environments/ }).click();
  await expect(page.getByText('No environments yet — plan dev to build your models.')).toBeVisible();
  await page.screenshot({ path: 'test-results/plan-environments-empty.png' });

  const dialog = await planFor(page, 'dev');
  await expect(dialog.getByText('`dev` environment will be initialized.')).toBeVisible();
  await expect(dialog.getByText(/model tests? passed/)).toBeVisible();
  await expect(dialog.getByTestId('changes-added')).toContainText('intermediate.int_collisions_daily');
  await expect(dialog.getByTestId('backfills')).toContainText('full refresh');
  const apply = dialog.getByTestId('apply-plan');
  await expect(apply).toHaveText('Apply and backfill 4 models');
  await page.screenshot({ path: 'test-results/plan-dev-review-light.png' });

  await apply.click();
  await expect(dialog.getByTestId('apply-tracker')).toBeVisible();
  await expect(dialog.getByTestId('stage-backfill')).toHaveAttribute('data-status', /running|done/);
  await expect(dialog.getByTestId('apply-done')).toBeVisible({ timeout: 180_000 });
  await expect(dialog.getByTestId('apply-done')).toContainText('4 models backfilled');
  for (const stage of ['physical', 'backfill', 'audits', 'promote']) await expect(dialog.getByTestId(`stage-${stage}`)).toHaveAttribute('data-status', 'done');
  await expect(dialog.getByTestId('progress-intermediate.int_collisions_daily').getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await page.screenshot({ path: 'test-results/plan-dev-applied-light.png' });
  await dialog.getByRole('button', { name: 'Close the plan dialog' }).click();

  // The panel updated itself from environments.changed.
  const card = page.getByTestId('env-dev');
  await expect(card).toContainText('Applied');
  await expect(card).toContainText('5 models');
  await expect(card).toContainText(/by .+@.+/);
  await card.locator('summary').click();
  await page.screenshot({ path: 'test-results/plan-environments-dev-light.png' });
});

test('approving prod is a virtual update after an explicit confirmation', async ({ page, project }) => {
  await open(page, project.served.url);
  await setTheme(page, 'dark');
  const dialog = await planFor(page, 'prod');
  await expect(dialog.getByText('`prod` environment will be initialized.')).toBeVisible();
  await expect(dialog.getByTestId('backfills')).toContainText('None: every version already has its data');
  const apply = dialog.getByTestId('apply-plan');
  await expect(apply).toHaveText('Apply virtual update');
  await expect(apply).toBeDisabled();
  await expect(dialog.getByLabel('Start')).toBeDisabled();
  await dialog.getByText('I am applying this plan to').click();
  await expect(apply).toBeEnabled();
  await page.screenshot({ path: 'test-results/plan-prod-review-dark.png' });
  await apply.click();
  await expect(dialog.getByTestId('apply-done')).toContainText('Virtual update applied to prod: 0 models backfilled, 4 views promoted');
  await expect(dialog.getByTestId('stage-backfill')).toHaveAttribute('data-status', 'skipped');
  await page.screenshot({ path: 'test-results/plan-prod-applied-dark.png' });
  await dialog.getByRole('button', { name: 'Close the plan dialog' }).click();

  await page.getByRole('button', { name: /Environments/ }).click();
  await expect(page.getByTestId('env-prod')).toContainText('Never expires');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.getByTestId('env-compare')).toContainText('the same versions of all 5 models');
  await page.screenshot({ path: 'test-results/plan-environments-dark.png' });
});

test('failing model tests show their diff, and the plan can proceed without them', async ({ page, project }) => {
  const failing = path.join(project.dir, 'tests/test_failing.yaml');
  writeFileSync(
    failing,
    'test_counts_wrong:\n  model: marts.borough_daily_summary\n  inputs:\n    intermediate.int_collisions_daily:\n      rows:\n        - {collision_id: 1, crash_ts: 2024-01-01 02:00:00, crash_day: 2024-01-01, borough: QUEENS, persons_injured: 1, persons_killed: 0, pedestrians_injured: 0, pedestrians_killed: 0, cyclists_injured: 0, cyclists_killed: 0, motorists_injured: 0, motorists_killed: 0}\n  outputs:\n    query:\n      rows:\n        - {borough: QUEENS, crash_day: 2024-01-01, collisions: 2}\n',
  );
  try {
    await open(page, project.served.url);
    await setTheme(page, 'light');
    await page.getByTestId('open-plan').click();
    const dialog = page.getByRole('dialog', { name: 'Plan' });
    const failures = dialog.getByTestId('test-failures');
    await expect(failures).toContainText('test_counts_wrong', { timeout: 60_000 });
    await expect(failures).toContainText('1 model test failed');
    await page.screenshot({ path: 'test-results/plan-tests-failed-light.png' });
    await dialog.getByRole('button', { name: 'Proceed without tests' }).click();
    await expect(dialog.getByTestId('plan-review')).toBeVisible({ timeout: 60_000 });
    await expect(dialog.getByText('Model tests skipped.').or(dialog.getByText(/failed — proceeding without them/))).toBeVisible();
  } finally {
    rmSync(failing);
  }
});

test('a column added on disk is a non-breaking change with its column impact and table diff', async ({ page, project }) => {
  const file = path.join(project.dir, INTERMEDIATE);
  writeFileSync(file, readFileSync(file, 'utf8').replace('  persons_injured,\n', '  persons_injured,\n  zip_code,\n'));
  await open(page, project.served.url);
  await setTheme(page, 'light');
  const dialog = await planFor(page, 'dev');
  await expect(dialog.getByText('Differences from the `dev` environment:')).toBeVisible();
  const change = dialog.getByTestId('change-intermediate.int_collisions_daily');
  await expect(change.locator('.badge')).toHaveText('Non-breaking');
  await expect(change.getByRole('radio', { name: /Non-breaking/ })).toBeChecked();
  await expect(change.locator('.sbs-cell.is-new', { hasText: 'zip_code' })).toBeVisible();
  await expect(change.getByTestId('impact-zip_code')).toContainText('added');
  const diff = change.getByTestId('table-diff-intermediate.int_collisions_daily');
  await expect(diff).toContainText('+ zip_code VARCHAR', { timeout: 60_000 });
  await expect(diff).toContainText('dev: 20,000 rows');
  await expect(diff).toContainText('local: 20,000 rows');
  await expect(diff).toContainText('0 changed rows');
  await expect(dialog.getByTestId('backfills')).not.toContainText('marts.borough_daily_summary');
  await page.screenshot({ path: 'test-results/plan-non-breaking-light.png' });
  await setTheme(page, 'dark');
  await page.screenshot({ path: 'test-results/plan-non-breaking-dark.png' });

  // Breaking instead: the children are rebuilt too, and every column's rows may change downstream.
  await change.getByRole('radio', { name: /^Breaking/ }).click();
  await expect(change.locator('.badge')).toHaveText('Breaking');
  await expect(dialog.getByTestId('backfills')).toContainText('marts.borough_daily_summary');
  await expect(change.getByTestId('impact-borough')).toContainText('marts.borough_daily_summary: borough');
  await page.screenshot({ path: 'test-results/plan-breaking-dark.png' });
  await change.getByRole('radio', { name: /Non-breaking/ }).click();
  await expect(change.locator('.badge')).toHaveText('Non-breaking');
  await dialog.getByRole('button', { name: 'Close the plan dialog' }).click();

  // A changed expression can only be breaking; the table diff shows the changed rows on the grain.
  writeFileSync(file, readFileSync(file, 'utf8').replace("COALESCE(borough, 'UNKNOWN')", "COALESCE(borough, 'N/A')"));
  await setTheme(page, 'light');
  const again = await planFor(page, 'dev');
  const modified = again.getByTestId('change-intermediate.int_collisions_daily');
  await expect(modified.locator('.badge')).toHaveText('Breaking');
  await expect(modified.getByRole('radio', { name: /Non-breaking/ })).toBeDisabled();
  await expect(modified.getByTestId('impact-borough')).toContainText('modified');
  const changedRows = modified.getByTestId('table-diff-intermediate.int_collisions_daily');
  await expect(changedRows).toContainText(/[1-9][\d,]* changed rows/, { timeout: 60_000 });
  const grid = modified.getByTestId('table-diff-rows-intermediate.int_collisions_daily').getByRole('grid');
  await expect(grid.getByRole('columnheader').filter({ hasText: 'borough (local)' })).toBeVisible();
  await expect(grid.locator('[data-row="0"] [role="gridcell"]').first()).not.toHaveText('…');
  await modified.getByTestId('table-diff-intermediate.int_collisions_daily').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/plan-table-diff-light.png' });
});

test('cancelling an apply leaves the environment as it was', async ({ page, project }) => {
  await open(page, project.served.url);
  await setTheme(page, 'light');
  await page.getByRole('button', { name: /Environments/ }).click();
  const row = page.getByTestId('env-dev-model-intermediate.int_collisions_daily');
  const before = await row.textContent();
  const planBefore = await page.getByTestId('env-dev').locator('.env-meta').textContent();

  const dialog = await planFor(page, 'dev');
  await dialog.getByTestId('apply-plan').click();
  // Cancel while the apply runs (its 35 batches take a couple of seconds here: no waiting for one).
  await expect(dialog.getByTestId('apply-tracker')).toBeVisible();
  await dialog.getByTestId('cancel-apply').click();
  await expect(dialog.getByTestId('apply-stopped')).toContainText('Cancelled: `dev` was left as it was (nothing promoted).', { timeout: 60_000 });
  await expect(dialog.getByTestId('stage-promote')).toHaveAttribute('data-status', 'skipped');
  await page.screenshot({ path: 'test-results/plan-cancelled-light.png' });
  await dialog.getByRole('button', { name: 'Close the plan dialog' }).click();

  await expect(row).toHaveText(before ?? '');
  await expect(page.getByTestId('env-dev').locator('.env-meta')).toHaveText(planBefore ?? '');
  await page.getByTestId('env-dev').locator('summary').click();
  await expect(row).toBeVisible();
  await page.screenshot({ path: 'test-results/plan-environments-after-cancel-light.png' });
});

test('an environment runs, is invalidated after a confirmation, and the janitor removes it', async ({ page, project }) => {
  await open(page, project.served.url);
  await setTheme(page, 'dark');
  await page.getByRole('button', { name: /Environments/ }).click();
  const dev = page.getByTestId('env-dev');
  await dev.getByRole('button', { name: 'Run dev' }).click();
  await expect(page.getByTestId('env-run-dev')).toContainText(/No models are ready to run|Ran /, { timeout: 60_000 });
  await dev.getByRole('button', { name: 'Invalidate dev' }).click();
  await expect(dev.getByRole('alertdialog')).toContainText('Invalidate dev?');
  await page.screenshot({ path: 'test-results/plan-invalidate-confirm-dark.png' });
  await dev.getByRole('button', { name: 'Yes, invalidate dev' }).click();
  await expect(dev).toContainText('expired — the janitor removes it');
  await page.getByRole('button', { name: 'Run janitor' }).click();
  await expect(page.getByRole('status')).toContainText('dropped 1 environment (dev)');
  await expect(dev).toHaveCount(0);
  await page.screenshot({ path: 'test-results/plan-after-janitor-dark.png' });
});

/**
 * A fresh copy of the example, nothing loaded yet, as a new user first sees it: previewing the
 * staging model, or applying a plan, says which pipeline loads the missing source table, and a
 * button under the error runs that pipeline, then previews or plans again.
 */
import { test as base, expect } from '@playwright/test';
import { copyExampleProject, startServe, type ServedApp } from './fixtures';

const test = base.extend<{ fresh: { dir: string; served: ServedApp } }>({
  // Each test its own fresh copy: the first one loads the sample.
  // eslint-disable-next-line no-empty-pattern
  fresh: async ({}, use) => {
    const dir = copyExampleProject();
    const served = await startServe(dir);
    await use({ dir, served });
    served.process.kill('SIGTERM');
  },
});

test('a preview over a table not loaded yet offers to run the pipeline that loads it, then shows the rows', async ({ page, fresh }, testInfo) => {
  await page.goto(fresh.served.url);
  await page.getByTestId('explorer-model-staging.stg_collisions').click();
  const error = page.getByTestId('preview-error');
  await expect(error).toContainText('raw.nyc_collisions is loaded by the pipelines nyc_collisions, nyc_collisions_sample', { timeout: 30_000 });
  const offer = page.getByTestId('load-missing-table');
  await expect(offer.getByRole('button', { name: 'Run nyc_collisions_sample' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('01-missing-table-light.png') });
  await page.getByRole('button', { name: /Toggle light and dark theme/ }).click();
  await page.screenshot({ path: testInfo.outputPath('02-missing-table-dark.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: testInfo.outputPath('02b-missing-table-dark-1024.png') });
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.getByRole('button', { name: /Toggle light and dark theme/ }).click();

  await offer.getByRole('button', { name: 'Run nyc_collisions_sample' }).click();
  await expect(error).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('preview-status')).toContainText('rows', { timeout: 30_000 });
  await expect(page.getByRole('columnheader').filter({ hasText: 'collision_id' })).toBeVisible();
  // The missing table was the only problem: it goes with the load.
  await expect(page.getByTestId('problems-tab')).toHaveText('Problems');
  await page.screenshot({ path: testInfo.outputPath('03-loaded-and-previewed.png') });
});

test('applying a plan before anything is loaded offers the pipeline too, then plans again and applies', async ({ page, fresh }, testInfo) => {
  await page.goto(fresh.served.url);
  await page.getByTestId('open-plan').click();
  const dialog = page.getByRole('dialog', { name: 'Plan' });
  const input = dialog.getByLabel('Environment', { exact: true });
  await expect(dialog.getByTestId('plan-review')).toBeVisible({ timeout: 60_000 });
  if ((await input.inputValue()) !== 'dev') {
    await input.fill('dev');
    await dialog.getByTestId('replan').click();
    await expect(dialog.getByTestId('plan-review')).toBeVisible({ timeout: 60_000 });
  }
  await dialog.getByTestId('apply-plan').click();
  const stopped = dialog.getByTestId('apply-stopped');
  await expect(stopped).toContainText('models/staging/stg_collisions.sql', { timeout: 60_000 });
  await expect(stopped).toContainText('raw.nyc_collisions is loaded by the pipelines');
  await page.screenshot({ path: testInfo.outputPath('04-plan-missing-table.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: testInfo.outputPath('04b-plan-missing-table-1024.png') });
  await page.setViewportSize({ width: 1400, height: 900 });

  await dialog.getByTestId('load-missing-table').getByRole('button', { name: 'Run nyc_collisions_sample' }).click();
  await expect(dialog.getByTestId('plan-review')).toBeVisible({ timeout: 60_000 });
  await dialog.getByTestId('apply-plan').click();
  await expect(dialog.getByTestId('apply-done')).toBeVisible({ timeout: 180_000 });
  await page.screenshot({ path: testInfo.outputPath('05-plan-applied-after-load.png') });
});

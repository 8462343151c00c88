import { test as base, expect } from '@playwright/test';
import { copyExampleProject, startServe, type ServedApp } from './fixtures';

const test = base.extend<object, { example: ServedApp }>({
  example: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const served = await startServe(copyExampleProject());
      await use(served);
      served.process.kill('SIGTERM');
    },
    { scope: 'worker' },
  ],
});

test('Run on the sample pipeline shows live progress to completion, then the rows in the lake browser', async ({ page, example }, testInfo) => {
  await page.goto(example.url);
  await page.getByRole('button', { name: /Ingest/ }).click();
  const card = page.getByTestId('pipeline-nyc_collisions_sample');
  await expect(card).toContainText('pipelines/nyc_collisions_sample.yaml → raw');
  await card.getByRole('button', { name: 'Run nyc_collisions_sample' }).click();
  const bar = card.getByRole('progressbar');
  await expect(bar).toHaveAttribute('data-state', /running|done/);
  await expect(bar).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByTestId('pipeline-progress-nyc_collisions_sample')).toContainText('20,000 rows');
  await expect(page.getByTestId('pipeline-log-nyc_collisions_sample')).toContainText('loaded in');
  await expect(page.getByTestId('pipeline-info-nyc_collisions_sample')).toContainText('nyc_collisions: 20,000 rows');
  await page.screenshot({ path: testInfo.outputPath('ingest-done.png') });

  await page.getByRole('button', { name: /Lake/ }).click();
  const table = page.getByTestId('lake-table-raw.nyc_collisions');
  await expect(table).toContainText('20,000 rows');
  await table.click();
  const grid = page.getByTestId('lake-result').getByRole('grid');
  await expect(grid).toHaveAttribute('aria-rowcount', '20000');
  // The grid scrolls sideways inside its pane (the page never widens) and renders the columns in view.
  const pageWidth = await page.locator('html').evaluate((html) => ({ scroll: html.scrollWidth, inner: html.ownerDocument.defaultView?.innerWidth ?? 0 }));
  expect(pageWidth.scroll).toBeLessThanOrEqual(pageWidth.inner);
  const collisionId = grid.getByRole('columnheader').filter({ hasText: 'collision_id' });
  for (let step = 0; step < 20 && !(await collisionId.isVisible()); step++) await grid.evaluate((el) => (el.scrollLeft += el.clientWidth / 2));
  await expect(collisionId).toBeVisible();
  await expect(grid.locator('[data-row="0"] [role="gridcell"]').first()).not.toHaveText('…');
  await page.screenshot({ path: testInfo.outputPath('lake-after-ingest.png') });
});

import { expect, test } from './fixtures';

test.describe('lineage view', () => {
  test('clicking a mart column highlights its path down to the raw collision column', async ({ app }, testInfo) => {
    await app.getByRole('button', { name: /Lineage/ }).click();
    const mart = app.getByTestId('lineage-node-marts.borough_daily_summary');
    await expect(mart).toBeVisible();
    await app.getByTestId('lineage-column-marts.borough_daily_summary.persons_injured').click();
    for (const id of [
      'lineage-column-marts.borough_daily_summary.persons_injured',
      'lineage-column-intermediate.int_collisions_daily.persons_injured',
      'lineage-column-staging.stg_collisions.persons_injured',
      'lineage-column-raw.nyc_collisions.number_of_persons_injured',
    ]) {
      await expect(app.getByTestId(id)).toHaveAttribute('data-highlighted', 'true');
    }
    await expect(app.getByTestId('lineage-column-staging.stg_collisions.persons_killed')).toHaveAttribute('data-highlighted', 'false');
    const hops = app.getByTestId('lineage-hops');
    await expect(hops).toContainText('raw.nyc_collisions.number_of_persons_injured');
    await expect(hops).toContainText('COALESCE(TRY_CAST(number_of_persons_injured AS INTEGER), 0)');
    // The model's file opens at the column's expression.
    const source = app.getByTestId('source-viewer');
    await expect(source).toBeVisible();
    await expect(source).toContainText('SUM(persons_injured)');
    await app.screenshot({ path: testInfo.outputPath('lineage-path.png') });
  });

  test('expands and collapses downstream one level at a time', async ({ app }) => {
    await app.getByRole('button', { name: /Lineage/ }).click();
    await app.getByLabel('Search models and columns').fill('staging.stg_collisions');
    await app.getByRole('button', { name: 'Show', exact: true }).click();
    await expect(app.getByTestId('lineage-node-intermediate.int_collisions_daily')).toBeVisible();
    await expect(app.getByTestId('lineage-node-marts.borough_daily_summary')).toHaveCount(0);
    await app.getByRole('button', { name: 'More downstream levels' }).click();
    await expect(app.getByTestId('downstream-depth')).toHaveText('2');
    await expect(app.getByTestId('lineage-node-marts.borough_daily_summary')).toBeVisible();
    await app.getByRole('button', { name: 'Fewer downstream levels' }).click();
    await expect(app.getByTestId('lineage-node-marts.borough_daily_summary')).toHaveCount(0);
  });

  test('shows the whole downstream impact with one button', async ({ app }, testInfo) => {
    await app.getByRole('button', { name: /Lineage/ }).click();
    await app.getByLabel('Search models and columns').fill('staging.stg_collisions');
    await app.getByRole('button', { name: 'Show', exact: true }).click();
    await expect(app.getByTestId('lineage-node-marts.borough_daily_summary')).toHaveCount(0);
    await app.getByRole('button', { name: 'All downstream' }).click();
    await expect(app.getByTestId('downstream-depth')).toHaveText('all');
    await expect(app.getByTestId('lineage-node-marts.borough_daily_summary')).toBeVisible();
    await expect(app.getByRole('button', { name: 'More downstream levels' })).toBeDisabled();
    await app.screenshot({ path: testInfo.outputPath('lineage-all-downstream.png') });
    await app.getByRole('button', { name: 'All downstream' }).click();
    await expect(app.getByTestId('downstream-depth')).toHaveText('1');
  });
});

import { test as base, expect } from '@playwright/test';
import { createTestProject } from '../src-main/plan/test-project';
import { startServe, type ServedApp } from './fixtures';

const test = base.extend<object, { broken: ServedApp }>({
  broken: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const project = await createTestProject({
        'models/bad.sql': 'MODEL (name x.bad, dialect snowflake);\nSELECT 1 AS one',
        // A misspelt column: known to be wrong from the upstream model's columns, without running anything.
        'models/typo.sql': 'MODEL (name x.typo, kind VIEW);\nSELECT amout FROM staging.stg_events',
      });
      const served = await startServe(project);
      await use(served);
      served.process.kill('SIGTERM');
    },
    { scope: 'worker' },
  ],
});

test('the header counts the project problems and lists them with file, line and column', async ({ page, broken }, testInfo) => {
  await page.goto(broken.url);
  const badge = page.getByTestId('problems-badge');
  await expect(badge).toContainText('2 errors');
  await badge.click();
  await expect(page.getByRole('list').filter({ hasText: 'models/bad.sql:1:' })).toContainText('snowflake');
  await expect(page.getByRole('listitem').filter({ hasText: 'models/typo.sql:2:8' })).toContainText("Did you mean 'amount'?");
  await page.screenshot({ path: testInfo.outputPath('problems.png') });
});

import { test as base, expect } from '@playwright/test';
import { createTestProject } from '../src-main/plan/test-project';
import { startServe, type ServedApp } from './fixtures';

const test = base.extend<object, { broken: ServedApp }>({
  broken: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const project = await createTestProject({ 'models/bad.sql': 'MODEL (name x.bad, dialect snowflake);\nSELECT 1 AS one' });
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
  await expect(badge).toContainText('1 error');
  await badge.click();
  await expect(page.getByRole('list').filter({ hasText: 'models/bad.sql:1:' })).toContainText('snowflake');
  await page.screenshot({ path: testInfo.outputPath('problems.png') });
});

/**
 * End-to-end tests: a Chromium (PAS_CHROMIUM, the system's, or Playwright's: see
 * scripts/browser.mjs, which `npm run test:e2e` runs first to find or install one) driven by
 * Playwright against the real `pas serve`; screenshots of each state land in test-results/.
 */
import { defineConfig } from '@playwright/test';
import { locateBrowser, missingBrowserMessage } from './scripts/browser.mjs';

const found = locateBrowser();
export const chromiumPath = found?.path ?? '';
export const chromiumMissing = found ? undefined : missingBrowserMessage();

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: chromiumPath,
      // Chromium's own background traffic is refused on a closed network; keep it quiet.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'off',
  },
});

/**
 * End-to-end tests: Debian's Chromium (or PAS_CHROMIUM) driven by Playwright against the real
 * `pas serve`; screenshots of each state land in test-results/.
 */
import { defineConfig } from '@playwright/test';

export const chromiumPath = process.env.PAS_CHROMIUM ?? '/usr/bin/chromium';

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

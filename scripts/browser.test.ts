import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { downloadHostAnswers, ensureBrowser, locateBrowser } from './browser.mjs';

/** A fake filesystem: exactly these files exist. */
const files = (...paths: string[]) => (file: string) => paths.includes(file);
const none = () => undefined;
const NO_CACHE = '/nonexistent/browser.json';

describe('finding a Chromium for the end-to-end tests', () => {
  it('takes PAS_CHROMIUM first, and says so when it names no file', () => {
    const env = { PAS_CHROMIUM: '/opt/my/chrome', PATH: '/usr/bin' };
    expect(locateBrowser({ env, platform: 'linux', exists: files('/opt/my/chrome', '/usr/bin/chromium'), playwrightPath: none, cacheFile: NO_CACHE })).toEqual({ path: '/opt/my/chrome', source: 'PAS_CHROMIUM' });
    expect(() => locateBrowser({ env, platform: 'linux', exists: files(), playwrightPath: none, cacheFile: NO_CACHE })).toThrow('PAS_CHROMIUM is set to /opt/my/chrome, but there is no file there.');
  });

  it('finds a system browser at the usual places on Linux, macOS and Windows, under a search root', () => {
    expect(locateBrowser({ env: {}, platform: 'linux', searchRoot: '/fake', exists: files('/fake/snap/bin/chromium'), playwrightPath: none, cacheFile: NO_CACHE })).toEqual({ path: '/fake/snap/bin/chromium', source: 'system' });
    expect(locateBrowser({ env: {}, platform: 'darwin', home: '/Users/a', exists: files('/Users/a/Applications/Chromium.app/Contents/MacOS/Chromium'), playwrightPath: none, cacheFile: NO_CACHE })?.source).toBe('system');
    const win = locateBrowser({ env: { LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, platform: 'win32', home: 'C:\\Users\\a', exists: files('C:\\Users\\a\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe'), playwrightPath: none, cacheFile: NO_CACHE });
    expect(win).toEqual({ path: 'C:\\Users\\a\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe', source: 'system' });
  });

  it('finds a browser on PATH, then Playwright’s own download', () => {
    expect(locateBrowser({ env: { PATH: '/a:/home/u/bin' }, platform: 'linux', exists: files('/home/u/bin/google-chrome'), playwrightPath: none, cacheFile: NO_CACHE })).toEqual({ path: '/home/u/bin/google-chrome', source: 'PATH' });
    expect(locateBrowser({ env: { PATH: '/a' }, platform: 'linux', exists: files('/pw/chrome'), playwrightPath: () => '/pw/chrome', cacheFile: NO_CACHE })).toEqual({ path: '/pw/chrome', source: 'playwright' });
    expect(locateBrowser({ env: { PATH: '/a' }, platform: 'linux', exists: files(), playwrightPath: () => '/pw/chrome', cacheFile: NO_CACHE })).toBeUndefined();
  });

  it('with nothing found, tries the Playwright download, then apt-get, then names what to install', async () => {
    const tried: string[] = [];
    const steps = {
      playwright: async () => (tried.push('playwright'), false),
      apt: async () => (tried.push('apt'), false),
    };
    await expect(ensureBrowser({ env: { PATH: '/a' }, platform: 'linux', exists: files(), playwrightPath: none, cacheFile: NO_CACHE, steps, log: () => {} })).rejects.toThrow(/No Chromium for the end-to-end tests: install Chromium \(Debian\/Ubuntu: `sudo apt-get install chromium`/);
    expect(tried).toEqual(['playwright', 'apt']);
  });

  it('uses what a step provided', async () => {
    const installed = new Set<string>();
    const steps = { playwright: async () => false, apt: async () => (installed.add('/usr/bin/chromium'), true) };
    const exists = (file: string) => installed.has(file);
    // The search root hides the real system browser; apt installs into the real /usr/bin.
    expect(await ensureBrowser({ env: { PATH: '/usr/bin' }, platform: 'linux', searchRoot: '/empty', exists, playwrightPath: none, cacheFile: NO_CACHE, steps, log: () => {} })).toEqual({ path: '/usr/bin/chromium', source: 'apt' });
  });

  it('reports an unreachable download host as unreachable instead of hanging', async () => {
    expect(await downloadHostAnswers({ PLAYWRIGHT_DOWNLOAD_HOST: 'https://download-host.invalid' }, 4000)).toBe(false);
  });

  it('finds a real browser on this machine where one is installed', () => {
    const found = locateBrowser();
    if (found) expect(existsSync(found.path)).toBe(true);
  });
});

#!/usr/bin/env node
// The Chromium that the end-to-end tests (playwright.config.ts) and `pas serve --open` use,
// found or provided in this order:
//   1. PAS_CHROMIUM, when set (an error if it names no file);
//   2. a system Chromium, Chrome or Edge at the usual places on Linux, macOS and Windows, or on PATH;
//   3. Playwright's own download (`playwright install chromium`), already there or fetched now
//      where its download host answers (checked first, in a few seconds);
//   4. as root with apt-get: Debian's `chromium` package;
// otherwise one message saying what to install. `node scripts/browser.mjs` runs the whole chain
// (npm runs it before the e2e tests) and prints what it found. `openApp` opens the app for a
// person (`pas serve --open`, `npm start` in web mode).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** What the last `ensureBrowser` provided (a download or an apt install), for the test run that follows. */
export const DEFAULT_CACHE_FILE = path.join(root, 'node_modules/.cache/pas/browser.json');

function remembered(cacheFile, exists) {
  try {
    const saved = JSON.parse(readFileSync(cacheFile, 'utf8'));
    return typeof saved.path === 'string' && exists(saved.path) ? saved : undefined;
  } catch {
    return undefined;
  }
}

/** Names a Chromium-family browser goes by on PATH. */
const PATH_NAMES = {
  linux: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'],
  darwin: ['chromium', 'google-chrome', 'chrome'],
  win32: ['chrome.exe', 'chromium.exe', 'msedge.exe'],
};

/** Where browsers are installed when they are not on PATH. */
export function wellKnownPaths(platform, env, home) {
  if (platform === 'darwin') {
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'];
    return [...apps.map((a) => `/Applications/${a}`), ...apps.map((a) => path.posix.join(home, 'Applications', a))];
  }
  if (platform === 'win32') {
    const bases = [env.PROGRAMFILES ?? 'C:\\Program Files', env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)', env.LOCALAPPDATA ?? path.win32.join(home, 'AppData', 'Local')];
    const apps = ['Google\\Chrome\\Application\\chrome.exe', 'Chromium\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe'];
    return bases.flatMap((b) => apps.map((a) => path.win32.join(b, a)));
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium', '/opt/google/chrome/chrome', '/usr/lib/chromium/chromium'];
}

/** `file` under `searchRoot` (the real filesystem when none: tests point it at a fake one). */
function under(searchRoot, file) {
  return searchRoot ? path.join(searchRoot, file.replace(/^[A-Za-z]:/, '')) : file;
}

/**
 * A browser already on this machine, or undefined. Pure apart from `exists` (injected, as are
 * env, platform and the search root, so tests run it against a fake filesystem).
 */
export function locateBrowser({ env = process.env, platform = process.platform, home = os.homedir(), exists = existsSync, searchRoot = env.PAS_BROWSER_SEARCH_ROOT, playwrightPath = playwrightExecutable, cacheFile = DEFAULT_CACHE_FILE } = {}) {
  if (env.PAS_CHROMIUM) {
    if (!exists(env.PAS_CHROMIUM)) throw new Error(`PAS_CHROMIUM is set to ${env.PAS_CHROMIUM}, but there is no file there.`);
    return { path: env.PAS_CHROMIUM, source: 'PAS_CHROMIUM' };
  }
  const provided = remembered(cacheFile, exists);
  if (provided) return provided;
  for (const file of wellKnownPaths(platform, env, home)) {
    if (exists(under(searchRoot, file))) return { path: under(searchRoot, file), source: 'system' };
  }
  const separator = platform === 'win32' ? ';' : ':';
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  for (const dir of (env.PATH ?? env.Path ?? '').split(separator).filter(Boolean)) {
    for (const name of PATH_NAMES[platform] ?? PATH_NAMES.linux) {
      const file = under(searchRoot, join(dir, name));
      if (exists(file)) return { path: file, source: 'PATH' };
    }
  }
  const downloaded = playwrightPath();
  if (downloaded && exists(downloaded)) return { path: downloaded, source: 'playwright' };
  return undefined;
}

/** Where Playwright keeps (or would keep) its own Chromium; undefined when playwright-core is absent. */
function playwrightExecutable() {
  try {
    return createRequire(import.meta.url)('playwright-core').chromium.executablePath();
  } catch {
    return undefined;
  }
}

/** Whether Playwright's download host answers within `timeoutMs` (DNS failure answers at once). */
export function downloadHostAnswers(env = process.env, timeoutMs = 4000) {
  const host = env.PLAYWRIGHT_DOWNLOAD_HOST ?? 'https://cdn.playwright.dev';
  return new Promise((resolve) => {
    try {
      const req = request(host, { method: 'HEAD', timeout: timeoutMs }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
      req.end();
    } catch {
      resolve(false);
    }
  });
}

export function missingBrowserMessage(platform = process.platform) {
  const how =
    platform === 'darwin'
      ? 'install Google Chrome or Chromium (e.g. `brew install --cask chromium`)'
      : platform === 'win32'
        ? 'install Google Chrome or Microsoft Edge'
        : 'install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`; Fedora: `sudo dnf install chromium`)';
  return `No Chromium for the end-to-end tests: ${how}, or set PAS_CHROMIUM to a Chromium-family browser's executable. (Playwright's own download, \`npx playwright install chromium\`, works where its download host is reachable.)`;
}

/**
 * A browser, provided if need be. `steps` lets tests replace the slow, machine-changing parts
 * (the Playwright download and apt-get); each returns true when it installed something.
 */
export async function ensureBrowser({ log = (line) => console.error(line), steps = defaultSteps, ...options } = {}) {
  const found = locateBrowser(options);
  if (found) return found;
  const env = options.env ?? process.env;
  log('No Chromium found (PAS_CHROMIUM unset; none at the usual places or on PATH; no Playwright download).');
  const remember = (found) => {
    if (options.cacheFile === undefined || options.cacheFile === DEFAULT_CACHE_FILE) {
      mkdirSync(path.dirname(DEFAULT_CACHE_FILE), { recursive: true });
      writeFileSync(DEFAULT_CACHE_FILE, JSON.stringify(found));
    }
    return found;
  };
  if (await steps.playwright(env, log)) {
    const fetched = locateBrowser(options);
    if (fetched) return remember(fetched);
  }
  if (await steps.apt(env, log)) {
    const exists = options.exists ?? existsSync;
    if (exists('/usr/bin/chromium')) return remember({ path: '/usr/bin/chromium', source: 'apt' });
  }
  throw new Error(missingBrowserMessage(options.platform));
}

const defaultSteps = {
  async playwright(env, log) {
    if (!(await downloadHostAnswers(env))) {
      log("Playwright's browser download host is not reachable from here; skipping `playwright install chromium`.");
      return false;
    }
    log('Fetching Playwright\'s Chromium (`playwright install chromium`)…');
    const cli = path.join(root, 'node_modules/playwright-core/cli.js');
    const result = spawnSync(process.execPath, [cli, 'install', 'chromium'], { cwd: root, env, stdio: 'inherit', timeout: 600_000 });
    return result.status === 0;
  },
  async apt(env, log) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (process.platform !== 'linux' || !isRoot || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return false;
    log("Installing Debian's chromium (apt-get update && apt-get install -y chromium)…");
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { env: aptEnv, stdio: 'inherit', timeout: 600_000 });
    if (update.status !== 0) return false;
    return spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { env: aptEnv, stdio: 'inherit', timeout: 900_000 }).status === 0;
  },
};

/**
 * Opens the app's `url` for a person: in an app window of a local Chromium-family browser when
 * one is found, else in the system's browser. Skipped (returns false) where there is no display.
 */
export function openApp(url, { env = process.env, platform = process.platform } = {}) {
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
  let browser;
  try {
    browser = locateBrowser({ env, platform })?.path;
  } catch {
    browser = undefined;
  }
  const [command, args] = browser
    ? [browser, [`--app=${url}`]]
    : platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // No top-level await: the CLI bundle (CommonJS) includes this file.
  ensureBrowser().then(
    (found) => console.log(`Chromium for the end-to-end tests: ${found.path} (${found.source})`),
    (error) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}

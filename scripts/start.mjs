#!/usr/bin/env node
// `npm start`: builds the app when the sources are newer than the build (scripts/build.mjs),
// then opens it on the bundled example project in Electron. Where Electron cannot start (its
// binary cannot be downloaded, no display, a platform without a build) it prints the reason in
// one line and opens the same app in web mode (`pas serve`) in a browser instead. A failed
// download is remembered for a day, so later starts do not wait for it again
// (PAS_RETRY_ELECTRON=1 tries at once).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build.mjs';
import { downloadFailureReason, probeDownloadHost } from './electron-failure.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const project = process.env.PAS_PROJECT ?? root;
const electronDir = path.join(root, 'node_modules/electron');
const failureFile = path.join(root, 'node_modules/.cache/pas/electron-failure.json');
const REMEMBER_FAILURE_MS = 24 * 60 * 60 * 1000;

function electronVersion() {
  try {
    return JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function installedBinary() {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

function rememberedFailure(version) {
  if (process.env.PAS_RETRY_ELECTRON) return undefined;
  try {
    const saved = JSON.parse(readFileSync(failureFile, 'utf8'));
    if (saved.version === version && Date.now() - saved.at < REMEMBER_FAILURE_MS) return saved;
  } catch {
    // Nothing remembered.
  }
  return undefined;
}

/** Electron's binary, fetched if need be; or the reason there is none. */
async function electronBinary() {
  const version = electronVersion();
  if (!version) return { reason: 'not installed: node_modules/electron is missing (run npm install)' };
  const target = `${process.platform}-${process.arch}`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'platform: no display to open a window on ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  }
  const binary = installedBinary();
  if (binary) return { binary };
  const remembered = rememberedFailure(version);
  if (remembered) return { reason: `${remembered.reason} — remembered from ${new Date(remembered.at).toLocaleString()}; PAS_RETRY_ELECTRON=1 npm start tries again` };
  console.log(`Fetching Electron ${version}'s binary for ${target}…`);
  const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { cwd: electronDir, encoding: 'utf8', timeout: 120_000 });
  const fetched = installedBinary();
  if (fetched) return { binary: fetched };
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`;
  const cause = /fetch failed/i.test(output) ? await probeDownloadHost() : undefined;
  const reason = result.error?.code === 'ETIMEDOUT' ? `network: the download of Electron ${version} for ${target} took over 2 minutes` : downloadFailureReason(output, version, target, cause);
  try {
    mkdirSync(path.dirname(failureFile), { recursive: true });
    writeFileSync(failureFile, JSON.stringify({ version, reason, at: Date.now() }));
  } catch {
    // Not remembering only costs the next start the same wait.
  }
  return { reason };
}

async function webMode(reason) {
  console.log(`${forceWeb ? 'Web mode' : 'Electron cannot start here'} — ${reason}. Opening the same app in your browser instead (web mode: \`pas serve\`, 127.0.0.1 only).`);
  // The prebuilt CLI (out/cli/pas.cjs) runs in this very process: no second Node start, no
  // TypeScript to compile. It is rebuilt first when the sources changed since it was built.
  const { buildCli, bundleIsFresh, loadCli } = await import('./cli-bundle.mjs');
  if (!bundleIsFresh()) {
    console.log('Building the CLI (out/cli/pas.cjs)…');
    await buildCli();
  }
  const open = process.env.PAS_NO_OPEN ? [] : ['--open'];
  // The build was checked above: `pas serve` need not walk the sources again.
  process.env.PAS_RENDERER_DIR ??= path.join(root, 'out/renderer');
  process.argv = [process.argv[0], process.argv[1], 'serve', '--project', project, ...open];
  await loadCli().exports.runCli();
}

try {
  buildIfStale(root, (line) => console.log(line));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
// `npm start -- --web` (or PAS_WEB=1) skips Electron.
const forceWeb = process.argv.includes('--web') || Boolean(process.env.PAS_WEB);
const electron = forceWeb ? { reason: 'web mode was asked for (--web or PAS_WEB)' } : await electronBinary();
if (electron.binary) {
  // Electron that dies at once (missing libraries, a refused sandbox) falls back to web mode with its last words.
  const child = spawn(electron.binary, [path.join(root, 'out/main/index.js'), '--project', project], { stdio: ['inherit', 'inherit', 'pipe'] });
  const started = Date.now();
  let lastLines = '';
  child.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    lastLines = `${lastLines}${chunk}`.slice(-2000);
  });
  child.on('error', (error) => void webMode(`its binary would not run (${error.message})`));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null && Date.now() - started < 15_000) {
      const last = lastLines.trim().split('\n').filter(Boolean).at(-1) ?? `exit code ${code}`;
      void webMode(`it exited at once (${last.trim().slice(0, 300)})`);
    } else {
      process.exit(code ?? 0);
    }
  });
} else {
  await webMode(electron.reason);
}

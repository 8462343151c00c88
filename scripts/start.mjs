#!/usr/bin/env node
// `npm start`: builds the app when the sources are newer than the build, then opens it on the
// bundled example project in Electron. Where Electron's binary cannot be had (no download
// possible), it says so and opens the same app in web mode (`pas serve`) instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const project = process.env.PAS_PROJECT ?? root;

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function buildIfStale() {
  const marker = path.join(root, 'out/renderer/index.html');
  const sources = Math.max(...['src-main', 'src-renderer', 'src-shared'].map((d) => newestMtime(path.join(root, d))));
  if (existsSync(marker) && statSync(marker).mtimeMs >= sources) return;
  console.log('Building the app (electron-vite build)…');
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function electronBinary() {
  const dir = path.join(root, 'node_modules/electron');
  const pathFile = path.join(dir, 'path.txt');
  const installed = () => existsSync(pathFile) && existsSync(path.join(dir, 'dist', readFileSync(pathFile, 'utf8')));
  if (!installed() && existsSync(path.join(dir, 'install.js'))) {
    console.log("Fetching Electron's binary…");
    spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, stdio: 'ignore', timeout: 120_000 });
  }
  return installed() ? path.join(dir, 'dist', readFileSync(pathFile, 'utf8')) : undefined;
}

buildIfStale();
const electron = electronBinary();
if (electron) {
  const child = spawn(electron, [path.join(root, 'out/main/index.js'), '--project', project], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    [
      '',
      "Electron's binary is not available on this machine (it is downloaded on first start, and the download failed).",
      'Opening the same app in your browser instead, with `pas serve` (web mode, 127.0.0.1 only).',
      'You can also run it yourself:  npx pas serve --project <folder>',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [path.join(root, 'bin/pas.mjs'), 'serve', '--project', project], { stdio: 'inherit' });
  const stop = () => child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}

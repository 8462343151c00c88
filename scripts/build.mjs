// Builds the app when its build is missing or older than its sources: shared by `npm start`
// (scripts/start.mjs) and `pas serve` (src-main/cli/commands/serve.ts), so both run what the
// checkout holds. The staleness walk stops at the first source newer than the build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** What the build writes; the oldest of them dates the build. */
export const BUILD_OUTPUTS = ['out/renderer/index.html', 'out/main/index.js', 'out/preload/index.cjs'];
/** What the build reads. */
export const BUILD_INPUTS = ['src-main', 'src-renderer', 'src-shared', 'electron.vite.config.ts', 'package.json'];

/** Whether any file under `entry` changed after `since` (ms); stops at the first one. */
function changedSince(entry, since) {
  let stat;
  try {
    stat = statSync(entry);
  } catch {
    return false;
  }
  if (!stat.isDirectory()) return stat.mtimeMs > since;
  for (const child of readdirSync(entry)) {
    if (changedSince(path.join(entry, child), since)) return true;
  }
  return false;
}

/** Why the build at `root` must run again, or undefined when it is current. */
export function staleReason(root) {
  let built = Infinity;
  for (const output of BUILD_OUTPUTS) {
    const file = path.join(root, output);
    if (!existsSync(file)) return `${output} is missing`;
    built = Math.min(built, statSync(file).mtimeMs);
  }
  const changed = BUILD_INPUTS.find((input) => changedSince(path.join(root, input), built));
  return changed ? `${changed} changed since the last build` : undefined;
}

/** The build command: electron-vite directly when `npm run build` is just that (no npm start-up cost). */
function buildCommand(root) {
  const script = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts?.build;
  const direct = path.join(root, 'node_modules/electron-vite/bin/electron-vite.js');
  if (script === 'electron-vite build' && existsSync(direct)) return { command: process.execPath, args: [direct, 'build'], shell: false };
  return { command: 'npm', args: ['run', 'build'], shell: process.platform === 'win32' };
}

/**
 * Builds the checkout at `root` when stale, saying so in one line through `log`; the build's
 * own output is shown only when it fails. Returns whether it built. A folder without sources
 * (an installed package) is left alone.
 */
export function buildIfStale(root, log = (line) => console.error(line)) {
  if (!existsSync(path.join(root, 'src-renderer')) || !existsSync(path.join(root, 'electron.vite.config.ts'))) return false;
  const reason = staleReason(root);
  if (!reason) return false;
  log(`Building the app (${reason})…`);
  const { command, args, shell } = buildCommand(root);
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', shell, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`The build failed (\`npm run build\` in ${root})${result.error ? `: ${result.error.message}` : ''}${output ? `:\n${output}` : '.'}`);
  }
  return true;
}

/**
 * Start-up: `npm start` (web mode, on a built checkout) until it prints the URL, and `pas serve`
 * from a cold process until the page is interactive in Chromium (the Models explorer lists the
 * example project's models as clickable items and the header shows the engine), each beside
 * baselines measured in the same run: a bare `node -e ""`, and a static page served by Node
 * and loaded by the same browser.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { locateBrowser } from '../scripts/browser.mjs';
import { buildIfStale } from '../scripts/build.mjs';
import type { Figure } from './harness';

const root = path.resolve(import.meta.dirname, '..');
const RUNS = 3;
/** The example project's models, as the Models explorer lists them (data-testid explorer-model-NAME). */
const EXAMPLE_MODELS = ['staging.stg_collisions', 'intermediate.int_collisions_daily', 'marts.borough_daily_summary'];
const URL_PATTERN = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Spawns a command and resolves with the ms until it printed the app's URL (and the URL); the process is then stopped. */
function timeToUrl(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; url: string; stop: () => Promise<void> }> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      try {
        // npm start's tree (npm, start.mjs, pas serve) stops as one group.
        process.kill(process.platform === 'win32' ? child.pid! : -child.pid!, 'SIGINT');
      } catch {
        child.kill('SIGINT');
      }
    });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = URL_PATTERN.exec(output)?.[1];
      if (url) {
        child.stdout.off('data', onData);
        resolve({ ms: performance.now() - started, url, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code} before printing a URL:\n${output}`)));
  });
}

function nodeStartMs(): number {
  const started = performance.now();
  spawnSync(process.execPath, ['-e', '']);
  return performance.now() - started;
}

export async function run(): Promise<Figure[]> {
  buildIfStale(root, (line) => process.stderr.write(`${line}\n`));
  const browserPath = locateBrowser()?.path;
  if (!browserPath) throw new Error('startup bench: no Chromium found (see scripts/browser.mjs)');
  const env = { ...process.env, PAS_NO_OPEN: '1', PAS_WEB: '1' };
  // `pas` as installed: bin/pas.mjs runs the prebuilt bundle (out/cli/pas.mjs only exports runCli).
  const cli = path.join(root, 'bin/pas.mjs');

  const nodeBaseline: number[] = [];
  const npmStart: number[] = [];
  const serveUrl: number[] = [];
  const serveInteractive: number[] = [];
  const pageInteractive: number[] = [];
  const staticLoad: number[] = [];

  const staticServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>static</title><main id="ready">ready</main>');
  });
  await new Promise<void>((resolve) => staticServer.listen(0, '127.0.0.1', resolve));
  const staticUrl = `http://127.0.0.1:${(staticServer.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    for (let i = 0; i < RUNS; i++) {
      nodeBaseline.push(nodeStartMs());

      const npm = await timeToUrl(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start', '--silent'], env);
      npmStart.push(npm.ms);
      await npm.stop();

      const page = await browser.newPage();
      const serve = await timeToUrl(process.execPath, [cli, 'serve', '--port', '0', '--project', root], env);
      serveUrl.push(serve.ms);
      const loadStarted = performance.now();
      await page.goto(serve.url);
      for (const model of EXAMPLE_MODELS) await page.getByTestId(`explorer-model-${model}`).waitFor();
      await page.locator('.app-header .engine', { hasText: 'DuckDB' }).waitFor();
      pageInteractive.push(performance.now() - loadStarted);
      serveInteractive.push(serve.ms + (performance.now() - loadStarted));
      await page.close();
      await serve.stop();

      const staticPage = await browser.newPage();
      const staticStarted = performance.now();
      await staticPage.goto(staticUrl);
      await staticPage.locator('#ready').waitFor();
      staticLoad.push(performance.now() - staticStarted);
      await staticPage.close();
    }
  } finally {
    await browser.close();
    staticServer.close();
  }

  const node = median(nodeBaseline);
  const start = median(npmStart);
  const interactive = median(serveInteractive);
  const via = path.relative(root, cli);
  return [
    { name: 'npm start (web mode, built) → URL printed', value: start, unit: 'ms', baseline: `node -e "": ${node.toFixed(0)} ms (${(start / node).toFixed(1)}x); pas serve alone → URL: ${median(serveUrl).toFixed(0)} ms via ${via}`, target: '< 1500 ms', met: start < 1500 },
    { name: 'pas serve cold start → Models explorer lists the example', value: interactive, unit: 'ms', baseline: `of which URL → explorer: ${median(pageInteractive).toFixed(0)} ms; static page load in the same Chromium: ${median(staticLoad).toFixed(0)} ms; node -e "": ${node.toFixed(0)} ms`, target: '< 1000 ms', met: interactive < 1000 },
  ];
}

/**
 * `pas serve [--port N] [--project DIR] [--allow DIR]... [--open]`: the app in a browser, on
 * 127.0.0.1 only (`--open` opens one). `--allow` names folders whose projects the browser may
 * open besides the first (the app's Open project dialog, `?project=DIR` in the URL).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApp } from '../../../scripts/browser.mjs';
import { buildIfStale } from '../../../scripts/build.mjs';
import { PasService } from '../../service/service';
import { readDiscovery } from '../../server/discovery';
import { publishServedProject } from '../../server/engine-endpoint';
import { startWebServer } from '../../server/web-server';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { connectRunningEngine, findProjectDir } from '../connect';
import { write } from '../output';

/** The renderer that `npm run build` (electron-vite) produces. */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

export const serveOptions = { port: { type: 'string' }, project: { type: 'string', short: 'p' }, allow: { type: 'string', multiple: true }, open: { type: 'boolean' } } as const;

export async function serveCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs('serve', argv, serveOptions);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`pas serve: --port must be a whole number from 0 to 65535, got "${values.port}"`);
  }
  const rendererDir = process.env.PAS_RENDERER_DIR ?? DEFAULT_RENDERER_DIR;
  // In a checkout, build the UI first when it is missing or older than the sources (as `npm start` does).
  if (!process.env.PAS_RENDERER_DIR) {
    try {
      buildIfStale(path.resolve(DEFAULT_RENDERER_DIR, '../..'), (line) => io.stderr.write(`${line}\n`));
    } catch (error) {
      throw new CliError(`pas serve: ${error instanceof Error ? error.message : String(error)}`, 1);
    }
  }
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new CliError(`pas serve: the app's UI is not built (no ${rendererDir}/index.html). Run \`npm run build\` first.`, 1);
  }
  const project = values.project as string | undefined;
  const projectDir = findProjectDir(project) ?? path.resolve(project ?? '.');
  const running = await connectRunningEngine(projectDir);
  if (running) {
    await running.close();
    const pid = readDiscovery(projectDir)?.pid;
    throw new CliError(`pas serve: ${projectDir} is already open in another engine${pid ? ` (pid ${pid})` : ''}; its commands go through it. Close it first.`, 1);
  }
  const allow = ((values.allow as string[] | undefined) ?? []).map((dir) => path.resolve(dir));
  for (const dir of allow) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`pas serve: --allow ${dir}: no such folder`);
  }
  const service = await PasService.create({ projectDir, openInBackground: true, projects: { allow } });
  const server = await startWebServer({ service, rendererDir, port });
  const unpublish = publishServedProject(service, server.port, server.token);
  try {
    await write(io.stdout, `Portable Analytics Studio is serving ${service.projectDir}\n${allow.length > 0 ? `Projects under ${allow.join(', ')} may be opened from the app\n` : ''}Open ${server.url}\n`);
    if (values.open) openApp(server.url);
    // A Ctrl+C while it was starting (building the app takes a while) stops it now: an aborted
    // signal never fires 'abort' again, and a second Ctrl+C went unheard.
    if (!io.signal.aborted) await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    unpublish();
    await server.close();
    await service.close();
  }
  return 0;
}

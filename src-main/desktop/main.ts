/**
 * The Electron door (thin): one window with secure defaults, the renderer served from the
 * `app://` scheme with a strict Content-Security-Policy, and the contract over IPC to the
 * same PasService the CLI, web mode and tests use. Navigation and new windows are blocked.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, type WebContents } from 'electron';
import { isTopicName, type TopicName } from '../../src-shared/contract';
import { startEngineEndpoint } from '../server/engine-endpoint';
import { contentSecurityPolicy } from '../server/security';
import { PasService } from '../service/service';
import { RequestTracker } from '../service/requests';
import { APP_ORIGIN, APP_SCHEME, IPC } from './channels';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '../renderer');
const preloadPath = path.join(here, '../preload/index.cjs');

const CSP = contentSecurityPolicy();

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

function projectDirFromArgs(argv: string[]): string {
  const flag = argv.indexOf('--project');
  const value = flag >= 0 ? argv[flag + 1] : process.env.PAS_PROJECT;
  return path.resolve(value ?? process.cwd());
}

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(rendererDir, `.${relative}`);
    if (!file.startsWith(rendererDir + path.sep)) return new Response('Forbidden', { status: 403 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

function fromOurPage(contents: WebContents, frameUrl: string | undefined): boolean {
  return !contents.isDestroyed() && (frameUrl ?? '').startsWith(`${APP_ORIGIN}/`);
}

function wireIpc(service: PasService): void {
  const trackers = new Map<number, RequestTracker>();
  const subscriptions = new Map<number, Map<TopicName, () => void>>();
  const trackerFor = (contents: WebContents) => {
    let tracker = trackers.get(contents.id);
    if (!tracker) {
      tracker = new RequestTracker();
      trackers.set(contents.id, tracker);
      contents.once('destroyed', () => {
        tracker?.cancelAll();
        trackers.delete(contents.id);
        for (const off of subscriptions.get(contents.id)?.values() ?? []) off();
        subscriptions.delete(contents.id);
      });
    }
    return tracker;
  };

  ipcMain.handle(IPC.invoke, async (event, id: unknown, method: unknown, params: unknown) => {
    if (!fromOurPage(event.sender, event.senderFrame?.url)) {
      return { ok: false, error: { code: 'unauthorized', message: 'Calls are accepted from the app page only.' } };
    }
    if (typeof id !== 'string' || typeof method !== 'string') {
      return { ok: false, error: { code: 'validation', message: 'Malformed call', issues: [{ path: 'id', message: 'expected a string' }] } };
    }
    const tracker = trackerFor(event.sender);
    const signal = tracker.start(id);
    try {
      return await service.call(method, params, { requestId: id, signal });
    } finally {
      tracker.finish(id, signal);
    }
  });
  ipcMain.on(IPC.cancel, (event, id: unknown) => {
    if (typeof id === 'string' && fromOurPage(event.sender, event.senderFrame?.url)) trackerFor(event.sender).cancel(id);
  });
  ipcMain.on(IPC.subscribe, (event, topic: unknown) => {
    if (!isTopicName(topic) || !fromOurPage(event.sender, event.senderFrame?.url)) return;
    const contents = event.sender;
    trackerFor(contents);
    let topics = subscriptions.get(contents.id);
    if (!topics) subscriptions.set(contents.id, (topics = new Map()));
    if (topics.has(topic)) return;
    topics.set(
      topic,
      service.events.on(topic, (payload) => {
        if (!contents.isDestroyed()) contents.send(IPC.event, topic, payload);
      }),
    );
  });
  ipcMain.on(IPC.unsubscribe, (event, topic: unknown) => {
    if (!isTopicName(topic)) return;
    const topics = subscriptions.get(event.sender.id);
    topics?.get(topic)?.();
    topics?.delete(topic);
  });
}

function lockDown(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Portable Analytics Studio',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  // The page's beforeunload guards unsaved tabs; a browser asks the user, Electron silently
  // keeps the window open unless the app asks: so ask here (the drafts survive either way).
  window.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(window, {
      type: 'question',
      buttons: ['Close', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'Some tabs have unsaved changes.',
      detail: 'They are kept as drafts and come back, still unsaved, when you open this project again.',
    });
    if (choice === 0) event.preventDefault();
  });
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

async function start(): Promise<void> {
  await app.whenReady();
  let window: BrowserWindow | undefined = undefined;
  const service = await PasService.create({
    projectDir: projectDirFromArgs(process.argv),
    // Other projects open from the recent list or a folder the user chose in the native dialog.
    projects: {
      openAnyRecent: true,
      pickFolder: async () => {
        const options = { title: 'Open a project folder', properties: ['openDirectory' as const] };
        const chosen = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
        return chosen.canceled ? undefined : chosen.filePaths[0];
      },
    },
  });
  // `pas` commands run from a terminal on this project go through this engine (.pas/engine.json).
  const endpoint = await startEngineEndpoint(service);
  serveRenderer();
  lockDown();
  wireIpc(service);
  window = createWindow();
  app.on('window-all-closed', () => {
    void endpoint.close().finally(() => service.close().finally(() => app.quit()));
  });
}

void start();

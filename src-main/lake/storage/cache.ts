/**
 * The local read cache of remote lake objects. Data files are immutable, so a cached copy
 * is never stale: an object is downloaded once (to a temporary name, then renamed into
 * place atomically), concurrent requests for the same object share one download, and the
 * folder can be pruned to a size limit, least recently used first (use = file mtime,
 * refreshed on every hit).
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { PasException } from '../../../src-shared/errors';

export interface ReadCacheOptions {
  /** Cache folder; default `defaultCacheFolder()`. */
  folder?: string;
  /**
   * Size limit: `prune()` without an argument prunes to it, and downloads that push the
   * cache over it start a prune in the background (sparing files used in the last
   * `protectRecentMs`, which a reader may be about to open).
   */
  maxBytes?: number;
  /** Default 60 s. */
  protectRecentMs?: number;
}

export interface PruneOptions {
  /** Never remove files used within this many milliseconds. */
  keepUsedWithinMs?: number;
}

/** Writes the object's bytes to `tempPath`; must stop when `signal` aborts. */
export type Download = (tempPath: string, signal: AbortSignal) => Promise<void>;

export interface PruneResult {
  removedFiles: number;
  removedBytes: number;
  keptBytes: number;
}

const TEMP_MARK = '.part-';
/** Temporary files older than this are leftovers of a crashed process. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/** `<OS cache dir>/pas/lake`: XDG_CACHE_HOME or ~/.cache, ~/Library/Caches, %LOCALAPPDATA%. */
export function defaultCacheFolder(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') {
    return path.join(env.LOCALAPPDATA ?? path.join(homedir(), 'AppData', 'Local'), 'pas', 'Cache', 'lake');
  }
  if (platform === 'darwin') return path.join(homedir(), 'Library', 'Caches', 'pas', 'lake');
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'pas', 'lake');
}

interface Job {
  promise: Promise<void>;
  controller: AbortController;
  waiters: number;
}

export class ReadCache {
  readonly folder: string;
  readonly maxBytes: number | undefined;
  private readonly protectRecentMs: number;
  /** Estimated cache size for the automatic prune; undefined until first measured. */
  private approxBytes: number | undefined;
  private tracking: Promise<void> = Promise.resolve();
  private readonly jobs = new Map<string, Job>();
  /** Every download not yet settled, cancelled ones included. */
  private readonly running = new Set<Promise<void>>();
  private lastStamp = 0;

  constructor(options: ReadCacheOptions = {}) {
    this.folder = path.resolve(options.folder ?? defaultCacheFolder());
    this.maxBytes = options.maxBytes;
    this.protectRecentMs = options.protectRecentMs ?? 60_000;
  }

  /** Where `key` of `namespace` (e.g. endpoint + bucket) is cached. */
  pathFor(namespace: string, key: string): string {
    const hash = createHash('sha256').update(namespace).update('\0').update(key).digest('hex');
    const base = (key.split('/').pop() ?? '').replace(/[^A-Za-z0-9._-]/g, '_').slice(-80);
    return path.join(this.folder, hash.slice(0, 2), `${hash.slice(2, 34)}${base ? `-${base}` : ''}`);
  }

  /** True when the object is cached (does not count as a use). */
  async has(namespace: string, key: string): Promise<boolean> {
    return (await fileSize(this.pathFor(namespace, key))) !== undefined;
  }

  /**
   * The cached file of `key`, downloading it first when absent. Aborting `signal` rejects
   * this call with `cancelled`; the shared download stops once no caller waits for it.
   */
  async get(namespace: string, key: string, download: Download, signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) throw cancelled(key);
    const file = this.pathFor(namespace, key);
    if (await this.touch(file)) return file;
    let job = this.jobs.get(file);
    if (!job) job = this.start(file, download);
    job.waiters++;
    try {
      await untilAborted(job.promise, signal, key);
    } finally {
      job.waiters--;
      if (job.waiters === 0 && this.jobs.get(file) === job) {
        // The last waiter left before the download finished: stop it.
        this.jobs.delete(file);
        job.controller.abort();
      }
    }
    return file;
  }

  private start(file: string, download: Download): Job {
    const controller = new AbortController();
    const job: Job = { controller, waiters: 0, promise: Promise.resolve() };
    job.promise = this.fetch(file, download, controller.signal).finally(() => {
      if (this.jobs.get(file) === job) this.jobs.delete(file);
    });
    // Waiters observe failures; this keeps an abandoned job from being an unhandled rejection.
    const settled = job.promise.catch(() => undefined);
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    this.jobs.set(file, job);
    return job;
  }

  private async fetch(file: string, download: Download, signal: AbortSignal): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}${TEMP_MARK}${process.pid}-${randomUUID()}`;
    try {
      await download(temp, signal);
      signal.throwIfAborted();
      await moveIntoPlace(temp, file);
      await this.touch(file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    if (this.maxBytes !== undefined) this.track(file, this.maxBytes);
  }

  /** Counts a new file towards the size estimate; prunes when over the limit. One at a time. */
  private track(file: string, maxBytes: number): void {
    const task = this.tracking
      .then(async () => {
        const added = (await fileSize(file)) ?? 0;
        this.approxBytes = this.approxBytes === undefined ? await this.size() : this.approxBytes + added;
        if (this.approxBytes <= maxBytes) return;
        this.approxBytes = (await this.prune(maxBytes, { keepUsedWithinMs: this.protectRecentMs })).keptBytes;
      })
      .catch(() => undefined); // best effort: a failed prune leaves files, never breaks a read
    this.tracking = task;
    this.running.add(task);
    void task.then(() => this.running.delete(task));
  }

  /**
   * Takes ownership of a local file that holds `key`'s bytes (e.g. one just uploaded): it is
   * moved into the cache (copied then removed across filesystems), so reading it back needs
   * no download.
   */
  async adopt(namespace: string, key: string, localPath: string): Promise<string> {
    const file = this.pathFor(namespace, key);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}${TEMP_MARK}${process.pid}-${randomUUID()}`;
    try {
      await rename(localPath, temp);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      try {
        await copyFile(localPath, temp);
      } catch (copyError) {
        await rm(temp, { force: true });
        throw copyError;
      }
      await rm(localPath, { force: true });
    }
    await moveIntoPlace(temp, file);
    await this.touch(file);
    if (this.maxBytes !== undefined) this.track(file, this.maxBytes);
    return file;
  }

  /** Resolves once every running download (and background prune) has finished or stopped. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Marks a cached file as just used; false when it is not there. */
  private async touch(file: string): Promise<boolean> {
    const stamp = Math.max(Date.now(), this.lastStamp + 1);
    this.lastStamp = stamp;
    try {
      await utimes(file, stamp / 1000, stamp / 1000);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Total bytes of cached files. */
  async size(): Promise<number> {
    return (await this.entries()).reduce((sum, entry) => sum + entry.size, 0);
  }

  /**
   * Deletes least recently used files until the cache holds at most `maxBytes`
   * (default: the configured limit; without one, only stale temporary files go).
   */
  async prune(maxBytes: number | undefined = this.maxBytes, options: PruneOptions = {}): Promise<PruneResult> {
    const entries = await this.entries(true);
    const protectedSince = Date.now() - (options.keepUsedWithinMs ?? 0);
    let kept = entries.reduce((sum, entry) => sum + entry.size, 0);
    const result: PruneResult = { removedFiles: 0, removedBytes: 0, keptBytes: kept };
    if (maxBytes === undefined) return result;
    entries.sort((a, b) => a.used - b.used || a.file.localeCompare(b.file));
    for (const entry of entries) {
      if (kept <= maxBytes) break;
      if (options.keepUsedWithinMs && entry.used >= protectedSince) continue;
      try {
        await rm(entry.file);
      } catch {
        continue; // in use (Windows) or already gone
      }
      kept -= entry.size;
      result.removedFiles++;
      result.removedBytes += entry.size;
    }
    result.keptBytes = kept;
    return result;
  }

  private async entries(removeStaleTemps = false): Promise<{ file: string; size: number; used: number }[]> {
    const entries: { file: string; size: number; used: number }[] = [];
    for (const dir of await listDir(this.folder)) {
      const sub = path.join(this.folder, dir);
      for (const name of await listDir(sub)) {
        const file = path.join(sub, name);
        let info;
        try {
          info = await stat(file);
        } catch {
          continue;
        }
        if (!info.isFile()) continue;
        if (name.includes(TEMP_MARK)) {
          if (removeStaleTemps && Date.now() - info.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true });
          continue;
        }
        entries.push({ file, size: info.size, used: info.mtimeMs });
      }
    }
    return entries;
  }
}

/**
 * Renames a complete temporary file to its cache name. When that fails because another
 * process already put the (identical, immutable) file there, e.g. on Windows while it is
 * open, the existing copy wins.
 */
async function moveIntoPlace(temp: string, file: string): Promise<void> {
  try {
    await rename(temp, file);
  } catch (error) {
    if ((await fileSize(file)) === undefined) throw error;
    await rm(temp, { force: true });
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

function cancelled(key: string): PasException {
  return new PasException({ code: 'cancelled', message: `Reading ${key} was cancelled.` });
}

function untilAborted(promise: Promise<void>, signal: AbortSignal | undefined, key: string): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelled(key));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(cancelled(key));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

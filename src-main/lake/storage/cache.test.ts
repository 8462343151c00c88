import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCacheFolder, ReadCache, type Download } from './cache';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'pas-cache-test-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** A download whose completion the test controls, counting how often it starts. */
function gatedDownload(bytes: string) {
  let release!: () => void;
  let markStarted!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const state = { starts: 0, aborted: false, release, started };
  const download: Download = async (temp, signal) => {
    state.starts++;
    markStarted();
    signal.addEventListener('abort', () => (state.aborted = true));
    await writeFile(temp, bytes.slice(0, 2));
    await gate;
    signal.throwIfAborted();
    await writeFile(temp, bytes);
  };
  return { download, state };
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

describe('ReadCache', () => {
  it('shares one download between concurrent readers and renames it into place when complete', async () => {
    const cache = new ReadCache({ folder });
    const { download, state } = gatedDownload('complete bytes');
    const readers = Array.from({ length: 4 }, () => cache.get('ns', 'a/b.parquet', download));
    await state.started;
    // Mid-download only the temporary file exists: a reader never sees half a file.
    expect(existsSync(cache.pathFor('ns', 'a/b.parquet'))).toBe(false);
    state.release();
    const paths = await Promise.all(readers);
    expect(new Set(paths)).toEqual(new Set([cache.pathFor('ns', 'a/b.parquet')]));
    expect(state.starts).toBe(1);
    expect(readFileSync(paths[0] ?? '', 'utf8')).toBe('complete bytes');
    expect(allFiles(folder)).toHaveLength(1);
  });

  it('serves a cached file without downloading again, even from a new cache object', async () => {
    const first = new ReadCache({ folder });
    let starts = 0;
    const download: Download = async (temp) => {
      starts++;
      await writeFile(temp, 'x');
    };
    const file = await first.get('ns', 'k', download);
    expect(await new ReadCache({ folder }).get('ns', 'k', download)).toBe(file);
    expect(starts).toBe(1);
    expect(await first.has('ns', 'k')).toBe(true);
  });

  it('keys files by namespace and key', () => {
    const cache = new ReadCache({ folder });
    expect(cache.pathFor('http://a|lake', 'x/y.parquet')).not.toBe(cache.pathFor('http://b|lake', 'x/y.parquet'));
    expect(cache.pathFor('ns', 'x/y.parquet')).not.toBe(cache.pathFor('ns', 'z/y.parquet'));
    expect(path.basename(cache.pathFor('ns', 'x/y.parquet'))).toMatch(/-y\.parquet$/);
  });

  it('leaves nothing behind when a download fails, and tries again on the next read', async () => {
    const cache = new ReadCache({ folder });
    const failing: Download = async (temp) => {
      await writeFile(temp, 'partial');
      throw new Error('connection lost');
    };
    await expect(cache.get('ns', 'k', failing)).rejects.toThrow('connection lost');
    expect(allFiles(folder)).toEqual([]);
    const file = await cache.get('ns', 'k', async (temp) => writeFile(temp, 'whole'));
    expect(readFileSync(file, 'utf8')).toBe('whole');
  });

  it('cancels one reader without stopping the download others wait for', async () => {
    const cache = new ReadCache({ folder });
    const { download, state } = gatedDownload('bytes');
    const controller = new AbortController();
    const other = cache.get('ns', 'k', download);
    await state.started;
    const cancelled = cache.get('ns', 'k', download, controller.signal);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ error: { code: 'cancelled' } });
    state.release();
    expect(readFileSync(await other, 'utf8')).toBe('bytes');
    expect(state.aborted).toBe(false);
  });

  it('stops the download when its only reader cancels', async () => {
    const cache = new ReadCache({ folder });
    const { download, state } = gatedDownload('bytes');
    const controller = new AbortController();
    const reading = cache.get('ns', 'k', download, controller.signal);
    await state.started;
    controller.abort();
    await expect(reading).rejects.toMatchObject({ error: { code: 'cancelled' } });
    expect(state.aborted).toBe(true);
    state.release();
    await cache.idle();
    expect(allFiles(folder)).toEqual([]);
  });

  it('prunes least recently used files first down to the limit', async () => {
    const cache = new ReadCache({ folder, maxBytes: 250 });
    const put = (key: string) => cache.get('ns', key, async (temp) => writeFile(temp, Buffer.alloc(100)));
    const one = await put('one');
    const two = await put('two');
    const three = await put('three');
    await put('one'); // used again: now the most recent
    expect(await cache.size()).toBe(300);

    expect(await cache.prune()).toEqual({ removedFiles: 1, removedBytes: 100, keptBytes: 200 });
    expect([existsSync(one), existsSync(two), existsSync(three)]).toEqual([true, false, true]);
    expect(await cache.prune(0)).toEqual({ removedFiles: 2, removedBytes: 200, keptBytes: 0 });
  });

  it('prunes in the background once downloads pass the limit, sparing recently used files', async () => {
    const cache = new ReadCache({ folder, maxBytes: 250, protectRecentMs: 0 });
    const put = (key: string) => cache.get('ns', key, async (temp) => writeFile(temp, Buffer.alloc(100)));
    const one = await put('one');
    await put('two');
    await cache.idle();
    expect(await cache.size()).toBe(200);
    await put('three');
    await cache.idle();
    expect(await cache.size()).toBe(200);
    expect(existsSync(one)).toBe(false);

    const careful = new ReadCache({ folder, maxBytes: 50, protectRecentMs: 3_600_000 });
    await careful.get('ns', 'four', async (temp) => writeFile(temp, Buffer.alloc(100)));
    await careful.idle();
    expect(await careful.size()).toBe(300); // everything was used within the hour
  });

  it('does not prune without a limit, and ignores temporary files of running downloads', async () => {
    const cache = new ReadCache({ folder });
    await cache.get('ns', 'k', async (temp) => writeFile(temp, 'abc'));
    const sub = path.dirname(cache.pathFor('ns', 'k'));
    writeFileSync(path.join(sub, 'x.part-1-running'), 'partial');
    expect(await cache.prune()).toEqual({ removedFiles: 0, removedBytes: 0, keptBytes: 3 });
    expect(await cache.prune(0)).toMatchObject({ removedFiles: 1, keptBytes: 0 });
    expect(existsSync(path.join(sub, 'x.part-1-running'))).toBe(true);
  });

  it('defaults to the OS cache folder', () => {
    expect(defaultCacheFolder({ XDG_CACHE_HOME: '/xdg' }, 'linux')).toBe(path.join('/xdg', 'pas', 'lake'));
    expect(defaultCacheFolder({}, 'darwin')).toMatch(/Library[\\/]Caches[\\/]pas[\\/]lake$/);
    expect(defaultCacheFolder({ LOCALAPPDATA: 'C:/Users/u/AppData/Local' }, 'win32')).toBe(
      path.join('C:/Users/u/AppData/Local', 'pas', 'Cache', 'lake'),
    );
  });
});

/**
 * LakeStorage over a local folder. `putFile` moves the staged file into place (a rename when
 * both are on one filesystem, else a copy), so a file appears under its key whole or not at all.
 */
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { LakeStorage } from './storage';

export class LocalStorage implements LakeStorage {
  readonly displayRoot: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.displayRoot = this.root.endsWith(path.sep) ? this.root : this.root + path.sep;
  }

  private pathOf(key: string): string {
    const clean = key.replace(/^\/+/, '');
    const full = path.resolve(this.root, ...clean.split('/'));
    if (full !== this.root && !full.startsWith(this.displayRoot)) {
      throw new Error(`Storage key escapes the data folder: ${key}`);
    }
    return full;
  }

  async putFile(localPath: string, key: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.part-${process.pid}-${Date.now()}`;
    try {
      await rename(localPath, target);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    }
    await copyFile(localPath, temp, fsConstants.COPYFILE_FICLONE);
    await rename(temp, target);
    await unlink(localPath).catch(() => undefined);
  }

  async localPath(key: string, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    return this.pathOf(key);
  }

  async list(prefix: string): Promise<{ key: string; size: number }[]> {
    const out: { key: string; size: number }[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        const childPath = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(childPath, childRel);
        else if (entry.isFile() && childRel.startsWith(prefix)) {
          out.push({ key: childRel, size: (await stat(childPath)).size });
        }
      }
    };
    // Walk only the folder part of the prefix; the rest filters names.
    const slash = prefix.lastIndexOf('/');
    const base = slash >= 0 ? prefix.slice(0, slash) : '';
    await walk(base ? this.pathOf(base) : this.root, base);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch {
      return false;
    }
  }
}

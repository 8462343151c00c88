/**
 * Test support: a private copy of the lake written by the official extension
 * (shared/fixtures/ducklake-official), with its catalog unpacked, and its expected reads.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export interface OfficialFixture {
  /** Folder holding metadata.ducklake and data/. */
  dir: string;
  catalogPath: string;
  dataDir: string;
  expected: {
    snapshots: { snapshot_id: number; changes: string }[];
    tables: Record<string, Record<string, Record<string, unknown>[]>>;
  };
}

/** Where shared/ is: beside the repository (the session and CI lay it out so). */
export function fixtureSource(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    process.env.PAS_SHARED_DIR ? path.join(process.env.PAS_SHARED_DIR, 'fixtures/ducklake-official') : '',
    path.resolve(here, '../../../../shared/fixtures/ducklake-official'),
    '/work/shared/fixtures/ducklake-official',
  ].filter(Boolean);
  const found = candidates.find((c) => existsSync(path.join(c, 'metadata.ducklake.gz')));
  if (!found) throw new Error(`The official DuckLake fixture was not found (looked in ${candidates.join(', ')}).`);
  return found;
}

function makeWritable(p: string): void {
  chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
  if (statSync(p).isDirectory()) for (const e of readdirSync(p)) makeWritable(path.join(p, e));
}

export function copyOfficialFixture(): OfficialFixture {
  const source = fixtureSource();
  const dir = mkdtempSync(path.join(tmpdir(), 'pas-lake-fixture-'));
  cpSync(path.join(source, 'data'), path.join(dir, 'data'), { recursive: true });
  makeWritable(path.join(dir, 'data'));
  const catalogPath = path.join(dir, 'metadata.ducklake');
  writeFileSync(catalogPath, gunzipSync(readFileSync(path.join(source, 'metadata.ducklake.gz'))));
  const expected = JSON.parse(gunzipSync(readFileSync(path.join(source, 'expected.json.gz'))).toString('utf8')) as OfficialFixture['expected'];
  return { dir, catalogPath, dataDir: path.join(dir, 'data'), expected };
}

/**
 * Test helper: writes a throwaway project folder from a map of relative paths to contents.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempProject {
  dir: string;
  remove(): Promise<void>;
}

export async function writeTempProject(files: Record<string, string>): Promise<TempProject> {
  const dir = await mkdtemp(join(tmpdir(), 'pas-project-'));
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const MINIMAL_CONFIG = `gateways:
  local:
    connection:
      type: duckdb
      database: db.duckdb
model_defaults:
  dialect: duckdb
  start: '2024-01-01'
`;

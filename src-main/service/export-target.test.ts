import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveExportTarget } from './export-target';

const base = mkdtempSync(path.join(tmpdir(), 'pas-export-'));
const project = path.join(base, 'project');
const chosen = path.join(base, 'chosen');
const outside = path.join(base, 'outside');
mkdirSync(project);
mkdirSync(chosen);
mkdirSync(outside);
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('export targets', () => {
  it('defaults to a timestamped file in the project exports folder', () => {
    const target = resolveExportTarget({ projectDir: project, format: 'csv', now: new Date('2026-01-02T03:04:05Z') });
    expect(target).toEqual({ path: path.join(project, 'exports/result-20260102-030405.csv'), projectPath: 'exports/result-20260102-030405.csv' });
  });

  it('adds the format extension and accepts a folder the user chose', () => {
    expect(resolveExportTarget({ projectDir: project, format: 'parquet', requested: 'out/x' }).projectPath).toBe('out/x.parquet');
    expect(resolveExportTarget({ projectDir: project, allowedRoots: [chosen], format: 'csv', requested: path.join(chosen, 'y.csv') })).toEqual({ path: path.join(chosen, 'y.csv') });
  });

  it('refuses paths outside the allowed folders, directly or through a link', () => {
    expect(() => resolveExportTarget({ projectDir: project, format: 'csv', requested: '../outside/z.csv' })).toThrow(/inside the project/);
    expect(() => resolveExportTarget({ projectDir: project, format: 'csv', requested: path.join(outside, 'z.csv') })).toThrow(/inside the project/);
    symlinkSync(outside, path.join(project, 'sneaky'));
    expect(() => resolveExportTarget({ projectDir: project, format: 'csv', requested: 'sneaky/z.csv' })).toThrow(/link/);
  });
});

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_OUTPUTS, staleReason } from './build.mjs';

const root = mkdtempSync(path.join(tmpdir(), 'pas-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, when: Date) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), 'x');
  utimesSync(path.join(root, file), when, when);
}

describe('the build staleness check', () => {
  it('asks for a build when an output is missing, when a source is newer, and not when the build is current', () => {
    const old = new Date('2026-01-01T00:00:00Z');
    const built = new Date('2026-01-02T00:00:00Z');
    write('src-renderer/features/a/deep.tsx', old);
    write('package.json', old);
    expect(staleReason(root)).toBe('out/renderer/index.html is missing');
    for (const output of BUILD_OUTPUTS) write(output, built);
    expect(staleReason(root)).toBeUndefined();
    write('src-renderer/features/a/deep.tsx', new Date('2026-01-03T00:00:00Z'));
    expect(staleReason(root)).toBe('src-renderer changed since the last build');
  });
});

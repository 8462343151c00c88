import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAge } from './commands/lake';
import { createTestProject } from '../plan/test-project';

const bin = path.resolve(import.meta.dirname, '../../bin/pas.mjs');

function pas(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let root: string;
beforeAll(async () => {
  root = await createTestProject({}, { kind: 'lake-local' });
  const applied = pas(['plan', '--auto-apply', '--json', '-p', root, '--execution-time', '2024-01-05T12:00:00Z']);
  expect(applied.code, applied.stderr).toBe(0);
});

describe('pas lake', () => {
  it('lists tables with row and file counts', () => {
    const result = pas(['lake', 'tables', '--json', '-p', root]);
    expect(result.code, result.stderr).toBe(0);
    const tables = JSON.parse(result.stdout) as { schema: string; name: string; rows: number; files: number }[];
    expect(tables.find((t) => t.schema === 'raw' && t.name === 'events')).toMatchObject({ rows: 40, files: 1 });
    const daily = tables.find((t) => t.schema === 'sqlmesh__marts' && t.name.startsWith('marts__daily__'));
    expect(daily?.rows).toBe(4);
  });

  it('lists snapshots with what each changed, then expires old ones and cleans their files up', () => {
    const snapshots = JSON.parse(pas(['lake', 'snapshots', '--json', '-p', root]).stdout) as { id: number; changes: Record<string, string[]> }[];
    expect(snapshots[0]).toMatchObject({ id: 0, changes: { schemas_created: ['main'] } });
    expect(snapshots.some((s) => (s.changes.tables_created ?? []).some((t) => t.startsWith('sqlmesh__marts.marts__daily__')))).toBe(true);
    const dry = JSON.parse(pas(['lake', 'expire', '--keep-last', '1', '--dry-run', '--json', '-p', root]).stdout);
    expect(dry.dry_run).toBe(true);
    expect(dry.expired.length).toBe(snapshots.length - 1);
    expect(JSON.parse(pas(['lake', 'snapshots', '--json', '-p', root]).stdout)).toHaveLength(snapshots.length);
    const expired = JSON.parse(pas(['lake', 'expire', '--keep-last', '1', '--json', '-p', root]).stdout);
    expect(expired.expired.length).toBe(snapshots.length - 1);
    const cleanup = JSON.parse(pas(['lake', 'cleanup', '--json', '-p', root]).stdout);
    expect(cleanup.dry_run).toBe(false);
    const after = JSON.parse(pas(['fetchdf', 'select count(*) as n from marts.daily', '--json', '-p', root]).stdout);
    expect(after).toEqual([{ n: 4 }]);
  });

  it('explains a project without a lake', async () => {
    const plain = await createTestProject();
    const result = pas(['lake', 'tables', '-p', plain]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/gateway has no DuckLake catalog/);
  });

  it('explains an unreachable catalog without showing its password', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'pas-badlake-'));
    writeFileSync(
      path.join(dir, 'config.yaml'),
      "gateways:\n  local:\n    connection:\n      type: duckdb\n      catalogs:\n        lake:\n          type: ducklake\n          path: 'postgres:host=127.0.0.1 port=1 user=x password=sekret-pw dbname=y'\n          data_path: data/\nmodel_defaults:\n  dialect: duckdb\n",
    );
    const result = pas(['lake', 'tables', '-p', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot open the lake `lake` (lake: catalog postgres://x:***@127.0.0.1:1/y');
    expect(result.stderr).not.toContain('sekret-pw');
    writeFileSync(path.join(dir, 'config.yaml'), "gateways:\n  local:\n    connection:\n      type: duckdb\n      catalogs:\n        lake:\n          type: ducklake\n          path: lake.ducklake\n          data_path: 's3://'\nmodel_defaults:\n  dialect: duckdb\n");
    const invalid = pas(['lake', 'tables', '-p', dir]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('config.yaml:9:22: error: catalogs.lake.data_path: must be s3://bucket/prefix/');
  });

  it('reads ages like 7d and 12h', () => {
    expect(parseAge('7d')).toBe(7 * 86_400_000);
    expect(parseAge('12 hours')).toBe(12 * 3_600_000);
    expect(parseAge('2024-01-01')).toBeUndefined();
  });
});

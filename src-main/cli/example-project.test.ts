import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/pas.mjs');

function pas(project: string, args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args, '-p', project], { encoding: 'utf8', timeout: 180_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the bundled example project', () => {
  it('loads its sample with no network, builds dev, then promotes to prod as a virtual update', () => {
    const project = mkdtempSync(path.join(tmpdir(), 'pas-example-'));
    for (const item of ['config.yaml', 'external_models.yaml', 'models', 'pipelines', 'tests', 'resources/sample']) {
      cpSync(path.join(root, item), path.join(project, item), { recursive: true });
    }
    const ingest = pas(project, ['ingest', 'nyc_collisions_sample', '--json']);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ pipeline: 'nyc_collisions_sample', status: 'loaded', tables: [{ name: 'nyc_collisions', rows: 20_000 }] });

    const tests = pas(project, ['test']);
    expect(tests.code, tests.stdout + tests.stderr).toBe(0);

    const dev = pas(project, ['plan', 'dev', '--auto-apply', '--json']);
    expect(dev.code, dev.stderr).toBe(0);
    const devPlan = JSON.parse(dev.stdout);
    expect(devPlan).toMatchObject({ environment: 'dev', virtual_update: false, applied: true });
    expect(devPlan.changes.map((c: { model: string }) => c.model)).toEqual(
      expect.arrayContaining(['staging.stg_collisions', 'intermediate.int_collisions_daily', 'marts.borough_daily_summary', 'marts.borough_daily_summary_ts']),
    );

    const prod = pas(project, ['plan', '--auto-apply', '--json']);
    expect(prod.code, prod.stderr).toBe(0);
    expect(JSON.parse(prod.stdout)).toMatchObject({ environment: 'prod', virtual_update: true, backfills: [], applied: true });

    const sql = 'select sum(collisions) as c from marts.borough_daily_summary';
    const prodRows = JSON.parse(pas(project, ['fetchdf', sql, '--json']).stdout);
    const devRows = JSON.parse(pas(project, ['fetchdf', sql.replace('marts.', 'marts__dev.'), '--json']).stdout);
    expect(prodRows).toEqual([{ c: 20_000 }]);
    expect(devRows).toEqual(prodRows);
    const ts = JSON.parse(pas(project, ['fetchdf', 'select sum(collisions) as c from marts.borough_daily_summary_ts', '--json']).stdout);
    expect(ts).toEqual(prodRows);
  }, 300_000);
});

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BY_CATEGORY, createTestProject, writeFiles } from '../plan/test-project';

const bin = path.resolve(import.meta.dirname, '../../bin/pas.mjs');
const EXECUTION = ['--execution-time', '2024-01-05T12:00:00Z'];

function pas(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input: input ?? '', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let root: string;
beforeAll(async () => {
  root = await createTestProject();
});

describe('pas plan, run and fetchdf on a project', () => {
  it('prints the plan as one JSON document and applies it with --auto-apply', () => {
    const result = pas(['plan', '--auto-apply', '--json', '-p', root, ...EXECUTION]);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan).toMatchObject({ environment: 'prod', virtual_update: false, applied: true });
    expect(plan.changes).toContainEqual({ model: 'marts.daily', change: 'added', category: 'breaking' });
    expect(plan.backfills).toContainEqual({ model: 'marts.daily', intervals: [['2024-01-01', '2024-01-04']] });
  });

  it('resolves prod and dev names in fetchdf as SQLMesh users write them', () => {
    writeFiles(root, { 'models/marts/by_category.sql': BY_CATEGORY.replace('count(*) AS n', 'count(*) AS n, 1 AS one') });
    const dev = pas(['plan', 'dev', '--auto-apply', '--json', '-p', root, ...EXECUTION]);
    expect(dev.code, dev.stderr).toBe(0);
    expect(JSON.parse(dev.stdout).changes).toEqual([{ model: 'marts.by_category', change: 'directly_modified', category: 'non_breaking' }]);
    const prodRows = pas(['fetchdf', "select * from marts.by_category where category = 'a'", '--json', '-p', root]);
    expect(prodRows.code, prodRows.stderr).toBe(0);
    expect(JSON.parse(prodRows.stdout)).toEqual([{ category: 'a', n: 14 }]);
    const devRows = pas(['fetchdf', "select * from marts__dev.by_category where category = 'a'", '--json', '-p', root]);
    expect(JSON.parse(devRows.stdout)).toEqual([{ category: 'a', n: 14, one: 1 }]);
  });

  it('prints the plan in SQLMesh layout and applies nothing when the answer is no', () => {
    const result = pas(['plan', '-p', root, ...EXECUTION], 'n\n');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Differences from the `prod` environment:');
    expect(result.stdout).toContain('Directly Modified: marts.by_category (Non-breaking)');
    expect(result.stdout).toContain('+SELECT category, count(*) AS n, 1 AS one FROM staging.stg_events GROUP BY category');
    expect(result.stdout).toContain('Not applied.');
    expect(result.stderr).toContain('Apply - Virtual Update [y/n]:');
  });

  it('says clearly when run has nothing to do', () => {
    const result = pas(['run', '-p', root, ...EXECUTION]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/No models are ready to run in "prod"/);
  });

  it('runs the janitor before running, as SQLMesh does: an invalidated environment is gone', () => {
    expect(pas(['invalidate', 'dev', '-p', root]).code).toBe(0);
    const skipped = pas(['run', '--skip-janitor', '--json', '-p', root, ...EXECUTION]);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(JSON.parse(skipped.stdout).janitor).toBeUndefined();
    const result = pas(['run', '--json', '-p', root, ...EXECUTION]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).janitor.dropped_environments).toEqual(['dev']);
    const devRows = pas(['fetchdf', 'select * from marts__dev.by_category', '--json', '-p', root]);
    expect(devRows.code).not.toBe(0);
  });

  it('reports errors in several files in one go and plans nothing', async () => {
    const broken = await createTestProject({
      'models/bad_one.sql': 'MODEL (name x.bad_one, kind NOPE);\nSELECT 1',
      'models/bad_two.sql': 'MODEL (name x.bad_two, dialect snowflake);\nSELECT 1',
      'config.yaml': 'gateways:\n  local:\n    connection:\n      type: duckdb\n      database: warehouse.db\nmodel_defaults:\n  dialect: duckdb\n  start: 2024-01-01\n  cron: 42\n',
    });
    const result = pas(['plan', '--auto-apply', '-p', broken, ...EXECUTION]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/models\/bad_one\.sql:1:\d+: error/);
    expect(result.stderr).toMatch(/models\/bad_two\.sql:1:\d+: error/);
    expect(result.stderr).toMatch(/config\.yaml:\d+:\d+: error/);
    expect(result.stderr).toMatch(/error\(s\) in the project; nothing was planned/);
  });
});

describe('pas lineage', () => {
  it('prints a column\'s upstream columns, sources and users as JSON', async () => {
    const project = await createTestProject();
    const result = pas(['lineage', 'marts.daily', 'total', '--json', '-p', project]);
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record.model).toBe('marts.daily');
    expect(record.column).toBe('total');
    expect(record.upstream).toContainEqual({ model: 'staging.stg_events', column: 'amount', kind: 'value', expression: 'sum(amount)' });
    expect(record.upstream.find((u: { column: string }) => u.column === 'ts')?.kind).toBe('filter');
    expect(record.sources).toEqual([{ model: 'raw.events', column: 'amount' }]);
    expect(record.upstream.find((u: { column: string }) => u.column === 'ts')?.expression).toBe('ts BETWEEN @start_ts AND @end_ts');
    const down = JSON.parse(pas(['lineage', 'staging.stg_events', 'amount', '--downstream', '--json', '-p', project]).stdout);
    expect(down.downstream).toEqual([{ model: 'marts.daily', column: 'total' }]);
    expect(down.impact).toEqual([{ model: 'marts.daily', column: 'total', hops: 1 }]);
    expect(down.upstream).toEqual([]);
    // A lake table that is not a model is a root: --downstream without --depth gives the whole impact.
    const root = JSON.parse(pas(['lineage', 'raw.events', 'amount', '--downstream', '--json', '-p', project]).stdout);
    expect(root.downstream).toEqual([{ model: 'staging.stg_events', column: 'amount' }, { model: 'marts.daily', column: 'total' }]);
    expect(root.impact).toEqual([{ model: 'staging.stg_events', column: 'amount', hops: 1 }, { model: 'marts.daily', column: 'total', hops: 2 }]);
    const direct = JSON.parse(pas(['lineage', 'raw.events', 'amount', '--json', '-p', project]).stdout);
    expect(direct.downstream).toEqual([{ model: 'staging.stg_events', column: 'amount' }]);
    expect(direct.impact).toHaveLength(2);
    const all = JSON.parse(pas(['lineage', 'marts.by_category', '--json', '-p', project]).stdout);
    expect(all.map((r: { column: string }) => r.column)).toEqual(['category', 'n']);
  });

  it('names the model and column it cannot find', async () => {
    const project = await createTestProject();
    const result = pas(['lineage', 'marts.daily', 'nope', '-p', project]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('marts.daily has no column nope (columns: day, n, total)');
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { parseTime } from '../plan/intervals';
import { startPostgres, type TestPostgres } from '../testing/postgres';
import { DuckDbStateDb } from './duckdb-db';
import { openPostgresState } from './postgres-db';
import type { EnvironmentRecord, SnapshotRecord } from './records';
import { PLAN_LOCK_LEASE_MS, StateConflictError, StateStore } from './store';

let engine: DuckEngine;
let postgres: TestPostgres;

beforeAll(async () => {
  engine = await DuckEngine.open();
  postgres = await startPostgres();
});
afterAll(async () => {
  await engine.close();
  await postgres.stop();
});

let counter = 0;
const backends: [string, () => Promise<StateStore>][] = [
  ['a DuckDB file', async () => StateStore.open(await DuckDbStateDb.open(engine, path.join(mkdtempSync(path.join(tmpdir(), 'pas-state-')), 'state.db'), `state_${++counter}`))],
  ['PostgreSQL', async () => StateStore.open(await openPostgresState({ connectionString: await postgres.createDatabase(`state_${++counter}`) }))],
];

function snapshot(name: string, identifier: string, version = identifier): SnapshotRecord {
  return {
    name,
    identifier,
    version,
    fingerprint: { data: 'd', metadata: 'm', parentData: 'pd', parentMetadata: 'pm' },
    changeCategory: 'breaking',
    forwardOnly: false,
    parents: [],
    node: { query: 'select 1' },
    createdTs: 1,
    updatedTs: 2,
    ttlMs: 604_800_000,
  };
}

function environment(name: string, planId: string, previousPlanId: string | null): EnvironmentRecord {
  return { name, snapshots: [{ name: 'marts.x', identifier: 'abc', version: 'v1' }], planId, previousPlanId, startAt: 0, endAt: null, expirationTs: null, finalizedTs: 5 };
}

const day = (d: string) => parseTime(d);

describe.each(backends)('state in %s', (_label, open) => {
  it('stores and reads back snapshots', async () => {
    const store = await open();
    await store.putSnapshots([snapshot('marts.x', 'a1'), snapshot('marts.y', 'b1')]);
    const found = await store.getSnapshots([{ name: 'marts.x', identifier: 'a1' }, { name: 'marts.z', identifier: 'zz' }]);
    expect([...found.values()]).toEqual([snapshot('marts.x', 'a1')]);
    expect((await store.allSnapshots()).map((s) => s.name).sort()).toEqual(['marts.x', 'marts.y']);
    await store.deleteSnapshots([{ name: 'marts.y', identifier: 'b1' }]);
    expect(await store.allSnapshots()).toHaveLength(1);
    await store.close();
  });

  it('promotes environments only from the plan they were planned against', async () => {
    const store = await open();
    await store.promoteEnvironment(environment('dev', 'p1', null));
    await store.promoteEnvironment(environment('dev', 'p2', 'p1'));
    await expect(store.promoteEnvironment(environment('dev', 'p3', 'p1'))).rejects.toThrow(/Another plan \(p2\) was applied to environment "dev"/);
    expect((await store.getEnvironment('dev'))?.planId).toBe('p2');
    expect(await store.getEnvironment('prod')).toBeUndefined();
    await store.close();
  });

  it('records, merges and restates processed intervals per model version', async () => {
    const store = await open();
    await store.addIntervals([
      { name: 'm', version: 'v1', startTs: day('2024-01-01'), endTs: day('2024-01-03'), isDev: false },
      { name: 'm', version: 'v1', startTs: day('2024-01-03'), endTs: day('2024-01-05'), isDev: false },
      { name: 'm', version: 'v2', startTs: day('2024-01-01'), endTs: day('2024-01-02'), isDev: false },
    ]);
    expect(await store.intervals('m', 'v1')).toEqual([[day('2024-01-01'), day('2024-01-05')]]);
    await store.removeIntervals('m', 'v1', [day('2024-01-02'), day('2024-01-03')]);
    expect(await store.intervals('m', 'v1')).toEqual([
      [day('2024-01-01'), day('2024-01-02')],
      [day('2024-01-03'), day('2024-01-05')],
    ]);
    expect(await store.intervals('m', 'v2')).toEqual([[day('2024-01-01'), day('2024-01-02')]]);
    await store.close();
  });

  it('refuses a second plan on an environment while the first holds its lock', async () => {
    const store = await open();
    await store.acquirePlanLock('prod', 'plan-a', 'alice');
    const second = store.acquirePlanLock('prod', 'plan-b', 'bob');
    await expect(second).rejects.toBeInstanceOf(StateConflictError);
    await expect(second).rejects.toThrow(/A plan \(plan-a, by alice\) is being applied to environment "prod"/);
    await store.acquirePlanLock('dev', 'plan-c', 'carol');
    await store.releasePlanLock('prod', 'plan-a');
    await store.acquirePlanLock('prod', 'plan-b', 'bob');
    await store.close();
  });

  it('takes over a lock whose holder process on this machine is gone, and says whose it was', async () => {
    const store = await open();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    await store.acquirePlanLock('dev', 'plan-dead', { owner: 'alice@here', host: hostname(), pid: dead });
    const takeover = await store.acquirePlanLock('dev', 'plan-next', { owner: 'bob@here', host: hostname(), pid: process.pid });
    expect(takeover?.lock).toMatchObject({ planId: 'plan-dead', owner: 'alice@here', pid: dead });
    expect(takeover?.reason).toBe(`its process (${dead}) on this machine is gone`);
    expect((await store.planLock('dev'))?.planId).toBe('plan-next');
    await store.close();
  });

  it('keeps a lock held from another machine while it is renewed, and takes it over once its lease ran out', async () => {
    const store = await open();
    const t0 = 1_000_000;
    await store.acquirePlanLock('prod', 'plan-far', { owner: 'carol@far', host: 'another-machine', pid: 4242 }, t0);
    await expect(store.acquirePlanLock('prod', 'plan-b', { owner: 'bob', host: hostname(), pid: process.pid }, t0 + PLAN_LOCK_LEASE_MS - 1)).rejects.toThrow(/on another-machine, process 4242.*pas plan --unlock prod/);
    expect(await store.renewPlanLock('prod', 'plan-far', t0 + PLAN_LOCK_LEASE_MS)).toBe(true);
    await expect(store.acquirePlanLock('prod', 'plan-b', 'bob', t0 + PLAN_LOCK_LEASE_MS + 10)).rejects.toBeInstanceOf(StateConflictError);
    const takeover = await store.acquirePlanLock('prod', 'plan-b', 'bob', t0 + 2 * PLAN_LOCK_LEASE_MS + 1);
    expect(takeover?.reason).toMatch(/its holder on another-machine has not renewed it since/);
    expect(await store.renewPlanLock('prod', 'plan-far')).toBe(false);
    await store.close();
  });

  it('removes any lock on request (pas plan --unlock) and reports what it removed', async () => {
    const store = await open();
    await store.acquirePlanLock('dev', 'plan-live', { owner: 'dave', host: hostname(), pid: process.pid });
    expect(await store.unlockPlan('dev')).toMatchObject({ planId: 'plan-live', owner: 'dave', host: hostname(), pid: process.pid });
    expect(await store.unlockPlan('dev')).toBeUndefined();
    expect(await store.acquirePlanLock('dev', 'plan-next', 'erin')).toBeUndefined();
    await store.close();
  });
});

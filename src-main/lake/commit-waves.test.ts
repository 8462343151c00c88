import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LakeConflictError } from './errors';
import { openTestLake, type TestLake } from './testing/harness';

describe('transactions that finish while another commits', () => {
  let t: TestLake;
  beforeEach(async () => {
    t = await openTestLake('duckdb');
    await t.lake.transaction((tx) => tx.createSchema('s'));
  });
  afterEach(async () => t.close());

  it('are committed together in fewer catalog transactions, each still its own snapshot', async () => {
    const catalogTransactions = vi.spyOn(t.lake.store, 'transaction');
    const count = 12;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) => t.lake.transaction((tx) => tx.createTableAs('s', `t${i}`, `SELECT ${i} AS v`))),
    );
    const snapshots = results.map((r) => r.snapshotId);
    expect(new Set(snapshots).size).toBe(count);
    expect(catalogTransactions.mock.calls.length).toBeLessThan(count);
    const state = await t.lake.state();
    expect(state.tables.filter((x) => x.schemaName === 's').map((x) => x.name).sort()).toEqual(Array.from({ length: count }, (_, i) => `t${i}`).sort());
  });

  it('keep their own outcome when one of them conflicts: the others commit, the loser alone fails', async () => {
    const outcomes = await Promise.allSettled([
      t.lake.transaction((tx) => tx.createTableAs('s', 'first', 'SELECT 1 AS v')),
      t.lake.transaction((tx) => tx.createTableAs('s', 'same', 'SELECT 1 AS v')),
      t.lake.transaction((tx) => tx.createTableAs('s', 'same', 'SELECT 2 AS v')),
      t.lake.transaction((tx) => tx.createTableAs('s', 'other', 'SELECT 3 AS v')),
    ]);
    expect([outcomes[0]?.status, outcomes[3]?.status]).toEqual(['fulfilled', 'fulfilled']);
    // Whichever of the two creating `same` reached the catalog second lost.
    const same = [outcomes[1], outcomes[2]];
    expect(same.filter((o) => o?.status === 'fulfilled')).toHaveLength(1);
    const lost = same.find((o): o is PromiseRejectedResult => o?.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(LakeConflictError);
    const names = (await t.lake.state()).tables.map((x) => x.name).sort();
    expect(names).toEqual(['first', 'other', 'same']);
  });
});

import { describe, expect, it } from 'vitest';
import { runParentsFirst } from './apply';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('applying models with concurrent_tasks', () => {
  // a -> b -> (c, not applied) -> d ; e and f independent
  const parents: Record<string, string[]> = { a: [], b: ['a'], c: ['b'], d: ['c'], e: [], f: [] };
  const order = ['a', 'e', 'f', 'b', 'd'];

  it('runs independent models at once, never more than asked, and a model only after everything upstream', async () => {
    const finished: string[] = [];
    const running = new Set<string>();
    let most = 0;
    await runParentsFirst(order, (n) => parents[n] ?? [], 2, async (name) => {
      running.add(name);
      most = Math.max(most, running.size);
      // Upstream through c (not applied) must be done: d waits for b.
      for (const up of name === 'd' ? ['b', 'a'] : name === 'b' ? ['a'] : []) expect(finished).toContain(up);
      await tick();
      running.delete(name);
      finished.push(name);
    });
    expect(most).toBe(2);
    expect(finished.sort()).toEqual([...order].sort());
  });

  it('runs in the given order one at a time with concurrency 1', async () => {
    const started: string[] = [];
    await runParentsFirst(order, (n) => parents[n] ?? [], 1, async (name) => {
      started.push(name);
      await tick();
    });
    expect(started).toEqual(order);
  });

  it('starts nothing new after a failure, lets running models finish, then throws the failure', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    await expect(
      runParentsFirst(order, (n) => parents[n] ?? [], 2, async (name) => {
        started.push(name);
        await tick();
        if (name === 'a') throw new Error('a failed');
        finished.push(name);
      }),
    ).rejects.toThrow('a failed');
    expect(started).not.toContain('b');
    expect(started).not.toContain('d');
    expect(finished).toContain('e');
  });
});

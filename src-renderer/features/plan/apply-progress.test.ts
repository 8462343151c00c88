import { describe, expect, it } from 'vitest';
import type { PlanView } from '../../../src-shared/modeling';
import { foldProgress, initialProgress, stopProgress } from './apply-progress';

const plan: PlanView = {
  planId: 'p',
  environment: 'dev',
  createdFrom: 'prod',
  changes: [],
  backfills: [
    { model: 'a', refresh: 'full', intervals: [['2024-01-01', '2024-01-04']], batches: 1 },
    { model: 'b', refresh: 'incremental', intervals: [['2024-01-01', '2024-01-04']], batches: 2 },
  ],
  virtualUpdate: false,
};

describe('the stage tracker', () => {
  it('follows batches per model to the promotion', () => {
    let s = initialProgress(plan, 'done');
    s = foldProgress(s, { requestId: 'r', stage: 'physical', model: 'a' });
    s = foldProgress(s, { requestId: 'r', stage: 'backfill', model: 'a', batch: 1, batches: 1, interval: ['2024-01-01', '2024-01-04'], elapsedMs: 10 });
    s = foldProgress(s, { requestId: 'r', stage: 'backfill', model: 'b', batch: 1, batches: 2, interval: ['2024-01-01', '2024-01-02'], elapsedMs: 5 });
    expect(s.stages).toMatchObject({ backfill: 'running', promote: 'pending' });
    expect(s.models[1]).toMatchObject({ done: 1, batches: 2, elapsedMs: 5 });
    s = foldProgress(s, { requestId: 'r', stage: 'backfill', model: 'b', batch: 2, batches: 2, interval: ['2024-01-03', '2024-01-04'], elapsedMs: 5 });
    expect(s.stages).toMatchObject({ backfill: 'done', promote: 'running' });
    s = foldProgress(s, { requestId: 'r', stage: 'promote', environment: 'dev', views: 2 });
    expect(s.stages).toEqual({ tests: 'done', physical: 'done', backfill: 'done', audits: 'done', promote: 'done' });
  });

  it('a cancel marks the running stage cancelled and what follows skipped', () => {
    let s = initialProgress(plan, 'skipped');
    s = foldProgress(s, { requestId: 'r', stage: 'physical', model: 'a' });
    expect(stopProgress(s, 'cancelled').stages).toEqual({ tests: 'skipped', physical: 'cancelled', backfill: 'cancelled', audits: 'skipped', promote: 'skipped' });
  });

  it('a virtual update only promotes', () => {
    expect(initialProgress({ ...plan, backfills: [], virtualUpdate: true }, 'done').stages).toEqual({ tests: 'done', physical: 'skipped', backfill: 'skipped', audits: 'skipped', promote: 'running' });
  });
});

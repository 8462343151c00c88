import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { parseTime } from './intervals';
import { createTestProject } from './test-project';
import { Workspace } from './workspace';

const SEED = {
  'seeds/categories.csv': 'category,label\na,Alpha\nb,Beta\nc,Gamma\n',
  'models/seeds/categories.sql': "MODEL (name seeds.categories, kind SEED (path '../../seeds/categories.csv'), columns (category VARCHAR, label VARCHAR));",
  'external_models.yaml': '- name: raw.events\n  columns:\n    id: BIGINT\n    ts: VARCHAR\n    amount: VARCHAR\n    category: VARCHAR\n',
};

describe('seeds and external models in plans, as SQLMesh plans them', () => {
  let engine: DuckEngine;
  let root: string;
  beforeEach(async () => {
    engine = await DuckEngine.open();
    root = await createTestProject(SEED);
  });
  afterEach(async () => engine.close());

  it('never lists an external model as added, in dev or prod', async () => {
    const ws = await Workspace.open({ projectDir: root, engine });
    for (const environment of ['dev', 'prod']) {
      const { plan } = await ws.plan({ environment, executionTime: parseTime('2024-01-05T12:00:00Z') });
      expect(plan.changes.map((c) => c.model)).not.toContain('raw.events');
      expect(plan.backfills.map((b) => b.model)).not.toContain('raw.events');
    }
    await ws.close();
  });

  it('does not reload a seed already loaded in dev when promoting to prod later', async () => {
    const ws = await Workspace.open({ projectDir: root, engine });
    const dev = await ws.plan({ environment: 'dev', executionTime: parseTime('2024-01-05T12:00:00Z') });
    expect(dev.plan.backfills.map((b) => b.model)).toContain('seeds.categories');
    await ws.apply(dev.plan, dev.graph);
    // Days later: the incremental model has new intervals, the seed has nothing to do.
    const prod = await ws.plan({ environment: 'prod', executionTime: parseTime('2024-01-08T12:00:00Z') });
    expect(prod.plan.backfills.map((b) => b.model)).not.toContain('seeds.categories');
    expect(prod.plan.backfills.map((b) => b.model)).toContain('marts.daily');
    await ws.apply(prod.plan, prod.graph);
    expect(await ws.warehouse.query('SELECT count(*) AS n FROM seeds.categories')).toEqual([{ n: 3 }]);
    await ws.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, writeFiles } from '../plan/test-project';
import { PasService } from '../service/service';

let service: PasService;
let root: string;
beforeAll(async () => {
  root = await createTestProject({
    'models/marts/category_history.sql': `MODEL (name marts.category_history, kind SCD_TYPE_2_BY_COLUMN (unique_key id, columns [category], valid_to_name ended_at));
SELECT id, category FROM raw.events WHERE id < 5`,
    'models/marts/current_category.sql': `MODEL (name marts.current_category, kind FULL);
SELECT id, category, valid_from FROM marts.category_history WHERE ended_at IS NULL`,
  });
  service = await PasService.create({ projectDir: root });
});
afterAll(async () => service.close());

describe('project lineage', () => {
  it('gives an SCD type 2 model its validity columns, set by the engine, that downstream models can use', async () => {
    const { models } = await service.invoke('lineage.models', {});
    expect(models.find((m) => m.name === 'marts.category_history')?.columns).toEqual(['id', 'category', 'valid_from', 'ended_at']);
    const view = await service.invoke('lineage.graph', { model: 'marts.current_category', column: 'valid_from', upstream: 2, downstream: 0 });
    expect(view.edges).toContainEqual(expect.objectContaining({ from: { model: 'marts.category_history', column: 'valid_from' }, to: { model: 'marts.current_category', column: 'valid_from' } }));
    const history = view.nodes.find((n) => n.model === 'marts.category_history');
    expect(history?.columns.find((c) => c.name === 'valid_from')).toMatchObject({ expression: 'valid_from (kept by the SCD type 2 history)' });
  });

  it('recomputes a model whose kind alone changed to SCD type 2', async () => {
    const changed = new Promise<void>((resolve) => {
      const off = service.events.on('project.changed', () => {
        off();
        resolve();
      });
    });
    writeFiles(root, { 'models/marts/by_category.sql': 'MODEL (name marts.by_category, kind SCD_TYPE_2_BY_COLUMN (unique_key category, columns *));\nSELECT category, count(*) AS n FROM staging.stg_events GROUP BY category' });
    await changed;
    const { models } = await service.invoke('lineage.models', {});
    expect(models.find((m) => m.name === 'marts.by_category')?.columns).toEqual(['category', 'n', 'valid_from', 'valid_to']);
  });
});

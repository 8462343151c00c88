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
    // None of these is built: lineage takes every model's columns from the project itself.
    'seeds/regions.csv': 'region_id,"region name",country\n1,North,NL\n',
    'models/seeds/regions.sql': "MODEL (name seeds.regions, kind SEED (path '../../seeds/regions.csv'));",
    'seeds/labels.csv': 'x,y\na,Alpha\n',
    'models/seeds/labels.sql': "MODEL (name seeds.labels, kind SEED (path '../../seeds/labels.csv'), columns (category VARCHAR, label VARCHAR));",
    'models/marts/regions_out.sql': `MODEL (name marts.regions_out, kind FULL);
SELECT * EXCLUDE (country) REPLACE (upper("region name") AS "region name") FROM seeds.regions`,
    'models/marts/labelled.sql': `MODEL (name marts.labelled, kind FULL);
SELECT COLUMNS('^(category|label|n)$') FROM marts.by_category JOIN seeds.labels USING (category)`,
    'models/marts/ts_counts.ts': `export default {
  name: 'marts.ts_counts',
  columns: { category: 'VARCHAR', doubled: 'BIGINT' },
  depends_on: ['marts.by_category'],
  execute(context) {
    return context.relation('SELECT category, n * 2 AS doubled FROM ' + context.resolveTable('marts.by_category'));
  },
};
`,
    'models/marts/after_ts.sql': `MODEL (name marts.after_ts, kind FULL);
SELECT *, doubled * 2 AS quadrupled, quadrupled + 1 AS plus_one FROM marts.ts_counts`,
    'external_models.yaml': '- name: raw.events\n  columns:\n    id: BIGINT\n    ts: VARCHAR\n    amount: VARCHAR\n    category: VARCHAR\n',
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

  it('expands stars over a seed from its CSV header and over declared seed columns, none of them built', async () => {
    const { models } = await service.invoke('lineage.models', {});
    expect(models.find((m) => m.name === 'marts.regions_out')?.columns).toEqual(['region_id', 'region name']);
    const view = await service.invoke('lineage.graph', { model: 'marts.regions_out', column: 'region name', upstream: 1, downstream: 0 });
    expect(view.edges).toContainEqual(expect.objectContaining({ from: { model: 'seeds.regions', column: 'region name' }, to: { model: 'marts.regions_out', column: 'region name' }, kind: 'value' }));
    expect(models.find((m) => m.name === 'marts.labelled')?.columns).toEqual(['category', 'n', 'label']);
  });

  it('makes a TypeScript model a node whose declared columns read every upstream column as code', async () => {
    const view = await service.invoke('lineage.graph', { model: 'marts.ts_counts', column: 'doubled', upstream: 1, downstream: 1 });
    expect(view.nodes.find((n) => n.model === 'marts.ts_counts')?.columns.map((c) => c.name)).toEqual(['category', 'doubled']);
    expect(view.edges.filter((e) => e.to.column === 'doubled' && e.to.model === 'marts.ts_counts')).toEqual([
      { from: { model: 'marts.by_category', column: 'category' }, to: { model: 'marts.ts_counts', column: 'doubled' }, kind: 'code', expression: 'computed by code' },
      { from: { model: 'marts.by_category', column: 'n' }, to: { model: 'marts.ts_counts', column: 'doubled' }, kind: 'code', expression: 'computed by code' },
    ]);
    // Downstream SQL expands its star from the declared columns, and lateral aliases stay in the query.
    const { models } = await service.invoke('lineage.models', {});
    expect(models.find((m) => m.name === 'marts.after_ts')?.columns).toEqual(['category', 'doubled', 'quadrupled', 'plus_one']);
    const after = await service.invoke('lineage.graph', { model: 'marts.after_ts', column: 'plus_one', upstream: 1, downstream: 0 });
    expect(after.edges.filter((e) => e.to.column === 'plus_one').map((e) => e.from)).toEqual([{ model: 'marts.ts_counts', column: 'doubled' }]);
  });

  it('takes an external model as the root of a downstream view, with the whole impact of its column', async () => {
    const view = await service.invoke('lineage.graph', { model: 'raw.events', column: 'category', upstream: 0, downstream: 100 });
    expect(view.focus).toEqual({ model: 'raw.events', column: 'category' });
    expect(view.nodes.find((n) => n.model === 'raw.events')?.columns.map((c) => c.name)).toEqual(['id', 'ts', 'amount', 'category']);
    expect(view.impact).toEqual(expect.arrayContaining([
      { model: 'staging.stg_events', column: 'category', hops: 1 },
      { model: 'marts.by_category', column: 'category', hops: 2 },
      { model: 'marts.ts_counts', column: 'doubled', hops: 3 },
      { model: 'marts.after_ts', column: 'plus_one', hops: 4 },
    ]));
    expect(view.nodes.map((n) => n.model)).toContain('marts.after_ts');
    const { models } = await service.invoke('lineage.models', {});
    expect(models.find((m) => m.name === 'raw.events')).toEqual({ name: 'raw.events', kind: 'EXTERNAL', columns: ['id', 'ts', 'amount', 'category'] });
  });

  it('shows a time macro as written, not the value it renders to', async () => {
    const view = await service.invoke('lineage.graph', { model: 'marts.daily', column: 'total', upstream: 1, downstream: 0 });
    const ts = view.edges.find((e) => e.to.column === 'total' && e.from.column === 'ts');
    expect(ts).toMatchObject({ kind: 'filter', expression: 'ts BETWEEN @start_ts AND @end_ts' });
  });

  it('follows a seed whose CSV header changes', async () => {
    const changed = new Promise<void>((resolve) => {
      const off = service.events.on('project.changed', () => {
        off();
        resolve();
      });
    });
    writeFiles(root, { 'seeds/regions.csv': 'region_id,"region name",country,population\n1,North,NL,5\n' });
    await changed;
    const { models } = await service.invoke('lineage.models', {});
    expect(models.find((m) => m.name === 'marts.regions_out')?.columns).toEqual(['region_id', 'region name', 'population']);
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

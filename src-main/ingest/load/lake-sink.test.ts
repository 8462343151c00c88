import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckEngine } from '../../duck/engine';
import { Lake } from '../../lake/lake';
import { LocalStorage } from '../../lake/storage/local';
import { LakeWarehouse } from '../../plan/lake-warehouse';
import { loadPipelineFile, loadPipelineText } from '../config/load';
import { runPipeline } from '../pipeline/run';
import { LakeIngestSink } from './lake-sink';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
let engine: DuckEngine;
let lake: Lake;
let warehouse: LakeWarehouse;
let sink: LakeIngestSink;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-lake-sink-'));
  engine = await DuckEngine.open();
  lake = await Lake.open({ instance: engine.instance, catalog: { type: 'duckdb', path: path.join(dir, 'metadata.ducklake') }, storage: new LocalStorage(path.join(dir, 'data')) });
  const connection = await engine.connect();
  await lake.attach(connection, 'lake');
  warehouse = new LakeWarehouse(lake, connection, 'lake');
  sink = new LakeIngestSink(warehouse);
});
afterAll(async () => {
  await lake.close();
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = async (sql: string) => Number(Object.values((await warehouse.query(sql))[0] ?? {})[0]);

describe('ingestion into the lake', () => {
  it('loads the bundled sample as one lake snapshot with its load record and state', async () => {
    const before = await lake.currentSnapshot();
    const pipeline = loadPipelineFile(path.join(repoRoot, 'pipelines/nyc_collisions_sample.yaml'), { env: {} });
    const result = await runPipeline(pipeline, { sink, workDir: dir });
    expect(result).toMatchObject({ status: 'loaded', tables: [{ name: 'nyc_collisions', rows: 20_000 }] });
    expect(await lake.currentSnapshot()).toBe(before + 1);
    expect(await count('SELECT count(*) FROM lake.raw.nyc_collisions')).toBe(20_000);
    const loads = await sink.loads('raw', pipeline.name);
    expect(loads).toHaveLength(1);
    expect(loads[0]).toMatchObject({ loadId: result.load_id, tables: [{ name: 'nyc_collisions', rows: 20_000 }] });
    expect((await sink.pipelineState('raw', pipeline.name))?.version).toBe(1);
    expect((await sink.currentSchema('raw', 'nyc_collisions'))?.columns.map((c) => c.name)).toContain('_dlt_load_id');
  });

  it('merges on the primary key, replacing changed rows and their child rows without duplicates', async () => {
    const orders = (price: number) => [
      { id: 1, items: [{ sku: 'a', price }, { sku: 'b', price: 2 }] },
      { id: 2, items: [{ sku: 'c', price: 3 }] },
    ];
    fs.writeFileSync(path.join(dir, 'orders.json'), JSON.stringify(orders(1)));
    const pipeline = loadPipelineText('destination: { dataset: shop }\nresources:\n  - name: orders\n    file: { path: orders.json }\n    primary_key: id\n    write_disposition: merge\n', {
      file: 'pipelines/shop.yaml',
      env: {},
      projectDir: dir,
    });
    expect((await runPipeline(pipeline, { sink, workDir: dir })).status).toBe('loaded');
    fs.writeFileSync(path.join(dir, 'orders.json'), JSON.stringify(orders(10).slice(0, 1)));
    expect((await runPipeline(pipeline, { sink, workDir: dir })).status).toBe('loaded');
    expect(await count('SELECT count(*) FROM lake.shop.orders')).toBe(2);
    expect(await count('SELECT count(*) FROM lake.shop.orders__items')).toBe(3);
    expect(await count("SELECT price FROM lake.shop.orders__items WHERE sku = 'a'")).toBe(10);
  });

  it('merges a load that repeats a key: the last occurrence wins, with its child rows only', async () => {
    const rows = [
      { id: 1, v: 'old', tags: [{ t: 'a' }] },
      { id: 2, v: 'two', tags: [{ t: 'b' }] },
      { id: 1, v: 'new', tags: [{ t: 'c' }, { t: 'd' }] },
    ];
    fs.writeFileSync(path.join(dir, 'repeat.json'), JSON.stringify(rows));
    const pipeline = loadPipelineText('destination: { dataset: repeat }\nresources:\n  - name: items\n    file: { path: repeat.json }\n    primary_key: id\n    write_disposition: merge\n', {
      file: 'pipelines/repeat.yaml',
      env: {},
      projectDir: dir,
    });
    expect((await runPipeline(pipeline, { sink, workDir: dir })).status).toBe('loaded');
    expect(await warehouse.query('SELECT id, v FROM lake.repeat.items ORDER BY id')).toEqual([
      { id: 1, v: 'new' },
      { id: 2, v: 'two' },
    ]);
    expect(await warehouse.query('SELECT t FROM lake.repeat.items__tags ORDER BY t')).toEqual([{ t: 'b' }, { t: 'c' }, { t: 'd' }]);
  });

  it('adds new columns when a field appears and keeps a conflicting value in a variant column', async () => {
    const pipeline = loadPipelineText('destination: { dataset: evolve }\nresources:\n  - name: things\n    file: { path: things.ndjson }\n', { file: 'pipelines/evolve.yaml', env: {}, projectDir: dir });
    fs.writeFileSync(path.join(dir, 'things.ndjson'), '{"id": 1, "size": 5}\n');
    expect((await runPipeline(pipeline, { sink, workDir: dir })).status).toBe('loaded');
    fs.writeFileSync(path.join(dir, 'things.ndjson'), '{"id": 2, "size": "huge", "color": "red"}\n');
    expect((await runPipeline(pipeline, { sink, workDir: dir })).status).toBe('loaded');
    const columns = (await sink.currentSchema('evolve', 'things'))?.columns.map((c) => c.name) ?? [];
    expect(columns).toEqual(expect.arrayContaining(['id', 'size', 'color']));
    expect(columns.some((c) => c.startsWith('size__v_'))).toBe(true);
    expect(await count('SELECT count(*) FROM lake.evolve.things')).toBe(2);
  });

  it('commits nothing when a load fails', async () => {
    const before = await lake.currentSnapshot();
    fs.writeFileSync(path.join(dir, 'broken.ndjson'), '{"a": 1}\n{"a": \n');
    const pipeline = loadPipelineText('destination: { dataset: broken }\nresources:\n  - name: broken\n    file: { path: broken.ndjson }\n', { file: 'pipelines/broken.yaml', env: {}, projectDir: dir });
    const result = await runPipeline(pipeline, { sink, workDir: dir });
    expect(result.status).toBe('failed');
    expect(await lake.currentSnapshot()).toBe(before);
    expect(await sink.currentSchemas('broken')).toEqual([]);
  });

  it('takes each package file as a lake data file without rewriting its rows, on the first load and on later appends', async () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => JSON.stringify({ id: i, name: `n${i}`, at: '2024-01-02T03:04:05' })).join('\n');
    fs.writeFileSync(path.join(dir, 'adopt.ndjson'), rows + '\n');
    const pipeline = loadPipelineText('destination: { dataset: adopt }\nresources:\n  - name: items\n    file: { path: adopt.ndjson, page_size: 250 }\n', { file: 'pipelines/adopt.yaml', env: {}, projectDir: dir });
    expect((await runPipeline(pipeline, { sink, workDir: dir, rotateRows: 250 })).status).toBe('loaded');
    const files = async () => (await lake.tables()).find((t) => t.schema === 'adopt' && t.name === 'items')?.fileCount;
    // Four package chunks of 250 rows become four lake files (a rewrite would have made one).
    expect(await files()).toBe(4);
    expect((await runPipeline(pipeline, { sink, workDir: dir, rotateRows: 250 })).status).toBe('loaded');
    expect(await files()).toBe(8);
    expect(await count('SELECT count(*) FROM lake.adopt.items')).toBe(2_000);
    expect(await count('SELECT count(DISTINCT _dlt_load_id) FROM lake.adopt.items WHERE id = 999')).toBe(2);
    // The catalog has each adopted file's statistics, like the lake's own files.
    expect(await count("SELECT max(id) FROM lake.adopt.items WHERE name = 'n7'")).toBe(7);
  });

  it('rewrites instead of adopting when another writer changed the table while the load ran', async () => {
    fs.writeFileSync(path.join(dir, 'race.ndjson'), '{"id": 1}\n{"id": 2}\n');
    const pipeline = loadPipelineText('destination: { dataset: race }\nresources:\n  - name: items\n    file: { path: race.ndjson }\n', { file: 'pipelines/race.yaml', env: {}, projectDir: dir });
    expect((await runPipeline(pipeline, { sink, workDir: dir })).status).toBe('loaded');
    fs.writeFileSync(path.join(dir, 'race.ndjson'), '{"id": 3, "color": "red"}\n');
    // Between the moment the files' form is fixed and the commit, another writer adds a column.
    const racing: typeof sink = Object.assign(Object.create(sink) as typeof sink, {
      packageFileForm: async (dataset: string) => {
        const form = await sink.packageFileForm(dataset);
        await lake.transaction((tx) => tx.addColumn('race', 'items', { name: 'other', type: 'VARCHAR' }));
        return form;
      },
    });
    expect((await runPipeline(pipeline, { sink: racing, workDir: dir })).status).toBe('loaded');
    expect(await warehouse.query('SELECT id, color, other FROM lake.race.items ORDER BY id')).toEqual([
      { id: 1, color: null, other: null },
      { id: 2, color: null, other: null },
      { id: 3, color: 'red', other: null },
    ]);
  });

  it('rewrites the files written before a field appeared mid-load and adopts the later ones', async () => {
    const lines = Array.from({ length: 600 }, (_, i) => JSON.stringify(i < 300 ? { id: i } : { id: i, color: `c${i}` }));
    fs.writeFileSync(path.join(dir, 'late.ndjson'), lines.join('\n') + '\n');
    const pipeline = loadPipelineText('destination: { dataset: late }\nresources:\n  - name: things\n    file: { path: late.ndjson, page_size: 100 }\n', { file: 'pipelines/late.yaml', env: {}, projectDir: dir });
    expect((await runPipeline(pipeline, { sink, workDir: dir, rotateRows: 100 })).status).toBe('loaded');
    // The three files without `color` become one rewritten file; the three with it are adopted.
    expect((await lake.tables()).find((t) => t.schema === 'late' && t.name === 'things')?.fileCount).toBe(4);
    expect(await count('SELECT count(*) FROM lake.late.things WHERE color IS NULL')).toBe(300);
    expect(await count("SELECT id FROM lake.late.things WHERE color = 'c450'")).toBe(450);
  });
});

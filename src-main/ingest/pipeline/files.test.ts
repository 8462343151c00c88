import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DuckEngine } from '../../duck/engine';
import { loadPipelineFile, loadPipelineText } from '../config/load';
import { DuckDbSink } from '../load/duckdb-sink';
import { runPipeline } from './run';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
let sink: DuckDbSink;

async function count(sql: string): Promise<number> {
  return Number(Object.values((await sink.query(sql))[0] ?? {})[0]);
}

function filePipeline(yamlResources: string, dataset = 'files') {
  return loadPipelineText(`destination: { dataset: ${dataset} }\nresources:\n${yamlResources}`, { file: 'pipelines/files.yaml', env: {}, projectDir: dir });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-ingest-files-'));
  sink = await DuckDbSink.open(path.join(dir, 'lake.duckdb'));
});

afterAll(async () => {
  await sink.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('file sources', () => {
  it('the sample pipeline loads the bundled NYC collisions file with no network', async () => {
    const fetchSpy = vi.fn(() => {
      throw new Error('network used');
    });
    vi.stubGlobal('fetch', fetchSpy);
    try {
      const pipeline = loadPipelineFile(path.join(repoRoot, 'pipelines/nyc_collisions_sample.yaml'), { env: {} });
      expect(pipeline.dataset).toBe('raw');
      const first = await runPipeline(pipeline, { sink, workDir: dir });
      expect(first).toMatchObject({ status: 'loaded', tables: [{ name: 'nyc_collisions', rows: 20_000 }] });
      const second = await runPipeline(pipeline, { sink, workDir: dir });
      expect(second.status).toBe('loaded');
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(await count('SELECT count(*) FROM raw.nyc_collisions')).toBe(20_000);
    expect(await count('SELECT count(DISTINCT collision_id) FROM raw.nyc_collisions')).toBe(20_000);
    const range = await sink.query(`SELECT min(crash_date)::VARCHAR AS lo, max(crash_date)::VARCHAR AS hi, typeof(any_value(collision_id)) AS t FROM raw.nyc_collisions`);
    expect(range[0]).toEqual({ lo: '2024-01-01 00:00:00', hi: '2024-03-31 00:00:00', t: 'BIGINT' });
    const boroughs = await sink.query(`SELECT DISTINCT borough FROM raw.nyc_collisions WHERE borough IS NOT NULL ORDER BY 1`);
    expect(boroughs.map((b) => b.borough)).toEqual(['BRONX', 'BROOKLYN', 'MANHATTAN', 'QUEENS', 'STATEN ISLAND']);
  });

  it('loads JSON with nested lists into child tables and merge replaces the children of updated rows', async () => {
    const orders = (price: number) => [
      { id: 1, customer: { name: 'Ann', address: { city: 'NYC' } }, items: [{ sku: 'a', price }, { sku: 'b', price: 2 }], tags: ['new', 'vip'] },
      { id: 2, customer: { name: 'Bob' }, items: [{ sku: 'c', price: 3 }], tags: [] },
    ];
    fs.writeFileSync(path.join(dir, 'orders.json'), JSON.stringify(orders(1)));
    const pipeline = filePipeline(`  - name: orders
    file: { path: orders.json }
    primary_key: id
    write_disposition: merge
`);
    expect((await runPipeline(pipeline, { sink, workDir: dir })).tables).toEqual([
      { name: 'orders', rows: 2 },
      { name: 'orders__items', rows: 3 },
      { name: 'orders__tags', rows: 2 },
    ]);
    fs.writeFileSync(path.join(dir, 'orders.json'), JSON.stringify(orders(10).slice(0, 1)));
    const second = await runPipeline(pipeline, { sink, workDir: dir });
    expect(second.status).toBe('loaded');
    expect(await count('SELECT count(*) FROM files.orders')).toBe(2);
    expect(await count('SELECT count(*) FROM files.orders__items')).toBe(3);
    expect(await count('SELECT count(*) FROM files.orders__tags')).toBe(2);
    const items = await sink.query(
      `SELECT o.id, i.sku, i.price, i._dlt_list_idx AS idx FROM files.orders o JOIN files.orders__items i ON i._dlt_parent_id = o._dlt_id ORDER BY o.id, idx`,
    );
    expect(items).toEqual([
      { id: '1', sku: 'a', price: '10', idx: '0' },
      { id: '1', sku: 'b', price: '2', idx: '1' },
      { id: '2', sku: 'c', price: '3', idx: '0' },
    ]);
    const cities = await sink.query(`SELECT customer__name AS n, customer__address__city AS c FROM files.orders ORDER BY id`);
    expect(cities).toEqual([
      { n: 'Ann', c: 'NYC' },
      { n: 'Bob', c: null },
    ]);
  });

  it('loads CSV (plain and gzip) selected by a glob, inferring types from the text', async () => {
    fs.mkdirSync(path.join(dir, 'csv'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'csv', 'part-1.csv'), 'id,amount,day,note\n1,1.5,2024-01-02,hello\n2,2,2024-01-03,\n');
    fs.writeFileSync(path.join(dir, 'csv', 'part-2.csv.gz'), zlib.gzipSync('id,amount,day,note\n3,4.25,2024-01-04,"a, b"\n'));
    fs.writeFileSync(path.join(dir, 'csv', 'other.txt'), 'ignored');
    const result = await runPipeline(filePipeline(`  - name: payments\n    file: { path: "csv/*.csv*" }\n`), { sink, workDir: dir });
    expect(result.tables).toEqual([{ name: 'payments', rows: 3 }]);
    const rows = await sink.query(`SELECT id, amount, day::VARCHAR AS day, note, typeof(id) AS t, typeof(amount) AS ta, typeof(day) AS td FROM files.payments ORDER BY id`);
    expect(rows).toEqual([
      { id: '1', amount: 1.5, day: '2024-01-02', note: 'hello', t: 'BIGINT', ta: 'DOUBLE', td: 'DATE' },
      { id: '2', amount: 2, day: '2024-01-03', note: null, t: 'BIGINT', ta: 'DOUBLE', td: 'DATE' },
      { id: '3', amount: 4.25, day: '2024-01-04', note: 'a, b', t: 'BIGINT', ta: 'DOUBLE', td: 'DATE' },
    ]);
  });

  it('loads Parquet files', async () => {
    const engine = await DuckEngine.open();
    const connection = await engine.connect();
    await connection.run(`COPY (SELECT range AS id, 'n' || range AS name FROM range(5)) TO '${path.join(dir, 'people.parquet')}' (FORMAT parquet)`);
    connection.closeSync();
    await engine.close();
    const result = await runPipeline(filePipeline(`  - name: people\n    file: { path: people.parquet }\n    write_disposition: replace\n`), { sink, workDir: dir });
    expect(result.tables).toEqual([{ name: 'people', rows: 5 }]);
    expect(await count(`SELECT sum(id) FROM files.people`)).toBe(10);
  });

  it('names the file and line of a malformed NDJSON record and commits nothing', async () => {
    fs.writeFileSync(path.join(dir, 'bad.ndjson'), '{"a": 1}\n{"a": 2\n');
    const result = await runPipeline(filePipeline(`  - name: bad\n    file: { path: bad.ndjson }\n`), { sink, workDir: dir });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain(`${path.join(dir, 'bad.ndjson')}:2: malformed JSON line`);
    expect(await sink.currentSchema('files', 'bad')).toBeUndefined();
  });

  it('reports a glob that matches nothing', async () => {
    const result = await runPipeline(filePipeline(`  - name: none\n    file: { path: "nothing/*.json" }\n`), { sink, workDir: dir });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain('No file matches nothing/*.json');
  });
});

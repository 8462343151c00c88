import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadPipelineText } from '../config/load';
import { DuckDbSink } from '../load/duckdb-sink';
import { generateCollisions, type CollisionRecord } from '../testing/collisions';
import { startSocrataServer, type SocrataServer } from '../testing/socrata-server';
import { pipelineInfo, dropPipeline } from './info';
import { runPipeline, type IngestProgress } from './run';

let server: SocrataServer;
let dir: string;
let sink: DuckDbSink;
let dbCount = 0;

function rows(count: number, startDate: string, endDate: string, firstCollisionId = 4_700_000, seed = 7): CollisionRecord[] {
  return [...generateCollisions({ count, startDate, endDate, firstCollisionId, seed })];
}

interface PipelineYaml {
  disposition?: 'append' | 'replace' | 'merge';
  incremental?: boolean;
  limit?: number;
  extraClient?: string;
}

function pipeline(options: PipelineYaml = {}) {
  const incremental = options.incremental
    ? `
        $where: "crash_date >= '{incremental.start_value}'"
      incremental:
        cursor_path: crash_date
        initial_value: "2024-01-01T00:00:00.000"`
    : '';
  const text = `destination:
  dataset: raw
client:
  base_url: ${server.baseUrl}
  backoff_seconds: 0.01
  timeout_seconds: 5
${options.extraClient ?? ''}
resources:
  - name: nyc_collisions
    endpoint:
      path: h9gi-nx95.json
      paginator:
        type: offset
        limit: ${options.limit ?? 500}
        offset_param: $offset
        limit_param: $limit
      params:
        $order: ":id"${incremental}
    primary_key: collision_id
    write_disposition: ${options.disposition ?? 'append'}
    columns:
      zip_code: { data_type: text }
`;
  return loadPipelineText(text, { file: 'pipelines/nyc_collisions.yaml', env: {}, projectDir: dir });
}

async function count(sql: string): Promise<number> {
  const result = await sink.query(sql);
  return Number(Object.values(result[0] ?? {})[0]);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-ingest-test-'));
  server = await startSocrataServer();
});

afterAll(async () => {
  await sink?.close();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await sink?.close();
  sink = await DuckDbSink.open(path.join(dir, `lake-${dbCount++}.duckdb`));
  server.clearFaults();
  server.requests.length = 0;
});

describe('Socrata pipeline over the local server', () => {
  it('pages with $limit/$offset to the end and stops on the short page without an extra request', async () => {
    server.rows = rows(2_350, '2024-01-01', '2024-01-31');
    const result = await runPipeline(pipeline({ extraClient: '  pages_in_flight: 1' }), { sink, workDir: dir });
    expect(result.status).toBe('loaded');
    expect(result.tables).toEqual([{ name: 'nyc_collisions', rows: 2_350 }]);
    expect(server.requests).toHaveLength(5);
    expect(server.requests.map((r) => new URL(r, 'http://x').searchParams.get('$offset'))).toEqual(['0', '500', '1000', '1500', '2000']);
    expect(await count('SELECT count(DISTINCT collision_id) FROM raw.nyc_collisions')).toBe(2_350);
  });

  it('stops on the empty page when the last page is exactly full', async () => {
    server.rows = rows(1_000, '2024-01-01', '2024-01-31');
    const result = await runPipeline(pipeline({ extraClient: '  pages_in_flight: 1' }), { sink, workDir: dir });
    expect(result.tables[0]?.rows).toBe(1_000);
    expect(server.requests).toHaveLength(3);
  });

  it('keeps several pages in flight but loads each row once, in order', async () => {
    server.rows = rows(2_350, '2024-01-01', '2024-01-31');
    const result = await runPipeline(pipeline({ extraClient: '  pages_in_flight: 4' }), { sink, workDir: dir });
    expect(result.tables[0]?.rows).toBe(2_350);
    // At most pages_in_flight - 1 speculative requests past the end.
    expect(server.requests.length).toBeLessThanOrEqual(5 + 3);
    expect(await count('SELECT count(DISTINCT collision_id) FROM raw.nyc_collisions')).toBe(2_350);
  });

  it('stores numbers-as-strings as typed columns, missing keys as NULL and the nested location flattened', async () => {
    server.rows = rows(600, '2024-01-01', '2024-01-31');
    await runPipeline(pipeline(), { sink, workDir: dir });
    const types = Object.fromEntries(
      (await sink.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = 'nyc_collisions'`)).map((r) => [
        r.column_name,
        r.data_type,
      ]),
    );
    expect(types).toMatchObject({
      crash_date: 'TIMESTAMP',
      crash_time: 'VARCHAR',
      collision_id: 'BIGINT',
      number_of_persons_injured: 'BIGINT',
      latitude: 'DOUBLE',
      zip_code: 'VARCHAR',
      location__latitude: 'DOUBLE',
      location__longitude: 'DOUBLE',
      location__human_address: 'VARCHAR',
      _dlt_load_id: 'VARCHAR',
      _dlt_id: 'VARCHAR',
    });
    const withoutBorough = server.rows.filter((r) => r.borough === undefined).length;
    expect(withoutBorough).toBeGreaterThan(0);
    expect(await count('SELECT count(*) FROM raw.nyc_collisions WHERE borough IS NULL')).toBe(withoutBorough);
    const first = server.rows.find((r) => r.location !== undefined)!;
    const stored = await sink.query(`SELECT crash_date::VARCHAR AS d, location__latitude AS lat, number_of_persons_injured AS n FROM raw.nyc_collisions WHERE collision_id = ${first.collision_id as string}`);
    expect(stored[0]).toEqual({
      d: (first.crash_date as string).replace('T', ' ').replace('.000', ''),
      lat: Number((first.location as { latitude: string }).latitude),
      n: first.number_of_persons_injured,
    });
    expect(await count(`SELECT count(DISTINCT _dlt_load_id) FROM raw.nyc_collisions`)).toBe(1);
  });

  it('waits for Retry-After on a 429 and then succeeds', async () => {
    server.rows = rows(800, '2024-01-01', '2024-01-31');
    server.fault({ fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, times: 1, offset: 500 });
    const events: IngestProgress[] = [];
    const result = await runPipeline(pipeline(), { sink, workDir: dir, onProgress: (e) => events.push(e) });
    expect(result.status).toBe('loaded');
    expect(result.tables[0]?.rows).toBe(800);
    const retry = events.find((e) => e.stage === 'retry');
    expect(retry?.message).toContain('HTTP 429; retry 1 in 1000 ms');
  });

  it('retries a 500 twice and then succeeds', async () => {
    server.rows = rows(800, '2024-01-01', '2024-01-31');
    server.fault({ fault: { kind: 'status', status: 500 }, times: 2, offset: 0 });
    const events: IngestProgress[] = [];
    const result = await runPipeline(pipeline(), { sink, workDir: dir, onProgress: (e) => events.push(e) });
    expect(result.status).toBe('loaded');
    expect(result.tables[0]?.rows).toBe(800);
    expect(events.filter((e) => e.stage === 'retry').map((e) => e.message?.split(';')[0])).toEqual(['HTTP 500', 'HTTP 500']);
  });

  it('retries a page that times out', async () => {
    server.rows = rows(800, '2024-01-01', '2024-01-31');
    server.fault({ fault: { kind: 'delay', ms: 3_000 }, times: 1, offset: 500 });
    const events: IngestProgress[] = [];
    const text = pipeline();
    text.client = { ...text.client!, timeout_seconds: 0.3 };
    const result = await runPipeline(text, { sink, workDir: dir, onProgress: (e) => events.push(e) });
    expect(result.status).toBe('loaded');
    expect(result.tables[0]?.rows).toBe(800);
    expect(events.some((e) => e.stage === 'retry' && e.message?.includes('timed out after 300 ms'))).toBe(true);
  });

  it('loads only the new rows on the second incremental run, without re-adding boundary rows', async () => {
    const all = rows(3_000, '2024-01-01', '2024-02-29');
    server.rows = all.slice(0, 1_700);
    const first = await runPipeline(pipeline({ incremental: true }), { sink, workDir: dir });
    expect(first.tables[0]?.rows).toBe(1_700);
    const boundary = server.rows[1_699]!.crash_date as string;
    server.rows = all;
    server.requests.length = 0;
    const second = await runPipeline(pipeline({ incremental: true }), { sink, workDir: dir });
    expect(second.status).toBe('loaded');
    expect(second.tables[0]?.rows).toBe(1_300);
    expect(new URL(server.requests[0]!, 'http://x').searchParams.get('$where')).toBe(`crash_date >= '${boundary}'`);
    expect(await count('SELECT count(*) FROM raw.nyc_collisions')).toBe(3_000);
    expect(await count('SELECT count(DISTINCT collision_id) FROM raw.nyc_collisions')).toBe(3_000);
    const info = await pipelineInfo(pipeline({ incremental: true }), sink);
    expect(info.cursors).toEqual([{ resource: 'nyc_collisions', cursorPath: 'crash_date', lastValue: all[2_999]!.crash_date }]);
    expect(info.loads.map((l) => l.tables[0]?.rows)).toEqual([1_300, 1_700]);
  });

  it('checks incremental pages on their bytes, the first one too: pages inside the window skip the parser, and rows and cursor state match the JavaScript route', async () => {
    const all = rows(3_000, '2024-01-01', '2024-02-29');
    const runBoth = async (): Promise<{ raw: number; rawState: unknown; jsState: unknown }> => {
      const events: IngestProgress[] = [];
      const raw = await runPipeline(pipeline({ incremental: true }), { sink, workDir: dir, onProgress: (e) => events.push(e) });
      const js = await runPipeline(pipeline({ incremental: true }), { sink: jsSink, workDir: dir, rawRoute: false });
      expect(raw.status).toBe('loaded');
      expect(raw.tables).toEqual(js.tables);
      const state = async (s: DuckDbSink) => {
        const cursor = (await s.pipelineState('raw', 'nyc_collisions'))?.resources.nyc_collisions?.incremental;
        return cursor && { ...cursor, uniqueHashes: [...cursor.uniqueHashes].sort() };
      };
      return { raw: events.at(-1)?.resources.nyc_collisions?.unparsedPages ?? 0, rawState: await state(sink), jsState: await state(jsSink) };
    };
    const jsSink = await DuckDbSink.open(path.join(dir, `lake-js-${dbCount++}.duckdb`));
    try {
      server.rows = all.slice(0, 1_700);
      const first = await runBoth();
      // No page is parsed whole: the first settles the schema from its records walked one by one
      // and its cursor values on the bytes; the others pass on their bytes.
      expect(first.raw).toBe(4);
      expect(first.rawState).toEqual(first.jsState);
      expect((first.rawState as { uniqueHashes: string[] }).uniqueHashes.length).toBeGreaterThan(0);
      server.rows = all;
      const second = await runBoth();
      // Pages holding boundary rows (at the stored cursor) are parsed and filtered; the rest are not.
      expect(second.raw).toBeGreaterThanOrEqual(1);
      expect(second.rawState).toEqual(second.jsState);
      expect(await count('SELECT count(*) FROM raw.nyc_collisions')).toBe(3_000);
      expect(Number((await jsSink.query('SELECT count(*) AS n FROM raw.nyc_collisions'))[0]?.n)).toBe(3_000);
    } finally {
      await jsSink.close();
    }
  });

  it('fails cleanly on a malformed JSON page: nothing committed, cursor unchanged, next run loads exactly the missing rows', async () => {
    const all = rows(2_000, '2024-01-01', '2024-02-29');
    server.rows = all.slice(0, 1_000);
    await runPipeline(pipeline({ incremental: true }), { sink, workDir: dir });
    const before = await sink.pipelineState('raw', 'nyc_collisions');
    server.rows = all;
    server.fault({ fault: { kind: 'malformed' }, times: 1, offset: 500 });
    const failed = await runPipeline(pipeline({ incremental: true }), { sink, workDir: dir });
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toContain('Malformed JSON');
    expect(failed.error?.message).toContain('%24offset=500');
    expect(await count('SELECT count(*) FROM raw.nyc_collisions')).toBe(1_000);
    expect(await sink.pipelineState('raw', 'nyc_collisions')).toEqual(before);
    expect(await sink.loads('raw', 'nyc_collisions')).toHaveLength(1);
    const again = await runPipeline(pipeline({ incremental: true }), { sink, workDir: dir });
    expect(again.status).toBe('loaded');
    expect(again.tables[0]?.rows).toBe(1_000);
    expect(await count('SELECT count(DISTINCT collision_id) FROM raw.nyc_collisions')).toBe(2_000);
    expect(await count('SELECT count(*) FROM raw.nyc_collisions')).toBe(2_000);
  });

  it('merge updates changed rows by primary key without duplicates', async () => {
    server.rows = rows(1_200, '2024-01-01', '2024-01-31');
    await runPipeline(pipeline({ disposition: 'merge' }), { sink, workDir: dir });
    const changed = server.rows.map((r, i) => (i % 100 === 0 ? { ...r, number_of_persons_injured: '9', borough: 'QUEENS' } : r));
    server.rows = [...changed, ...rows(50, '2024-02-01', '2024-02-02', 5_000_000)];
    const second = await runPipeline(pipeline({ disposition: 'merge' }), { sink, workDir: dir });
    expect(second.status).toBe('loaded');
    expect(await count('SELECT count(*) FROM raw.nyc_collisions')).toBe(1_250);
    expect(await count('SELECT count(DISTINCT collision_id) FROM raw.nyc_collisions')).toBe(1_250);
    expect(await count('SELECT count(*) FROM raw.nyc_collisions WHERE number_of_persons_injured = 9')).toBe(12);
    expect(await count(`SELECT count(DISTINCT _dlt_load_id) FROM raw.nyc_collisions`)).toBe(1);
  });

  it('loads pages checked on their bytes (never parsed) to the same rows and values as the JavaScript route', async () => {
    server.rows = rows(1_200, '2024-01-01', '2024-01-31').map((r, i) =>
      i % 97 === 0 ? { ...r, on_street_name: `O'BRIEN "QUOTED" \u00e9\\ ${i}\n` } : r,
    );
    const events: IngestProgress[] = [];
    const result = await runPipeline(pipeline(), { sink, workDir: dir, onProgress: (e) => events.push(e) });
    expect(result.status).toBe('loaded');
    // Page 1 makes the schema, checked record by record (never parsed as a whole); pages 2 and 3
    // pass the byte check. None of them is parsed into one array of records.
    expect(events.at(-1)?.resources.nyc_collisions).toMatchObject({ pages: 3, rows: 1_200, rawPages: 3, unparsedPages: 3 });
    const reference = await DuckDbSink.open(path.join(dir, `lake-${dbCount++}.duckdb`));
    try {
      expect((await runPipeline(pipeline(), { sink: reference, workDir: dir, rawRoute: false })).status).toBe('loaded');
      const select = 'SELECT * EXCLUDE (_dlt_id, _dlt_load_id) FROM raw.nyc_collisions ORDER BY collision_id';
      const loaded = await sink.query(select);
      expect(loaded).toHaveLength(1_200);
      expect(loaded).toEqual(await reference.query(select));
      expect(await sink.currentSchemas('raw')).toEqual(await reference.currentSchemas('raw'));
      expect(await count(`SELECT count(*) FROM raw.nyc_collisions WHERE on_street_name LIKE 'O''BRIEN "QUOTED" \u00e9\\ %'`)).toBe(13);
      expect(await count('SELECT count(DISTINCT _dlt_id) FROM raw.nyc_collisions')).toBe(1_200);
    } finally {
      await reference.close();
    }
  });

  it('adds a column for a field that appears mid-stream, NULL in earlier rows', async () => {
    server.rows = rows(1_200, '2024-01-01', '2024-01-31').map((r, i) => (i >= 700 ? { ...r, contributing_factor_note: `note ${i}` } : r));
    const result = await runPipeline(pipeline(), { sink, workDir: dir });
    expect(result.status).toBe('loaded');
    expect(await count('SELECT count(contributing_factor_note) FROM raw.nyc_collisions')).toBe(500);
    expect(await count('SELECT count(*) FROM raw.nyc_collisions WHERE contributing_factor_note IS NULL')).toBe(700);
  });

  it('puts a value that conflicts with the column type into a variant column', async () => {
    server.rows = rows(1_200, '2024-01-01', '2024-01-31').map((r, i) => (i === 900 ? { ...r, number_of_persons_injured: 'unknown' } : r));
    const events: IngestProgress[] = [];
    const result = await runPipeline(pipeline(), { sink, workDir: dir, onProgress: (e) => events.push(e) });
    expect(result.status).toBe('loaded');
    // Pages 1 and 3 go to DuckDB as received; page 2 (with the conflict) through the JavaScript normalizer.
    expect(events.at(-1)?.resources.nyc_collisions).toMatchObject({ pages: 3, rawPages: 2 });
    const variant = await sink.query(
      `SELECT number_of_persons_injured AS n, number_of_persons_injured__v_text AS v FROM raw.nyc_collisions WHERE number_of_persons_injured__v_text IS NOT NULL`,
    );
    expect(variant).toEqual([{ n: null, v: 'unknown' }]);
    expect(await count('SELECT count(number_of_persons_injured) FROM raw.nyc_collisions')).toBe(1_199);
    const schema = await sink.currentSchema('raw', 'nyc_collisions');
    expect(schema?.columns.find((c) => c.name === 'number_of_persons_injured__v_text')).toMatchObject({ dataType: 'text', variantOf: 'number_of_persons_injured' });
  });

  it('evolves the stored table across loads: a new field adds a column, a conflicting value a variant column', async () => {
    server.rows = rows(600, '2024-01-01', '2024-01-31');
    await runPipeline(pipeline(), { sink, workDir: dir });
    server.rows = rows(600, '2024-02-01', '2024-02-28', 4_800_000).map((r, i) =>
      i === 10 ? { ...r, collision_id: 'X-1', weather: 'rain' } : { ...r, weather: 'clear' },
    );
    const second = await runPipeline(pipeline(), { sink, workDir: dir });
    expect(second.status).toBe('loaded');
    expect(await count(`SELECT count(*) FROM raw.nyc_collisions WHERE weather IS NULL`)).toBe(600);
    expect(await count(`SELECT count(*) FROM raw.nyc_collisions WHERE weather = 'clear'`)).toBe(599);
    expect(await sink.query(`SELECT collision_id, collision_id__v_text AS v, weather FROM raw.nyc_collisions WHERE collision_id__v_text IS NOT NULL`)).toEqual([
      { collision_id: null, v: 'X-1', weather: 'rain' },
    ]);
  });

  it('merge keeps the last occurrence of a key that appears twice in one load', async () => {
    const base = rows(1_000, '2024-01-01', '2024-01-31');
    // Page 1 goes the raw route; page 2 carries a variant (JavaScript route) and repeats a key of page 1.
    const repeated = { ...base[10]!, borough: 'QUEENS', number_of_persons_injured: 'n/a' };
    server.rows = [...base, repeated];
    const result = await runPipeline(pipeline({ disposition: 'merge' }), { sink, workDir: dir });
    expect(result.status).toBe('loaded');
    expect(await count('SELECT count(*) FROM raw.nyc_collisions')).toBe(1_000);
    expect(await sink.query(`SELECT borough, number_of_persons_injured__v_text AS v FROM raw.nyc_collisions WHERE collision_id = ${base[10]!.collision_id as string}`)).toEqual([
      { borough: 'QUEENS', v: 'n/a' },
    ]);
  });

  it('fails on a 4xx with the status, a body excerpt and the URL with the api key masked', async () => {
    server.rows = rows(10, '2024-01-01', '2024-01-31');
    const secured = await startSocrataServer({ rows: server.rows, appToken: 'right-token' });
    try {
      const p = pipeline({ extraClient: `  auth: { type: api_key, name: $$app_token, api_key: wrong-token-123, location: query }` });
      p.client = { ...p.client!, base_url: secured.baseUrl };
      const result = await runPipeline(p, { sink, workDir: dir });
      expect(result.status).toBe('failed');
      expect(result.error?.message).toContain('HTTP 403');
      expect(result.error?.message).toContain('Invalid app_token');
      expect(result.error?.message).toContain('%24%24app_token=***');
      expect(result.error?.message).not.toContain('wrong-token-123');
    } finally {
      await secured.stop();
    }
  });

  it('sends the app token header and accepts the request', async () => {
    server.rows = rows(10, '2024-01-01', '2024-01-31');
    const secured = await startSocrataServer({ rows: server.rows, appToken: 'right-token' });
    try {
      const p = pipeline({ extraClient: `  headers: { X-App-Token: right-token }` });
      p.client = { ...p.client!, base_url: secured.baseUrl };
      const result = await runPipeline(p, { sink, workDir: dir });
      expect(result.status).toBe('loaded');
      expect(secured.requestHeaders[0]?.['x-app-token']).toBe('right-token');
    } finally {
      await secured.stop();
    }
  });

  it('a cancelled run commits nothing', async () => {
    server.rows = rows(2_000, '2024-01-01', '2024-01-31');
    const controller = new AbortController();
    const result = await runPipeline(pipeline(), {
      sink,
      workDir: dir,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.pages === 2) controller.abort();
      },
    });
    expect(result.status).toBe('cancelled');
    expect(await sink.loads('raw', 'nyc_collisions')).toEqual([]);
    expect(await sink.currentSchemas('raw')).toEqual([]);
  });

  it('reports progress per page and drop resets the cursor so the next run starts over', async () => {
    server.rows = rows(1_200, '2024-01-01', '2024-01-31');
    const events: IngestProgress[] = [];
    await runPipeline(pipeline({ incremental: true }), { sink, workDir: dir, onProgress: (e) => events.push(e) });
    const pages = events.filter((e) => e.stage === 'extract');
    expect(pages.map((e) => e.rows)).toEqual([500, 1_000, 1_200]);
    expect(pages[2]?.resources.nyc_collisions).toMatchObject({ pages: 3, rows: 1_200 });
    expect(pages[2]!.bytes).toBeGreaterThan(100_000);
    expect(events.at(-1)?.stage).toBe('done');
    await dropPipeline(pipeline({ incremental: true }), sink, { dropTables: true });
    expect((await pipelineInfo(pipeline({ incremental: true }), sink)).cursors).toEqual([]);
    const again = await runPipeline(pipeline({ incremental: true }), { sink, workDir: dir });
    expect(again.tables[0]?.rows).toBe(1_200);
    expect(await count('SELECT count(*) FROM raw.nyc_collisions')).toBe(1_200);
  });
});

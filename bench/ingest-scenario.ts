/**
 * One measured load of bench/ingest.bench.ts, run in a fresh process of its own (bundled by the
 * bench as the `pas` CLI is, run on plain Node): into the lake, the incremental merge into the
 * lake, into a DuckDB file, or DuckDB alone reading the same records as NDJSON. It sends what it
 * measured (time, CPU, the process's peak RSS) to the bench over IPC.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckEngine } from '../src-main/duck/engine';
import { loadPipelineText } from '../src-main/ingest/config/load';
import { DuckDbSink } from '../src-main/ingest/load/duckdb-sink';
import { LakeIngestSink } from '../src-main/ingest/load/lake-sink';
import { runPipeline } from '../src-main/ingest/pipeline/run';
import { Lake } from '../src-main/lake/lake';
import { LocalStorage } from '../src-main/lake/storage/local';
import { LakeWarehouse } from '../src-main/plan/lake-warehouse';

export const PAGE = 50_000;
export const INITIAL = '2012-07-01T00:00:00.000';

export type Scenario = 'lake' | 'merge' | 'duckdb_file' | 'alone';

export interface ScenarioInput {
  scenario: Scenario;
  rows: number;
  dir: string;
  baseUrl: string;
  /** The NDJSON file DuckDB alone reads. */
  ndjson: string;
}

export interface Measured {
  ms: number;
  cpu: number;
  /** Peak RSS of the scenario's process, MB. */
  peakRssMb: number;
  /** Time of the sink commit (or the package's readiness), ms. */
  commitMs?: number;
  packageMs?: number;
  packageCpu?: number;
  packagePeakRssMb?: number;
  unparsed?: number;
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export async function scenario(input: ScenarioInput): Promise<Measured> {
  fs.mkdirSync(input.dir, { recursive: true });
  if (input.scenario === 'alone') {
    // DuckDB alone: the same records as NDJSON → Parquet, DuckDB's default settings (all
    // threads, no memory cap) and the codec the lake's files get (DuckDB's default, snappy).
    const engine = await DuckEngine.open();
    const connection = await engine.connect();
    const t = performance.now();
    const cpu = process.cpuUsage();
    await connection.run(`COPY (SELECT * FROM read_json('${input.ndjson}', format = 'newline_delimited')) TO '${path.join(input.dir, 'alone.parquet')}' (FORMAT parquet)`);
    const measured = { ms: performance.now() - t, cpu: cpuSeconds(process.cpuUsage(cpu)), peakRssMb: peakRssMb() };
    connection.closeSync();
    await engine.close();
    return measured;
  }
  if (input.scenario === 'duckdb_file') {
    const sink = await DuckDbSink.open(path.join(input.dir, 'lake.duckdb'));
    const t = performance.now();
    const cpu = process.cpuUsage();
    let packageMs = 0;
    let packageCpu = 0;
    let packagePeakRssMb = 0;
    const result = await runPipeline(benchPipeline(input.baseUrl, input.dir, { dataset: 'raw', disposition: 'append' }), {
      sink,
      workDir: input.dir,
      onProgress: (event) => {
        if (event.stage !== 'commit') return;
        packageMs = performance.now() - t;
        packageCpu = cpuSeconds(process.cpuUsage(cpu));
        packagePeakRssMb = peakRssMb();
      },
    });
    const measured = { ms: performance.now() - t, cpu: cpuSeconds(process.cpuUsage(cpu)), peakRssMb: peakRssMb(), packageMs, packageCpu, packagePeakRssMb };
    if (result.status !== 'loaded') throw new Error(`bench load failed: ${result.error?.message}`);
    const loaded = Number((await sink.query('SELECT count(*) AS n FROM raw.nyc_collisions'))[0]?.n);
    if (loaded !== input.rows) throw new Error(`bench loaded ${loaded} rows, expected ${input.rows}`);
    await sink.close();
    return measured;
  }
  // Into the DuckLake lake (local catalog file and data folder): the product path.
  const lakeEngine = await DuckEngine.open();
  const lake = await Lake.open({ instance: lakeEngine.instance, catalog: { type: 'duckdb', path: path.join(input.dir, 'lake', 'metadata.ducklake') }, storage: new LocalStorage(path.join(input.dir, 'lake', 'data')) });
  const lakeConnection = await lakeEngine.connect();
  await lake.attach(lakeConnection, 'lake');
  const sink = new LakeIngestSink(new LakeWarehouse(lake, lakeConnection, 'lake'));
  // The example pipeline's shape for `merge`: incremental on crash_date, merged on collision_id.
  const pipeline =
    input.scenario === 'merge'
      ? benchPipeline(input.baseUrl, input.dir, { dataset: 'raw_incremental', disposition: 'merge', incrementalFrom: INITIAL })
      : benchPipeline(input.baseUrl, input.dir, { dataset: 'raw', disposition: 'append' });
  const t = performance.now();
  const cpu = process.cpuUsage();
  let commitStart = 0;
  let unparsed = 0;
  const result = await runPipeline(pipeline, {
    sink,
    workDir: input.dir,
    onProgress: (event) => {
      if (event.stage === 'commit') commitStart = performance.now();
      unparsed = event.resources.nyc_collisions?.unparsedPages ?? unparsed;
    },
  });
  const end = performance.now();
  const measured = { ms: end - t, cpu: cpuSeconds(process.cpuUsage(cpu)), peakRssMb: peakRssMb(), commitMs: end - commitStart, unparsed };
  if (result.status !== 'loaded' || result.tables[0]?.rows !== input.rows) throw new Error(`bench load into the lake failed: ${result.error?.message ?? result.tables[0]?.rows}`);
  await lake.close();
  lakeConnection.closeSync();
  await lakeEngine.close();
  return measured;
}

/** The bench's pipeline over the local server: plain offset paging, or the example's incremental shape. */
function benchPipeline(baseUrl: string, dir: string, options: { dataset: string; disposition: 'append' | 'merge'; incrementalFrom?: string }) {
  const incremental = options.incrementalFrom
    ? `, $where: "crash_date >= '{incremental.start_value}'" }
      incremental: { cursor_path: crash_date, initial_value: "${options.incrementalFrom}" }`
    : ' }';
  return loadPipelineText(
    `destination: { dataset: ${options.dataset} }
client:
  base_url: ${baseUrl}
  pages_in_flight: 2
resources:
  - name: nyc_collisions
    endpoint:
      path: h9gi-nx95.json
      paginator: { type: offset, limit: ${PAGE}, offset_param: $offset, limit_param: $limit }
      params: { $order: ":id"${incremental}
    primary_key: collision_id
    write_disposition: ${options.disposition}
    columns:
      zip_code: { data_type: text }
`,
    { file: `bench/${options.dataset}.yaml`, env: {}, projectDir: dir },
  );
}

function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === '--scenario') {
  scenario(JSON.parse(process.argv[3] ?? '{}') as ScenarioInput).then(
    (measured) => process.send?.({ measured }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
}

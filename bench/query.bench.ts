/**
 * The query console's data path against bare @duckdb/node-api, in the same process and run:
 *  - fetchdf of a 1,000,000-row, 4-column result through the service (run + pages of JSON-safe
 *    cells) vs. the same query on a bare connection read chunk by chunk;
 *  - paging through all 10,000,000 rows of `range(10000000)` through the service vs. bare
 *    DuckDB. Target: within 1.05x of bare DuckDB.
 * Two bare baselines are measured: the same output (every value converted to a JSON-safe value
 * with node-api's own JSON converter), which the target is judged against, and the raw floor
 * (values read, not converted), printed so the conversion's cost is visible.
 */
import { DuckDBInstance, JsonDuckDBValueConverter } from '@duckdb/node-api';
import { FETCH_PAGE_ROWS } from '../src-main/cli/commands/fetchdf';
import { PasService } from '../src-main/service/service';
import { medianMs, type Figure } from './harness';

const WIDE = "select range as id, range * 1.5 as x, 'name-' || (range % 1000) as s, date '2024-01-01' + (range % 365)::int as d from range(1000000)";
const TALL = 'select * from range(10000000)';

async function throughService(service: PasService, sql: string): Promise<number> {
  const handle = await service.invoke('query.run', { sql });
  let cells = 0;
  for (let offset = 0; offset < handle.rowCount; offset += FETCH_PAGE_ROWS) {
    const page = await service.invoke('query.page', { resultId: handle.resultId, offset, limit: FETCH_PAGE_ROWS });
    cells += page.rowCount * page.columns.length;
  }
  await service.invoke('query.close', { resultId: handle.resultId });
  return cells;
}

export async function run(): Promise<Figure[]> {
  const service = await PasService.create();
  const instance = await DuckDBInstance.create(':memory:');
  const bare = await instance.connect();
  const throughBare = async (sql: string, convert: boolean) => {
    const result = await bare.run(sql);
    let cells = 0;
    for (let i = 0; i < result.chunkCount; i++) {
      const chunk = result.getChunk(i);
      for (let c = 0; c < chunk.columnCount; c++) {
        cells += (convert ? chunk.convertColumnValues(c, JsonDuckDBValueConverter) : chunk.getColumnValues(c)).length;
      }
    }
    return cells;
  };
  const figures: Figure[] = [];
  for (const [name, sql] of [
    ['fetchdf 1M rows x 4 columns', WIDE],
    ['page through 10M rows', TALL],
  ] as const) {
    const bareJsonMs = await medianMs(() => throughBare(sql, true), 5);
    const bareRawMs = await medianMs(() => throughBare(sql, false), 5);
    const serviceMs = await medianMs(() => throughService(service, sql), 5);
    const ratio = serviceMs / bareJsonMs;
    figures.push({
      name: `${name}: service`,
      value: serviceMs,
      unit: 'ms',
      baseline: `bare node-api, JSON values ${bareJsonMs.toFixed(0)} ms (${ratio.toFixed(2)}x); raw values ${bareRawMs.toFixed(0)} ms (${(serviceMs / bareRawMs).toFixed(2)}x)`,
      target: '<= 1.05x bare (JSON values)',
      met: ratio <= 1.05,
    });
  }
  bare.closeSync();
  instance.closeSync();
  await service.close();
  return figures;
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DuckEngine } from '../../duck/engine';
import { lakeOf } from '../../plan/multi-catalog-warehouse';
import { writeFiles } from '../../plan/test-project';
import { Workspace } from '../../plan/workspace';
import { findPipeline } from '../config/project-pipelines';
import { runPipeline } from '../pipeline/run';
import { startRestServer, type RestTestServer } from '../testing/rest-server';
import { openProjectSink } from './project-sink';

let server: RestTestServer;
beforeAll(async () => {
  server = await startRestServer();
});
afterAll(async () => server.close());

/** A project whose pipeline is written as dlt's docs write one: only `client` and `resources`. */
function project(connection: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'pas-project-sink-'));
  writeFiles(root, {
    'config.yaml': `gateways:\n  local:\n    connection:\n      type: duckdb\n${connection}model_defaults:\n  dialect: duckdb\n`,
    'pipelines/shop.yaml': `client:\n  base_url: ${server.baseUrl}\n  paginator:\n    type: offset\n    limit: 3\nresources:\n  - name: items\n    endpoint: offset\n`,
  });
  return root;
}

describe("a pipeline without a destination loads into the project's warehouse", () => {
  let engine: DuckEngine;
  beforeEach(async () => {
    engine = await DuckEngine.open();
  });
  afterEach(async () => engine.close());

  async function ingest(root: string): Promise<Workspace> {
    const ws = await Workspace.open({ projectDir: root, engine });
    const opened = await openProjectSink(ws);
    try {
      const result = await runPipeline(await findPipeline(root, 'shop'), { sink: opened.sink });
      expect(result).toMatchObject({ status: 'loaded', tables: [{ name: 'items', rows: 7 }] });
    } finally {
      await opened.close();
    }
    return ws;
  }

  it("into the gateway's DuckLake lake, in dlt's <pipeline>_dataset", async () => {
    const ws = await ingest(project('      catalogs:\n        lake:\n          type: ducklake\n          path: lake/meta.ducklake\n          data_path: lake/data/\n'));
    expect(await ws.warehouse.query('SELECT count(*) AS n FROM shop_dataset.items')).toEqual([{ n: 7 }]);
    const state = await lakeOf(ws.warehouse)!.state();
    expect(state.tables.filter((t) => t.schemaName === 'shop_dataset').map((t) => t.name)).toContain('items');
    await ws.close();
  });

  it('into the lake when it is not the default catalog', async () => {
    const ws = await ingest(project("      catalogs:\n        local: 'local.duckdb'\n        lake:\n          type: ducklake\n          path: lake/meta.ducklake\n          data_path: lake/data/\n"));
    expect(await ws.warehouse.query('SELECT count(*) AS n FROM lake.shop_dataset.items')).toEqual([{ n: 7 }]);
    await ws.close();
  });

  it('into the DuckDB database when the gateway has no lake', async () => {
    const ws = await ingest(project('      database: warehouse.duckdb\n'));
    expect(await ws.warehouse.query("SELECT count(*) AS n FROM warehouse.shop_dataset.items")).toEqual([{ n: 7 }]);
    await ws.close();
  });

  it('says where to put the data when the warehouse is in memory', async () => {
    const ws = await Workspace.open({ projectDir: project(''), engine });
    await expect(openProjectSink(ws)).rejects.toThrow(/add a catalogs: entry of type ducklake \(or a database: file\)/);
    await ws.close();
  });
});

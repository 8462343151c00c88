import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { parseTime } from './intervals';
import { writeFiles } from './test-project';
import { Workspace } from './workspace';

const NOW = parseTime('2024-01-03T12:00:00Z');

const MODELS = {
  'models/staging/orders.sql': `MODEL (name staging.orders, kind FULL);
SELECT * FROM (VALUES (1, 10.0), (2, 32.5)) t(id, amount)`,
  'models/marts/totals.sql': `MODEL (name marts.totals, kind VIEW);
SELECT count(*) AS n, sum(amount) AS total FROM staging.orders`,
};

function project(connection: string, extra: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'pas-catalogs-'));
  writeFiles(root, {
    'config.yaml': `gateways:\n  local:\n    connection:\n      type: duckdb\n${connection}model_defaults:\n  dialect: duckdb\n  start: '2024-01-01'\n`,
    ...MODELS,
    ...extra,
  });
  return root;
}

describe('the duckdb connection forms of SQLMesh', () => {
  let engine: DuckEngine;
  beforeEach(async () => {
    engine = await DuckEngine.open();
  });
  afterEach(async () => engine.close());

  async function planApply(ws: Workspace, environment: string): Promise<void> {
    const { plan, graph } = await ws.plan({ environment, executionTime: NOW });
    await ws.apply(plan, graph);
  }

  /** Builds dev then prod and reads both environments' views back; returns the warehouse's catalog. */
  async function roundTrip(root: string, reads: Record<string, unknown[]> = {}): Promise<Workspace> {
    const ws = await Workspace.open({ projectDir: root, engine });
    await planApply(ws, 'dev');
    await planApply(ws, 'prod');
    expect(await ws.warehouse.query('SELECT n, total FROM marts.totals')).toEqual([{ n: 2, total: 42.5 }]);
    expect(await ws.warehouse.query('SELECT n, total FROM marts__dev.totals')).toEqual([{ n: 2, total: 42.5 }]);
    for (const [sql, rows] of Object.entries(reads)) expect(await ws.warehouse.query(sql)).toEqual(rows);
    return ws;
  }

  async function catalogOf(ws: Workspace, schema: string, table: string): Promise<string[]> {
    const rows = await ws.warehouse.query(`SELECT table_catalog AS c FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = '${table}' ORDER BY 1`);
    return rows.map((r) => String(r.c));
  }

  it('database: a DuckDB file holds the physical tables and the views, under its file name', async () => {
    const root = project('      database: data/local.duckdb\n');
    const ws = await roundTrip(root);
    expect(ws.warehouse.catalog).toBe('local');
    expect(await catalogOf(ws, 'marts', 'totals')).toEqual(['local']);
    await ws.close();
  });

  it("catalogs: a DuckDB file entry (SQLMesh's `local: 'data/local.duckdb'`) is the default catalog, not memory", async () => {
    const root = project("      catalogs:\n        local: 'data/local.duckdb'\n");
    const ws = await roundTrip(root);
    expect(ws.warehouse.catalog).toBe('local');
    expect(await catalogOf(ws, 'marts', 'totals')).toEqual(['local']);
    await ws.close();
    // The tables are in the file: a new workspace sees the environment as built.
    const again = await Workspace.open({ projectDir: root, engine });
    const { plan } = await again.plan({ environment: 'prod', executionTime: NOW });
    expect(plan.changes).toEqual([]);
    expect(await again.warehouse.query('SELECT n FROM marts.totals')).toEqual([{ n: 2 }]);
    await again.close();
  });

  it('catalogs: {type: duckdb, path} entries work as path strings do', async () => {
    const root = project('      catalogs:\n        wh:\n          type: duckdb\n          path: wh.duckdb\n');
    const ws = await roundTrip(root);
    expect(ws.warehouse.catalog).toBe('wh');
    await ws.close();
  });

  it('several catalogs: the first is the default, a model named catalog.schema.table lives in its catalog', async () => {
    const root = project("      catalogs:\n        main_db: 'main.duckdb'\n        archive: 'archive.duckdb'\n", {
      'models/archive/old_orders.sql': `MODEL (name archive.history.old_orders, kind FULL);
SELECT id, amount * 2 AS doubled FROM staging.orders`,
    });
    const ws = await roundTrip(root, {
      'SELECT sum(doubled) AS s FROM archive.history.old_orders': [{ s: 85 }],
      'SELECT sum(doubled) AS s FROM archive.history__dev.old_orders': [{ s: 85 }],
    });
    expect(ws.warehouse.catalog).toBe('main_db');
    expect(await catalogOf(ws, 'marts', 'totals')).toEqual(['main_db']);
    expect(await catalogOf(ws, 'history', 'old_orders')).toEqual(['archive']);
    expect(await catalogOf(ws, 'sqlmesh__history', (await ws.warehouse.query("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'sqlmesh__history'"))[0]?.t as string)).toEqual(['archive']);
    await ws.close();
  });

  it('several catalogs: a DuckDB file first and a DuckLake lake second; a model named lake.schema.table lands in the lake', async () => {
    const root = project(
      "      catalogs:\n        local: 'local.duckdb'\n        lake:\n          type: ducklake\n          path: lake/meta.ducklake\n          data_path: lake/data/\n",
      { 'models/lake/orders_copy.sql': `MODEL (name lake.published.orders_copy, kind FULL);\nSELECT * FROM staging.orders` },
    );
    const ws = await roundTrip(root, {
      'SELECT count(*) AS n FROM lake.published.orders_copy': [{ n: 2 }],
      'SELECT count(*) AS n FROM lake.published__dev.orders_copy': [{ n: 2 }],
    });
    expect(ws.warehouse.catalog).toBe('local');
    await ws.close();
  });

  it('a DuckLake catalog first is the default: every model lives in the lake', async () => {
    const root = project('      catalogs:\n        lake:\n          type: ducklake\n          path: lake/meta.ducklake\n          data_path: lake/data/\n        scratch: scratch.duckdb\n');
    const ws = await roundTrip(root);
    expect(ws.warehouse.catalog).toBe('lake');
    expect(await catalogOf(ws, 'marts', 'totals')).toEqual(['lake']);
    await ws.close();
  });

  it('models named after the default catalog (local.schema.table) are the models of that catalog, referenced with or without it', async () => {
    const root = project("      catalogs:\n        local: 'local.duckdb'\n        other: 'other.duckdb'\n", {
      'models/staging/orders.sql': `MODEL (name local.staging.orders, kind FULL);\nSELECT * FROM (VALUES (1, 10.0), (2, 32.5)) t(id, amount)`,
      'models/marts/by_id.sql': `MODEL (name local.marts.by_id, kind FULL);\nSELECT id FROM local.staging.orders`,
    });
    const ws = await roundTrip(root, { 'SELECT count(*) AS n FROM local.marts.by_id': [{ n: 2 }] });
    expect(Object.keys(ws.project.models).sort()).toEqual(['marts.by_id', 'marts.totals', 'staging.orders']);
    expect(await catalogOf(ws, 'marts', 'by_id')).toEqual(['local']);
    await ws.close();
  });

  it('a dev environment expires after environment_ttl, and its unused snapshots after snapshot_ttl', async () => {
    const root = project('      database: a.duckdb\n');
    writeFiles(root, { 'config.yaml': `${readFileSync(path.join(root, 'config.yaml'), 'utf8')}environment_ttl: in 2 hours\nsnapshot_ttl: in 3 days\n` });
    const ws = await Workspace.open({ projectDir: root, engine });
    const { plan, graph } = await ws.plan({ environment: 'dev', executionTime: NOW });
    const before = Date.now();
    await ws.apply(plan, graph);
    const dev = await ws.state.getEnvironment('dev');
    expect((dev?.expirationTs ?? 0) - before).toBeGreaterThanOrEqual(2 * 3_600_000 - 1000);
    expect((dev?.expirationTs ?? 0) - before).toBeLessThanOrEqual(2 * 3_600_000 + 60_000);
    expect(plan.snapshots.every((s) => s.record.ttlMs === 3 * 86_400_000)).toBe(true);
    await ws.close();
  });

  it('runs before_all and after_all around applying a plan and a run, with @this_env and @views', async () => {
    const root = project('      database: a.duckdb\n');
    const config = readFileSync(path.join(root, 'config.yaml'), 'utf8');
    writeFiles(root, {
      'config.yaml': `${config}before_all:\n  - CREATE TABLE IF NOT EXISTS main.log (entry VARCHAR)\n  - INSERT INTO main.log VALUES (@this_env || ':before')\nafter_all:\n  # @views are the environment's views: FROM both is a cross join of 2 x 1 rows\n  - "INSERT INTO main.log SELECT @this_env || ':after:' || count(*) FROM @EACH(@views, v -> v)"\n`,
    });
    const ws = await Workspace.open({ projectDir: root, engine });
    expect(ws.diagnostics).toEqual([]);
    await planApply(ws, 'dev');
    await ws.run('dev', { executionTime: NOW });
    expect((await ws.warehouse.query('SELECT entry FROM main.log ORDER BY rowid')).map((r) => r.entry)).toEqual(['dev:before', 'dev:after:2', 'dev:before', 'dev:after:2']);
    await ws.close();
  });

  it('refuses database and catalogs together, as SQLMesh does', async () => {
    const root = project("      database: a.duckdb\n      catalogs:\n        b: 'b.duckdb'\n");
    await expect(Workspace.open({ projectDir: root, engine })).rejects.toThrow(/cannot specify both `database` and `catalogs`/);
  });

  it('refuses a model that names a catalog the gateway does not have', async () => {
    const root = project('      database: a.duckdb\n', { 'models/x.sql': 'MODEL (name nowhere.s.x, kind FULL);\nSELECT 1 AS one' });
    const ws = await Workspace.open({ projectDir: root, engine });
    const { plan, graph } = await ws.plan({ environment: 'prod', executionTime: NOW });
    await expect(ws.apply(plan, graph)).rejects.toThrow(/names catalog 'nowhere', which is not one of the gateway's catalogs/);
    await ws.close();
  });

  it('sets connector_config as DuckDB settings', async () => {
    const root = project('      database: a.duckdb\n      connector_config:\n        threads: 1\n');
    const ws = await Workspace.open({ projectDir: root, engine });
    expect(await ws.warehouse.query("SELECT current_setting('threads') AS t")).toEqual([{ t: 1 }]);
    await ws.close();
  });

  it('accepts the extensions a DuckLake-on-S3 project lists (their work is built in) and loads those DuckDB has', async () => {
    const root = project('      database: a.duckdb\n      extensions:\n        - ducklake\n        - httpfs\n        - name: json\n');
    const ws = await Workspace.open({ projectDir: root, engine });
    expect(await ws.warehouse.query(`SELECT json_extract('{"a": 1}', '$.a')::INT AS a`)).toEqual([{ a: 1 }]);
    await ws.close();
  });

  it('says an extension DuckDB does not have cannot be downloaded', async () => {
    const root = project('      database: a.duckdb\n      extensions:\n        - spatial\n');
    await expect(Workspace.open({ projectDir: root, engine })).rejects.toThrow(/extension 'spatial' is not available here and cannot be downloaded/);
  });
});

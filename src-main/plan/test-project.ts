/**
 * Test support: a small SQLMesh-format project in a temporary folder, with raw events loaded
 * into its DuckDB warehouse, for the plan/apply/run tests.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const STAGING = `MODEL (name staging.stg_events, kind VIEW);
SELECT id, ts::TIMESTAMP AS ts, amount::DOUBLE AS amount, category FROM raw.events`;

export const DAILY = `MODEL (
  name marts.daily,
  kind INCREMENTAL_BY_TIME_RANGE (time_column day, batch_size 2),
  audits (not_null(columns := (day)))
);
SELECT date_trunc('day', ts) AS day, count(*) AS n, sum(amount) AS total
FROM staging.stg_events
WHERE ts BETWEEN @start_ts AND @end_ts
GROUP BY 1`;

export const BY_CATEGORY = `MODEL (
  name marts.by_category,
  kind FULL,
  audits (unique_values(columns := (category)), not_null(columns := (category)))
);
SELECT category, count(*) AS n FROM staging.stg_events GROUP BY category`;

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

/** Creates the project and its warehouse with 5 days of raw events (2024-01-01 .. 2024-01-05). */
export async function createTestProject(extra: Record<string, string> = {}): Promise<string> {
  const root = mkdtempSync(path.join(tmpdir(), 'pas-project-'));
  writeFiles(root, {
    'config.yaml': `gateways:
  local:
    connection:
      type: duckdb
      database: warehouse.db
default_gateway: local
model_defaults:
  dialect: duckdb
  start: '2024-01-01'
  cron: '@daily'
`,
    'models/staging/stg_events.sql': STAGING,
    'models/marts/daily.sql': DAILY,
    'models/marts/by_category.sql': BY_CATEGORY,
    ...extra,
  });
  const instance = await DuckDBInstance.create(path.join(root, 'warehouse.db'));
  const connection = await instance.connect();
  await connection.run(`CREATE SCHEMA raw;
    CREATE TABLE raw.events AS
    SELECT i AS id, (TIMESTAMP '2024-01-01' + INTERVAL (i * 3) HOUR)::VARCHAR AS ts, (i % 7)::VARCHAR AS amount,
           ['a', 'b', 'c'][1 + i % 3] AS category
    FROM range(40) t(i)`);
  connection.closeSync();
  instance.closeSync();
  return root;
}

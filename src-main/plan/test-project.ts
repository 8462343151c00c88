/**
 * Test support: a small SQLMesh-format project in a temporary folder, with raw events loaded
 * into its DuckDB warehouse, for the plan/apply/run tests.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Lake } from '../lake/lake';
import { LocalStorage } from '../lake/storage/local';
import { S3Storage } from '../lake/storage/s3';
import type { TestS3 } from '../testing/s3';

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

/**
 * Files for a test project whose staging view reads `landing.orders`, a table the project's
 * `orders` pipeline loads but nothing has loaded yet (a fresh project before its first load).
 */
export const UNLOADED_ORDERS: Record<string, string> = {
  'external_models.yaml': '- name: landing.orders\n  columns:\n    id: INTEGER\n',
  'pipelines/orders.yaml': 'destination:\n  dataset: landing\nresources:\n  - name: orders\n    file:\n      path: data/orders.ndjson\n      format: ndjson\n',
  'models/staging/stg_orders.sql': 'MODEL (name staging.stg_orders, kind VIEW);\n\nSELECT id\nFROM landing.orders\n',
};

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

/** Where a test project's models materialize. */
export type TestBackend =
  | { kind: 'duckdb' }
  | { kind: 'lake-local' }
  | { kind: 'lake-remote'; postgresUrl: string; s3: TestS3; prefix: string };

const RAW_EVENTS = `SELECT i AS id, (TIMESTAMP '2024-01-01' + INTERVAL (i * 3) HOUR)::VARCHAR AS ts, (i % 7)::VARCHAR AS amount,
       ['a', 'b', 'c'][1 + i % 3] AS category
FROM range(40) t(i)`;

function gatewayYaml(backend: TestBackend): string {
  switch (backend.kind) {
    case 'duckdb':
      return '    connection:\n      type: duckdb\n      database: warehouse.db\n';
    case 'lake-local':
      return '    connection:\n      type: duckdb\n      catalogs:\n        lake:\n          type: ducklake\n          path: lake/metadata.ducklake\n          data_path: lake/data/\n';
    case 'lake-remote':
      return [
        '    connection:',
        '      type: duckdb',
        '      catalogs:',
        '        lake:',
        '          type: ducklake',
        `          path: 'postgres:${backend.postgresUrl}'`,
        `          data_path: 's3://${backend.s3.bucket}/${backend.prefix}/'`,
        '          s3:',
        `            endpoint: '${backend.s3.endpoint}'`,
        `            region: ${backend.s3.region}`,
        '            url_style: path',
        `            key_id: ${backend.s3.accessKeyId}`,
        `            secret: ${backend.s3.secretAccessKey}`,
        '',
      ].join('\n');
  }
}

/** The S3 storage of a remote-lake test backend, as a second writer would open it. */
export function remoteStorage(backend: Extract<TestBackend, { kind: 'lake-remote' }>): S3Storage {
  return new S3Storage({
    bucket: backend.s3.bucket,
    prefix: `${backend.prefix}/`,
    endpoint: backend.s3.endpoint,
    region: backend.s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: backend.s3.accessKeyId, secretAccessKey: backend.s3.secretAccessKey },
  });
}

async function loadRawEvents(root: string, backend: TestBackend): Promise<void> {
  if (backend.kind === 'duckdb') {
    const instance = await DuckDBInstance.create(path.join(root, 'warehouse.db'));
    const connection = await instance.connect();
    await connection.run(`CREATE SCHEMA raw; CREATE TABLE raw.events AS ${RAW_EVENTS}`);
    connection.closeSync();
    instance.closeSync();
    return;
  }
  const instance = await DuckDBInstance.create(':memory:');
  const lake = await Lake.open({
    instance,
    catalog: backend.kind === 'lake-local' ? { type: 'duckdb', path: path.join(root, 'lake/metadata.ducklake') } : { type: 'postgres', connectionString: backend.postgresUrl },
    storage: backend.kind === 'lake-local' ? new LocalStorage(path.join(root, 'lake/data')) : remoteStorage(backend),
  });
  await lake.transaction(async (tx) => {
    tx.createSchema('raw');
    await tx.createTableAs('raw', 'events', RAW_EVENTS);
  });
  await lake.close();
  instance.closeSync();
}

/** Creates the project and its warehouse with 5 days of raw events (2024-01-01 .. 2024-01-05). */
export async function createTestProject(extra: Record<string, string> = {}, backend: TestBackend = { kind: 'duckdb' }): Promise<string> {
  const root = mkdtempSync(path.join(tmpdir(), 'pas-project-'));
  writeFiles(root, {
    'config.yaml': `gateways:
  local:
${gatewayYaml(backend)}default_gateway: local
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
  await loadRawEvents(root, backend);
  return root;
}


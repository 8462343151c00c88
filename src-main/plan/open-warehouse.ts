/**
 * Opens the warehouse a project's gateway describes, and says where its state lives by default:
 * - a `catalogs:` entry of `type: ducklake` → the lake (catalog on a DuckDB file or PostgreSQL,
 *   data on disk or S3), attached under the entry's name; state beside the catalog;
 * - a duckdb `database` file → that database, attached under its file name; state inside it;
 * - nothing → an in-memory database; state in `.pas/state.db`.
 * Every connection of the engine then uses the warehouse as its default catalog, so queries
 * name models as SQLMesh users write them (`marts.x`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DuckEngine } from '../duck/engine';
import { parseLakeCatalog, type PgConnectionOptions } from '../lake/config';
import { createStorage } from '../lake/config-storage';
import { describeLakeConfig, redactorFor } from '../lake/secrets';
import { PasException } from '../../src-shared/errors';
import { Lake } from '../lake/lake';
import type { Project } from '../project/project';
import { DuckDbWarehouse } from './duckdb-warehouse';
import { LakeWarehouse } from './lake-warehouse';
import { quoteIdentifier, type Warehouse } from './warehouse';

export interface OpenedWarehouse {
  warehouse: Warehouse;
  /** Where state lives when the gateway names no state connection. */
  defaultState: { type: 'duckdb'; path: string } | { type: 'postgres'; connection: PgConnectionOptions };
  close(): Promise<void>;
}

function lakeEntry(project: Project): [string, Record<string, unknown>] | undefined {
  const gateway = project.gateway ? project.config.gateways[project.gateway] : undefined;
  const connection = gateway?.connection;
  if (connection?.type !== 'duckdb') return undefined;
  for (const [name, spec] of Object.entries(connection.catalogs ?? {})) {
    if (typeof spec === 'object' && spec !== null && String(spec.type ?? '').toLowerCase() === 'ducklake') return [name, spec as Record<string, unknown>];
  }
  return undefined;
}

async function attachDatabase(engine: DuckEngine, databasePath: string): Promise<string> {
  const probe = await engine.connect();
  try {
    const attached = await probe.runAndReadAll('SELECT database_name FROM duckdb_databases() WHERE path = $1', [databasePath]);
    const existing = attached.getRows()[0]?.[0];
    if (existing !== undefined) return String(existing);
    const catalog = path.basename(databasePath).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_]/g, '_') || 'warehouse';
    await probe.run(`ATTACH '${databasePath.replace(/'/g, "''")}' AS ${quoteIdentifier(catalog)}`);
    return catalog;
  } finally {
    probe.closeSync();
  }
}

export async function openWarehouse(engine: DuckEngine, project: Project): Promise<OpenedWarehouse> {
  const lake = lakeEntry(project);
  if (lake) {
    const [name, entry] = lake;
    const gatewayField = `gateways.${project.gateway}.connection.catalogs.${name}`;
    const config = parseLakeCatalog(name, entry, { projectDir: project.root, field: gatewayField });
    const opened = await Lake.open({
      instance: engine.instance,
      catalog:
        config.catalog.kind === 'duckdb-file'
          ? { type: 'duckdb', path: config.catalog.path }
          : { type: 'postgres', connection: config.catalog.connection, ...(config.metadataSchema ? { schema: config.metadataSchema } : {}) },
      storage: await createStorage(config.data),
      name,
    }).catch((error: unknown) => {
      // Name the lake without its secrets, and say what went wrong, instead of a driver's stack.
      const redactor = redactorFor(config);
      const reason = redactor.redact(error instanceof Error ? error.message : String(error));
      throw new PasException({ code: 'internal', message: `Cannot open the lake \`${name}\` (${describeLakeConfig(config)}) of gateway \`${project.gateway}\`: ${reason}` });
    });
    const connection = await engine.connect();
    // Views kept between processes (lake/attach.ts): where files and inlined rows have the same names everywhere.
    const viewCache =
      config.catalog.kind === 'duckdb-file' && config.data.kind === 'local'
        ? path.join(project.root, '.pas', 'cache', `lake-views-${name}-${createHash('sha256').update(config.catalog.path).digest('hex').slice(0, 12)}.duckdb`)
        : undefined;
    await opened.attach(connection, name, viewCache ? { viewCache } : {});
    await connection.run(`USE ${quoteIdentifier(name)}`);
    engine.useCatalog(name);
    return {
      warehouse: new LakeWarehouse(opened, connection, name),
      defaultState: config.catalog.kind === 'duckdb-file' ? { type: 'duckdb', path: config.catalog.path } : { type: 'postgres', connection: config.catalog.connection },
      async close() {
        // Detaching needs a connection whose default catalog is not the lake itself.
        engine.useCatalog(undefined);
        await connection.run('USE memory').catch(() => undefined);
        await opened.close();
        connection.closeSync();
      },
    };
  }
  const gateway = project.gateway ? project.config.gateways[project.gateway] : undefined;
  const connectionConfig = gateway?.connection;
  let catalog = 'memory';
  let statePath = path.join(project.root, '.pas', 'state.db');
  if (connectionConfig?.type === 'duckdb' && connectionConfig.database && connectionConfig.database !== ':memory:') {
    const databasePath = path.resolve(project.root, connectionConfig.database);
    mkdirSync(path.dirname(databasePath), { recursive: true });
    catalog = await attachDatabase(engine, databasePath);
    statePath = databasePath;
    engine.useCatalog(catalog);
  }
  const connection = await engine.connect();
  await connection.run(`USE ${quoteIdentifier(catalog)}`);
  return {
    warehouse: new DuckDbWarehouse(connection, catalog),
    defaultState: { type: 'duckdb', path: statePath },
    async close() {
      engine.useCatalog(undefined);
      connection.closeSync();
    },
  };
}

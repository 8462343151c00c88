/**
 * Opens the warehouse a project's gateway describes, as SQLMesh's duckdb connection does, and
 * says where its state lives by default:
 * - `database: FILE` → that DuckDB file, attached under its file name (`data/local.duckdb` →
 *   `local`); state inside it;
 * - `catalogs:` → every entry attached under its name, in order: a path string or
 *   `{type: duckdb, path}` is a DuckDB file (`:memory:` an in-memory catalog), `type: ducklake`
 *   the lake (catalog on a DuckDB file or PostgreSQL, data on disk or S3). The FIRST entry is
 *   the default catalog; a model named `catalog.schema.table` lives in that catalog. State sits
 *   beside the default catalog (in its DuckDB file, or beside the lake's catalog);
 * - nothing → an in-memory database; state in `.pas/state.db`.
 * `connector_config` settings are SET on the engine; `extensions` are LOADed when DuckDB has
 * them already (nothing can be downloaded). Every connection of the engine then uses the
 * default catalog, so queries name models as SQLMesh users write them (`marts.x`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DuckEngine } from '../duck/engine';
import { parseLakeCatalog, type PgConnectionOptions } from '../lake/config';
import { databaseAlias, type CatalogSpec, type DuckDbConnectionConfig } from '../project/config';
import { createStorage } from '../lake/config-storage';
import { describeLakeConfig, redactorFor } from '../lake/secrets';
import { PasException } from '../../src-shared/errors';
import { Lake } from '../lake/lake';
import type { Project } from '../project/project';
import { DuckDbWarehouse } from './duckdb-warehouse';
import { LakeWarehouse } from './lake-warehouse';
import { MultiCatalogWarehouse } from './multi-catalog-warehouse';
import { quoteIdentifier, type Warehouse } from './warehouse';
import { mark } from '../process/timing';

export interface OpenedWarehouse {
  warehouse: Warehouse;
  /** Where state lives when the gateway names no state connection. */
  defaultState: { type: 'duckdb'; path: string } | { type: 'postgres'; connection: PgConnectionOptions };
  close(): Promise<void>;
}

/** One catalog to attach: a DuckDB database (file or in-memory) or a DuckLake lake. */
export type CatalogTarget =
  | { alias: string; kind: 'duckdb'; path: string; readOnly: boolean }
  | { alias: string; kind: 'ducklake'; entry: Record<string, unknown> };

/** The catalogs a duckdb connection attaches, default first; errors name the field at fault. */
export function catalogTargets(connection: DuckDbConnectionConfig | undefined, projectRoot: string, field: string): CatalogTarget[] {
  if (!connection) return [];
  if (connection.database !== undefined && Object.keys(connection.catalogs).length > 0) {
    throw configError(`${field}: cannot specify both \`database\` and \`catalogs\`; define every catalog in \`catalogs\`, the first entry being the default catalog`);
  }
  if (connection.database !== undefined) {
    if (connection.database === ':memory:' || connection.database === '') return [];
    return [{ alias: databaseAlias(connection.database), kind: 'duckdb', path: path.resolve(projectRoot, connection.database), readOnly: false }];
  }
  return Object.entries(connection.catalogs).map(([alias, spec]) => catalogTarget(alias, spec, projectRoot, `${field}.catalogs.${alias}`));
}

function catalogTarget(alias: string, spec: CatalogSpec, projectRoot: string, field: string): CatalogTarget {
  const filePath = (p: string) => (p === ':memory:' ? p : path.resolve(projectRoot, p));
  if (typeof spec === 'string') {
    if (/^ducklake:/i.test(spec)) return { alias, kind: 'ducklake', entry: { type: 'ducklake', path: spec.slice('ducklake:'.length) } };
    if (/^(md|motherduck|postgres|postgresql|sqlite|mysql|s3|https?):/i.test(spec)) {
      throw configError(`${field}: '${spec.split(':')[0]}:' catalogs need a DuckDB extension that cannot be downloaded here; use a DuckDB file or a type: ducklake entry`);
    }
    return { alias, kind: 'duckdb', path: filePath(spec), readOnly: false };
  }
  const type = String(spec.type ?? 'duckdb').toLowerCase();
  if (type === 'ducklake') return { alias, kind: 'ducklake', entry: spec };
  if (type === 'duckdb') return { alias, kind: 'duckdb', path: filePath(spec.path), readOnly: spec.read_only === true };
  if (['postgres', 'sqlite', 'mysql', 'motherduck', 'iceberg'].includes(type)) {
    throw configError(`${field}: catalogs of type '${type}' need DuckDB's ${type} extension, which cannot be downloaded here; use a DuckDB file or a type: ducklake entry`);
  }
  throw configError(`${field}: unknown catalog type '${spec.type}' (duckdb or ducklake)`);
}

function configError(message: string): PasException {
  return new PasException({ code: 'validation', message, issues: [] });
}

async function attachDatabase(engine: DuckEngine, target: Extract<CatalogTarget, { kind: 'duckdb' }>): Promise<void> {
  const probe = await engine.connect();
  try {
    const byAlias = await probe.runAndReadAll('SELECT path FROM duckdb_databases() WHERE database_name = $1', [target.alias]);
    if (byAlias.getRows().length > 0) return;
    if (target.path !== ':memory:') mkdirSync(path.dirname(target.path), { recursive: true });
    await probe.run(`ATTACH '${target.path.replace(/'/g, "''")}' AS ${quoteIdentifier(target.alias)}${target.readOnly ? ' (READ_ONLY)' : ''}`);
  } finally {
    probe.closeSync();
  }
}

/** `connector_config` as DuckDB settings, `extensions` loaded when DuckDB already has them. */
async function configureEngine(engine: DuckEngine, connection: DuckDbConnectionConfig | undefined, field: string): Promise<void> {
  if (!connection) return;
  const setup = await engine.connect();
  try {
    for (const [name, value] of Object.entries(connection.connectorConfig)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw configError(`${field}.connector_config.${name}: not a DuckDB setting name`);
      const literal = typeof value === 'number' || typeof value === 'boolean' ? String(value) : `'${String(value).replace(/'/g, "''")}'`;
      await setup.run(`SET GLOBAL ${name} = ${literal}`).catch((error: unknown) => {
        throw configError(`${field}.connector_config.${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      });
    }
    for (const extension of connection.extensions) {
      const name = typeof extension === 'string' ? extension : String(extension['name'] ?? '');
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw configError(`${field}.extensions: '${name}' is not an extension name`);
      // What these extensions do for a SQLMesh project (DuckLake catalogs, S3 data) is built in here.
      if (NATIVE_EXTENSIONS.has(name.toLowerCase())) continue;
      await setup.run(`LOAD ${name}`).catch(() => {
        throw configError(`${field}.extensions: DuckDB extension '${name}' is not available here and cannot be downloaded; remove it from the connection`);
      });
    }
  } finally {
    setup.closeSync();
  }
}

/** Extensions whose job this app does itself: the DuckLake format and S3 access for the lake. */
const NATIVE_EXTENSIONS = new Set(['ducklake', 'httpfs', 'aws']);

interface OpenedCatalog {
  warehouse: Warehouse;
  state: OpenedWarehouse['defaultState'];
  close(): Promise<void>;
}

async function openLake(engine: DuckEngine, project: Project, alias: string, entry: Record<string, unknown>, secrets: unknown): Promise<OpenedCatalog> {
  const gatewayField = `gateways.${project.gateway}.connection.catalogs.${alias}`;
  const config = parseLakeCatalog(alias, entry, { projectDir: project.root, field: gatewayField, ...(secrets !== undefined ? { secrets } : {}) });
  const opened = await Lake.open({
    instance: engine.instance,
    catalog:
      config.catalog.kind === 'duckdb-file'
        ? { type: 'duckdb', path: config.catalog.path }
        : { type: 'postgres', connection: config.catalog.connection, ...(config.metadataSchema ? { schema: config.metadataSchema } : {}) },
    storage: await createStorage(config.data),
    name: alias,
  }).catch((error: unknown) => {
    // Name the lake without its secrets, and say what went wrong, instead of a driver's stack.
    const redactor = redactorFor(config);
    const reason = redactor.redact(error instanceof Error ? error.message : String(error));
    throw new PasException({ code: 'internal', message: `Cannot open the lake \`${alias}\` (${describeLakeConfig(config)}) of gateway \`${project.gateway}\`: ${reason}` });
  });
  mark('lake: opened');
  const connection = await engine.connect();
  // Views kept between processes (lake/attach.ts): where files and inlined rows have the same names everywhere.
  const viewCache =
    config.catalog.kind === 'duckdb-file' && config.data.kind === 'local'
      ? path.join(project.root, '.pas', 'cache', `lake-views-${alias}-${createHash('sha256').update(config.catalog.path).digest('hex').slice(0, 12)}.duckdb`)
      : undefined;
  await opened.attach(connection, alias, viewCache ? { viewCache } : {});
  mark('lake: attached');
  return {
    warehouse: new LakeWarehouse(opened, connection, alias),
    state: config.catalog.kind === 'duckdb-file' ? { type: 'duckdb', path: config.catalog.path } : { type: 'postgres', connection: config.catalog.connection },
    async close() {
      await connection.run('USE memory').catch(() => undefined);
      await opened.close();
      connection.closeSync();
    },
  };
}

export async function openWarehouse(engine: DuckEngine, project: Project): Promise<OpenedWarehouse> {
  const gateway = project.gateway ? project.config.gateways[project.gateway] : undefined;
  const connectionConfig = gateway?.connection;
  const field = `gateways.${project.gateway ?? ''}.connection`;
  const targets = catalogTargets(connectionConfig, project.root, field);
  await configureEngine(engine, connectionConfig, field);
  const opened: OpenedCatalog[] = [];
  const closeAll = async () => {
    // Detaching needs a connection whose default catalog is not one of ours.
    engine.useCatalog(undefined);
    for (const catalog of opened.reverse()) await catalog.close().catch(() => undefined);
  };
  try {
    for (const target of targets) {
      if (target.kind === 'ducklake') {
        opened.push(await openLake(engine, project, target.alias, target.entry, connectionConfig?.secrets));
        continue;
      }
      await attachDatabase(engine, target);
      const connection = await engine.connect();
      opened.push({
        warehouse: new DuckDbWarehouse(connection, target.alias),
        state: { type: 'duckdb', path: target.path === ':memory:' || target.readOnly ? path.join(project.root, '.pas', 'state.db') : target.path },
        async close() {
          connection.closeSync();
        },
      });
    }
    if (opened.length === 0) {
      const connection = await engine.connect();
      await connection.run('USE memory');
      opened.push({
        warehouse: new DuckDbWarehouse(connection, 'memory'),
        state: { type: 'duckdb', path: path.join(project.root, '.pas', 'state.db') },
        async close() {
          connection.closeSync();
        },
      });
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  const first = opened[0]!;
  engine.useCatalog(first.warehouse.catalog);
  for (const catalog of opened) {
    if (catalog.warehouse instanceof DuckDbWarehouse || catalog.warehouse instanceof LakeWarehouse) {
      await catalog.warehouse.query(`USE ${quoteIdentifier(first.warehouse.catalog)}`);
    }
  }
  const warehouse = opened.length === 1 ? first.warehouse : new MultiCatalogWarehouse(first.warehouse, opened.map((c) => c.warehouse));
  return { warehouse, defaultState: first.state, close: closeAll };
}

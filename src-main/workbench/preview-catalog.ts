/**
 * The preview catalogs: one in-memory DuckDB database per environment (`pas_preview_<env>`)
 * holding a view for every relation a previewed model reads, named exactly as the model names it
 * (`marts.x`), so the model's rendered query runs unchanged (error positions stay true):
 * - a model built in the environment reads its environment view;
 * - a SQL model never built there is inlined: its own rendered SQL (recursively, so a fresh
 *   project previews without any plan); a seed reads its CSV file;
 * - a table that is not a model (a lake table, an external model) reads the warehouse's table.
 * Views are replaced only when their definition changes; `invalidate` forgets them all.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckEngine } from '../duck/engine';
import { environmentView, normalizeEnvironment, splitModelName } from '../plan/naming';
import { quoteIdentifier } from '../plan/warehouse';
import type { Workspace } from '../plan/workspace';
import { tableReferences } from '../sql/references';
import { renderForPreview } from './overlay';

/** How long "is it built?" answers are trusted before asking the warehouse again. */
const BUILT_TTL_MS = 3_000;

export interface PreparedCatalog {
  /** The DuckDB catalog to `USE` before running the model's query. */
  catalog: string;
  /** Upstream models inlined from their SQL because they were never built. */
  inlined: string[];
  /** Relations that could not be made available, with why. */
  failures: { name: string; message: string }[];
}

type Definition = { sql: string; inlined: boolean; reads: string[] };

/** Lower-case `schema.table` names a query reads without a catalog (its project-level references). */
export async function readNames(ws: Workspace, sql: string): Promise<string[]> {
  const parsed = await ws.parser.parse(sql);
  if (!parsed.ok) return [];
  const names = new Set<string>();
  for (const statement of parsed.statements) {
    for (const ref of tableReferences(statement)) {
      if (ref.catalog && ref.catalog.toLowerCase() !== ws.warehouse.catalog.toLowerCase()) continue;
      names.add(`${(ref.schema || 'main').toLowerCase()}.${ref.name.toLowerCase()}`);
    }
  }
  return [...names];
}

export function previewCatalogName(environment: string): string {
  return `pas_preview_${normalizeEnvironment(environment)}`;
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export class PreviewCatalogs {
  private connection: Promise<DuckDBConnection> | undefined;
  private readonly attached = new Set<string>();
  /** `catalog.schema.table` → the definition its view has now. */
  private readonly views = new Map<string, string>();
  private readonly built = new Map<string, { at: number; value: boolean }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly engine: DuckEngine) {}

  /** Forgets every view and built answer (the project or the lake changed). */
  invalidate(): void {
    this.views.clear();
    this.built.clear();
  }

  /** Makes every relation `reads` names (and what those read, recursively) available in the environment's catalog. */
  prepare(ws: Workspace, environment: string, reads: readonly string[]): Promise<PreparedCatalog> {
    const task = this.queue.then(() => this.prepareNow(ws, environment, reads));
    this.queue = task.catch(() => undefined);
    return task;
  }

  /** Every view's columns in a prepared catalog, by lower-case `schema.table`. */
  columns(catalog: string): Promise<Map<string, { name: string; type: string }[]>> {
    const task = this.queue.then(async () => {
      this.connection ??= this.engine.connect();
      const connection = await this.connection;
      const reader = await connection.runAndReadAll(
        `SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns WHERE table_catalog = ${sqlString(catalog)} ORDER BY table_schema, table_name, ordinal_position`,
      );
      const out = new Map<string, { name: string; type: string }[]>();
      for (const [schema, table, name, type] of reader.getRows()) {
        const key = `${String(schema)}.${String(table)}`.toLowerCase();
        let list = out.get(key);
        if (!list) out.set(key, (list = []));
        list.push({ name: String(name), type: String(type) });
      }
      return out;
    });
    this.queue = task.catch(() => undefined);
    return task;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.connection) (await this.connection.catch(() => undefined))?.closeSync();
  }

  private async prepareNow(ws: Workspace, environment: string, reads: readonly string[]): Promise<PreparedCatalog> {
    const catalog = previewCatalogName(environment);
    this.connection ??= this.engine.connect();
    const connection = await this.connection;
    if (!this.attached.has(catalog)) {
      await connection.run(`ATTACH IF NOT EXISTS ':memory:' AS ${quoteIdentifier(catalog)}`);
      this.attached.add(catalog);
    }
    await connection.run(`USE ${quoteIdentifier(catalog)}`);
    const definitions = new Map<string, Definition | undefined>();
    const order: string[] = [];
    const visiting = new Set<string>();
    const visit = async (name: string): Promise<void> => {
      if (definitions.has(name) || visiting.has(name)) return;
      visiting.add(name);
      const definition = await this.definition(ws, environment, name);
      for (const parent of definition?.reads ?? []) await visit(parent);
      visiting.delete(name);
      definitions.set(name, definition);
      order.push(name);
    };
    for (const name of reads) await visit(name);

    const inlined: string[] = [];
    const failures: { name: string; message: string }[] = [];
    for (const name of order) {
      const definition = definitions.get(name);
      if (!definition) continue;
      if (definition.inlined) inlined.push(name);
      const { schema, table } = splitModelName(name);
      const key = `${catalog}.${name}`;
      if (this.views.get(key) === definition.sql) continue;
      try {
        await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(catalog)}.${quoteIdentifier(schema)}`);
        await connection.run(`CREATE OR REPLACE VIEW ${quoteIdentifier(catalog)}.${quoteIdentifier(schema)}.${quoteIdentifier(table)} AS ${definition.sql}`);
        this.views.set(key, definition.sql);
      } catch (error) {
        this.views.delete(key);
        failures.push({ name, message: error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error) });
      }
    }
    return { catalog, inlined, failures };
  }

  /** Whether the warehouse has the table or view, asked at most every few seconds. */
  private async exists(ws: Workspace, name: { schema: string; table: string }): Promise<boolean> {
    const key = `${name.schema}.${name.table}`.toLowerCase();
    const cached = this.built.get(key);
    if (cached && performance.now() - cached.at < BUILT_TTL_MS) return cached.value;
    const value = (await ws.warehouse.exists(name).catch(() => undefined)) !== undefined;
    this.built.set(key, { at: performance.now(), value });
    return value;
  }

  private async definition(ws: Workspace, environment: string, name: string): Promise<Definition | undefined> {
    const model = ws.project.models[name];
    if (model && model.source !== 'external') {
      if (await this.exists(ws, environmentView(model.name, environment))) {
        return { sql: `SELECT * FROM ${ws.warehouse.qualify(environmentView(model.name, environment))}`, inlined: false, reads: [] };
      }
      if (model.kind.name === 'SEED') return { sql: `SELECT * FROM read_csv(${sqlString(model.kind.resolvedPath)})`, inlined: true, reads: [] };
      if (model.source !== 'sql') return undefined;
      const rendered = renderForPreview(ws.project, model);
      if (rendered.query === undefined) return undefined;
      const reads = (await readNames(ws, rendered.query)).filter((r) => r !== name);
      return { sql: rendered.query, inlined: true, reads };
    }
    const qualified = splitModelName(name);
    if (!(await this.exists(ws, qualified))) return undefined;
    return { sql: `SELECT * FROM ${ws.warehouse.qualify(qualified)}`, inlined: false, reads: [] };
  }
}

/** `lake.*`: the lake browser's data, and querying a lake table as of any snapshot. */
import { PasException } from '../../../src-shared/errors';
import type { LakeOverview, LakeSchemaSummary } from '../../../src-shared/lake';
import type { ResultStore } from '../../duck/results';
import { lakeWarehouseOf } from '../../plan/multi-catalog-warehouse';
import { quoteIdentifier } from '../../plan/warehouse';
import type { ProjectSession } from '../project-session';
import type { SessionPool } from './query';
import type { Handlers } from './types';

export const LAKE_SESSION = 'lake-browser';

async function lakeOf(project: ProjectSession) {
  const ws = await project.workspace().catch((error: unknown) => {
    throw new PasException({ code: 'not_found', what: 'lake', message: `The project could not be opened: ${error instanceof Error ? error.message : String(error)}` });
  });
  return lakeWarehouseOf(ws.warehouse);
}

/** DuckLake records inserts and deletes by table id; show the table's name where it still exists. */
function namedChanges(changes: Record<string, string[]>, tableNames: Map<string, string>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(changes).map(([kind, items]) => [kind, items.map((item) => (/^\d+$/.test(item) ? (tableNames.get(item) ?? `table ${item}`) : item))]));
}

export function lakeHandlers(project: ProjectSession, sessions: SessionPool, results: ResultStore): Handlers<'lake.overview' | 'lake.query'> {
  return {
    'lake.overview': async (): Promise<LakeOverview> => {
      const warehouse = await lakeOf(project).catch((error: unknown) => {
        if (error instanceof PasException) return error.error.message;
        throw error;
      });
      if (typeof warehouse === 'string') return { configured: false, reason: warehouse };
      if (!warehouse) return { configured: false, reason: "The project's gateway has no catalogs entry of type ducklake." };
      const lake = warehouse.lake;
      await lake.refresh();
      const [tables, snapshots, state] = await Promise.all([lake.tables(), lake.snapshots(), lake.state()]);
      const tableNames = new Map(tables.map((t) => [String(t.tableId), `${t.schema}.${t.name}`]));
      const schemas = new Map<string, LakeSchemaSummary>(state.schemas.map((s) => [s.name, { name: s.name, tables: [], views: [] }]));
      for (const t of tables) {
        let schema = schemas.get(t.schema);
        if (!schema) schemas.set(t.schema, (schema = { name: t.schema, tables: [], views: [] }));
        schema.tables.push({ name: t.name, rows: t.rowCount, files: t.fileCount, deleteFiles: t.deleteFileCount, bytes: t.sizeBytes, columns: t.columns });
      }
      for (const schema of schemas.values()) {
        schema.views = state.views.filter((v) => v.schemaName === schema.name).map((v) => v.name).sort();
        schema.tables.sort((a, b) => a.name.localeCompare(b.name));
      }
      return {
        configured: true,
        name: lake.name,
        dataRoot: lake.storage.displayRoot,
        schemas: [...schemas.values()].sort((a, b) => a.name.localeCompare(b.name)),
        snapshots: snapshots
          .map((s) => ({ id: s.id, time: s.time.toISOString(), changes: namedChanges(s.changes, tableNames), author: s.author, message: s.message }))
          .reverse(),
      };
    },
    'lake.query': async ({ schema, table, snapshot }, ctx) => {
      const warehouse = await lakeOf(project);
      if (!warehouse) throw new PasException({ code: 'not_found', what: 'lake', message: "The project's gateway has no DuckLake catalog." });
      const session = await sessions.get(LAKE_SESSION);
      const sql =
        snapshot === undefined
          ? `SELECT * FROM ${warehouse.qualify({ schema, table })}`
          : await session.withConnection((connection) => warehouse.lake.tableSql(connection, schema, table, { snapshot }));
      const started = performance.now();
      const text = snapshot === undefined ? sql : `SELECT * FROM (${sql}) AS ${quoteIdentifier(`${table}@${snapshot}`)}`;
      const result = await session.run(text, ctx.signal);
      return results.add(result, performance.now() - started, { sql: text, session: LAKE_SESSION });
    },
  };
}

/**
 * `lake.snapshots`, `lake.tables`, `lake.expire`, `lake.cleanup`: the project's DuckLake lake and
 * its maintenance, as `pas lake ...` prints it.
 */
import { PasException } from '../../../src-shared/errors';
import { lakeWarehouseOf } from '../../plan/multi-catalog-warehouse';
import type { ProjectSession } from '../project-session';
import type { Handlers } from './types';

async function lakeOf(project: ProjectSession) {
  // The warehouse alone: the lake's maintenance needs no models.
  const ws = await project.warehouse();
  const lake = lakeWarehouseOf(ws.warehouse);
  if (!lake) {
    throw new PasException({
      code: 'not_found',
      what: 'lake',
      message: `The project's gateway has no DuckLake catalog (a catalogs: entry with type: ducklake in ${ws.project.config.file ?? 'config.yaml'}).`,
    });
  }
  await lake.lake.refresh();
  return lake.lake;
}

export function lakeCommandHandlers(project: ProjectSession): Handlers<'lake.snapshots' | 'lake.tables' | 'lake.expire' | 'lake.cleanup'> {
  return {
    'lake.snapshots': async () => {
      const lake = await lakeOf(project);
      const snapshots = await lake.snapshots();
      return { snapshots: snapshots.map((s) => ({ id: s.id, time: s.time.toISOString(), schemaVersion: s.schemaVersion, changes: s.changes, author: s.author, message: s.message })) };
    },
    'lake.tables': async () => {
      const lake = await lakeOf(project);
      const tables = await lake.tables();
      return { tables: tables.map((t) => ({ schema: t.schema, name: t.name, rows: t.rowCount, files: t.fileCount, deleteFiles: t.deleteFileCount, bytes: t.sizeBytes, inlinedRows: t.inlinedRowCount })) };
    },
    'lake.expire': async ({ olderThan, keepLast, dryRun }) => {
      const lake = await lakeOf(project);
      const result = await lake.expire({ ...(olderThan ? { olderThan: new Date(olderThan) } : {}), ...(keepLast !== undefined ? { keepLast } : {}), dryRun: dryRun === true });
      return { expired: result.expired, scheduledFiles: result.scheduledFiles, dryRun: dryRun === true };
    },
    'lake.cleanup': async ({ dryRun, orphanMinAgeMs }) => {
      const lake = await lakeOf(project);
      const result = await lake.cleanup({ dryRun: dryRun === true, ...(orphanMinAgeMs !== undefined ? { orphanMinAgeMs } : {}) });
      return { scheduled: result.scheduled, orphans: result.orphans, dryRun: result.dryRun, dataRoot: lake.storage.displayRoot };
    },
  };
}

/**
 * The DuckLake lake (spec 1.0), read and written without the `ducklake` extension.
 *
 *   const lake = await Lake.open({
 *     instance,                                            // the engine's DuckDBInstance
 *     catalog: { type: 'duckdb', path: 'lake/metadata.ducklake' }
 *           // or { type: 'postgres', connectionString } / { type: 'postgres', connection: pgOptions }
 *     storage: new LocalStorage('lake/data'),              // or the S3 storage
 *   });
 *
 * Reading: `await lake.attach(connection, 'lake')` makes `SELECT * FROM lake.main.trips` work on
 * every connection of the instance. `attachment.refresh()` (or `lake.refresh()`) costs one
 * catalog query when nothing changed and re-binds only changed tables; commits made through
 * this Lake refresh its attachments themselves, another process's commits show after a refresh.
 *
 * Time travel: `lake.attach(connection, 'lake_v5', { snapshot: 5 })` or `{ timestamp: date }`
 * attaches the whole lake as it was (pinned, read-only); `lake.tableSql(connection, schema,
 * table, { snapshot })` returns a SELECT for one table at a snapshot, to embed in any query.
 *
 * Writing: everything inside `lake.transaction(async (tx) => ...)` commits as one snapshot:
 * createSchema / dropSchema, createTable / createTableAs / dropTable (replace: drop + create),
 * append(query), delete(predicate), createView / dropView, addColumn / renameColumn /
 * dropColumn, adoptDataFile (a file prepared outside the transaction — `lake.preparedLayouts`,
 * prepared-file.ts — taken as it is). Another writer's conflicting commit raises LakeConflictError (nothing written);
 * non-conflicting ones are retried over.
 *
 * Maintenance: snapshots(), tables(), expire({ olderThan | keepLast | snapshots, dryRun }),
 * cleanup({ dryRun, olderThan, orphanMinAgeMs }).
 */
export { Lake, type CatalogConfig, type LakeOpenOptions, type LakeTableInfo, type TransactionResult } from './lake';
export { LakeAttachment, type AttachOptions } from './attach';
export { LakeTransaction, type ColumnDefinition, type CommitInfo } from './transaction';
export { predictFieldIds, preparedCopyOptions, type PreparedDataFile, type PreparedTableLayout } from './prepared-file';
export { LakeConflictError, LakeCatalogError, LakeCommitUnknownError } from './errors';
export type { SnapshotInfo, ExpireOptions, ExpireResult, CleanupOptions, CleanupResult } from './maintenance';
export { formatChanges } from './maintenance';
export type { LakeStorage } from './storage/storage';
export { LocalStorage } from './storage/local';
export type { CatalogStore } from './catalog/store';

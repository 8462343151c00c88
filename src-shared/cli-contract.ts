/**
 * The contract methods the `pas` commands need beyond the app's: the model DAG, evaluating a
 * model, audits, external models, column lineage records, and the lake's maintenance. Each
 * command calls these (in-process or through the engine that has the project open), so each
 * command has one implementation: the service's. Merged into `contract.ts` with one line each.
 */
import { z } from 'zod';
import type { DiagnosticView } from './modeling';
import type { QueryResultHandle } from './values';

const modelName = z.string().min(1).max(500);
const time = z.string().max(40);

export const cliMethodParams = {
  /** Models in dependency order with their parents and the tables they read that are not models. */
  'project.dag': z.object({}).strict(),
  /** Runs a model's query (reading upstream models from prod), or a TypeScript model's `execute`; rows page like a query's. */
  'project.evaluate': z
    .object({ model: modelName, start: time.optional(), end: time.optional(), limit: z.number().int().min(0).max(10_000_000).optional() })
    .strict(),
  /** Runs the audits models declare against the tables prod points at. */
  'project.audit': z.object({ model: modelName.optional() }).strict(),
  /** Writes external_models.yaml from the warehouse, merged with what the file already holds. */
  'project.createExternalModels': z.object({}).strict(),
  /** Column lineage records: one column, every column of a model, or (`all`) of every model. */
  'lineage.query': z
    .object({
      model: modelName.optional(),
      column: modelName.optional(),
      direction: z.enum(['both', 'upstream', 'downstream']).optional(),
      depth: z.number().int().min(1).max(100).optional(),
      all: z.boolean().optional(),
    })
    .strict(),
  'lake.snapshots': z.object({}).strict(),
  'lake.tables': z.object({}).strict(),
  /** Expires snapshots older than a time and/or beyond the newest `keepLast`. */
  'lake.expire': z
    .object({ olderThan: z.iso.datetime({ offset: true }).optional(), keepLast: z.number().int().min(1).optional(), dryRun: z.boolean().optional() })
    .strict(),
  /** Removes files of expired snapshots and orphaned files. */
  'lake.cleanup': z.object({ dryRun: z.boolean().optional(), orphanMinAgeMs: z.number().min(0).optional() }).strict(),
} as const;

export interface DagNodeView {
  name: string;
  kind: string | null;
  file: string | null;
  parents: string[];
  sources: string[];
}

export interface AuditRunView {
  model: string;
  audit: string;
  blocking: boolean;
  failedRows: number;
}

export interface LineageRecordView {
  model: string;
  column: string;
  upstream: { model: string; column: string; kind: string; expression?: string }[];
  sources: { model: string; column: string }[];
  downstream: { model: string; column: string }[];
  /** False for a root (an external model, a lake table). */
  isModel: boolean;
  /** Every downstream column, transitively, with its hop count. */
  impact: { model: string; column: string; hops: number }[];
  unknown?: { unknown: true; reason: string };
}

export interface CliMethodResults {
  'project.dag': { nodes: DagNodeView[]; diagnostics: DiagnosticView[] };
  'project.evaluate': QueryResultHandle;
  'project.audit': { results: AuditRunView[] };
  'project.createExternalModels': { file: string; written: string[]; kept: string[]; missing: string[] };
  'lineage.query': { records: LineageRecordView[] };
  'lake.snapshots': { snapshots: { id: number; time: string; schemaVersion: number; changes: Record<string, string[]>; author: string | null; message: string | null }[] };
  'lake.tables': { tables: { schema: string; name: string; rows: number; files: number; deleteFiles: number; bytes: number; inlinedRows: number }[] };
  'lake.expire': { expired: number[]; scheduledFiles: string[]; dryRun: boolean };
  'lake.cleanup': { scheduled: string[]; orphans: { key: string; size: number }[]; dryRun: boolean; dataRoot: string };
}

/** Shared shapes of the lake browser: schemas, tables with their size, snapshot history. */

export interface LakeTableSummary {
  name: string;
  rows: number;
  files: number;
  deleteFiles: number;
  bytes: number;
  columns: { name: string; type: string }[];
}

export interface LakeSchemaSummary {
  name: string;
  tables: LakeTableSummary[];
  views: string[];
}

export interface LakeSnapshotSummary {
  id: number;
  /** ISO timestamp. */
  time: string;
  /** The DuckLake change summary, e.g. `{ tables_inserted_into: ['raw.nyc_collisions'] }`. */
  changes: Record<string, string[]>;
  author: string | null;
  message: string | null;
}

export type LakeOverview =
  | { configured: false; reason: string }
  | {
      configured: true;
      /** Display-safe description of where the catalog and data live (no secrets). */
      name: string;
      dataRoot: string;
      schemas: LakeSchemaSummary[];
      snapshots: LakeSnapshotSummary[];
    };

/** The records the state store keeps: model snapshots, environments and processed intervals. */

export interface Fingerprint {
  data: string;
  metadata: string;
  parentData: string;
  parentMetadata: string;
}

export type ChangeCategory =
  | 'breaking'
  | 'non_breaking'
  | 'forward_only'
  | 'indirect_breaking'
  | 'indirect_non_breaking'
  | 'metadata';

export interface SnapshotId {
  name: string;
  identifier: string;
}

export interface SnapshotRecord extends SnapshotId {
  /** Names the physical table; shared by snapshots whose data is the same. */
  version: string;
  fingerprint: Fingerprint;
  changeCategory: ChangeCategory | null;
  forwardOnly: boolean;
  parents: SnapshotId[];
  /** The serialized model definition (JSON-safe), as planned. */
  node: unknown;
  createdTs: number;
  updatedTs: number;
  ttlMs: number;
}

export interface EnvironmentSnapshot extends SnapshotId {
  version: string;
}

export interface EnvironmentRecord {
  name: string;
  snapshots: EnvironmentSnapshot[];
  planId: string;
  previousPlanId: string | null;
  startAt: number;
  endAt: number | null;
  expirationTs: number | null;
  finalizedTs: number | null;
  /** Who applied the plan (`user@host`), when recorded. */
  appliedBy?: string;
  /** When the applied plan was made. */
  plannedTs?: number;
}

/** [start, end) in UTC ms, recorded for a model version. */
export interface IntervalRecord {
  name: string;
  version: string;
  startTs: number;
  endTs: number;
  isDev: boolean;
}

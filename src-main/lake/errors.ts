/** Errors of the lake that callers may want to tell apart. */

/** A commit lost to another writer's change of the same object; nothing was written. */
export class LakeConflictError extends Error {
  constructor(
    message: string,
    /** Qualified name of the table, view or schema in conflict. */
    readonly object: string,
    /** The snapshot this transaction started from. */
    readonly baseSnapshot: number,
    /** The other writers' snapshots that made the conflicting changes. */
    readonly conflictingSnapshots: number[],
  ) {
    super(message);
    this.name = 'LakeConflictError';
  }
}

/** A table, view or schema that does not exist (or already exists). */
export class LakeCatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LakeCatalogError';
  }
}

/**
 * The catalog connection failed while committing: the snapshot may or may not have been
 * written. The transaction's files are kept (cleanup removes them later if they are orphans).
 */
export class LakeCommitUnknownError extends Error {
  constructor(override readonly cause: unknown) {
    super(`The connection to the lake catalog failed during COMMIT, so it is not known whether the snapshot was written: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'LakeCommitUnknownError';
  }
}

/**
 * Fingerprints of a model, split as SQLMesh splits them: a data hash (what changes the data:
 * kind and its options, the canonical rendered query, columns, statements, seed content), a
 * metadata hash (owner, description, cron, audits, ...), and the parents' hashes. The
 * identifier names a snapshot; the version names its physical table and is reused when only
 * metadata changed or a parent's change was non-breaking.
 */
import { createHash } from 'node:crypto';
import type { Fingerprint } from '../state/records';

/** A short stable hash: the first 48 bits of SHA-256, in decimal (fits a double, reads like SQLMesh's ids). */
export function shortHash(parts: readonly (string | null | undefined)[]): string {
  const digest = createHash('sha256').update(parts.map((p) => p ?? '').join('\u001f')).digest();
  return String(digest.readUIntBE(0, 6));
}

export interface FingerprintInputs {
  /** Everything whose change means new data, already canonical (formatting-free). */
  data: readonly (string | null | undefined)[];
  /** Everything else a user can change that does not change data. */
  metadata: readonly (string | null | undefined)[];
  /** Parents' fingerprints and versions, in any order. */
  parents: readonly { fingerprint: Fingerprint; version: string }[];
}

export function fingerprintOf(inputs: FingerprintInputs): Fingerprint {
  const parents = [...inputs.parents].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  return {
    data: shortHash(inputs.data),
    metadata: shortHash(inputs.metadata),
    parentData: shortHash(parents.map((p) => p.version)),
    parentMetadata: shortHash(parents.flatMap((p) => [p.fingerprint.metadata, p.fingerprint.parentMetadata])),
  };
}

export function identifierOf(fingerprint: Fingerprint): string {
  return shortHash([fingerprint.data, fingerprint.metadata, fingerprint.parentData, fingerprint.parentMetadata]);
}

/** The version a new physical table gets: data and parents' data only. */
export function versionOf(fingerprint: Fingerprint): string {
  return shortHash([fingerprint.data, fingerprint.parentData]);
}

/**
 * The state store: snapshots (model versions as planned), environments (which snapshots each
 * environment points at, with optimistic concurrency on plan ids), processed intervals per
 * model version, and a per-environment plan lock so two plans never apply to one environment
 * at once. Works on any StateDb (DuckDB file or PostgreSQL); every write is transactional.
 */
import { mergeIntervals, type Interval } from '../plan/intervals';
import type { StateDb } from './db';
import type { EnvironmentRecord, IntervalRecord, SnapshotId, SnapshotRecord } from './records';
import { processAlive } from '../process/alive';

export const STATE_SCHEMA_VERSION = 1;

/** Refusal to apply: another plan holds or has changed the environment. */
export class StateConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateConflictError';
  }
}

interface SnapshotRow extends Record<string, unknown> {
  name: string;
  identifier: string;
  payload: string;
}

interface EnvironmentRow extends Record<string, unknown> {
  name: string;
  payload: string;
  plan_id: string;
}

interface LockRow extends Record<string, unknown> {
  plan_id: string;
  owner: string;
  acquired_ts: number;
  host: string | null;
  pid: number | null;
  renewed_ts: number | null;
}

/**
 * How long a plan lock holds without its holder renewing it. An apply renews it every
 * `PLAN_LOCK_LEASE_MS / 4` (see apply.ts), so only a holder that stopped working loses it.
 */
export const PLAN_LOCK_LEASE_MS = 2 * 60 * 1000;

/** Who applies a plan: a name for people, and the machine and process, to see when it is gone. */
export interface LockHolder {
  owner: string;
  host?: string;
  pid?: number;
}

/** A plan lock as stored. */
export interface PlanLock {
  environment: string;
  planId: string;
  owner: string;
  host?: string;
  pid?: number;
  acquiredTs: number;
  /** Last heartbeat (the acquisition time until the first one). */
  renewedTs: number;
}

/** A lock another holder left behind that an acquisition took over, and why that was safe. */
export interface LockTakeover {
  lock: PlanLock;
  reason: string;
}


function lockOf(environment: string, row: LockRow): PlanLock {
  return {
    environment,
    planId: row.plan_id,
    owner: row.owner,
    ...(row.host ? { host: row.host } : {}),
    ...(row.pid !== null && row.pid !== undefined ? { pid: Number(row.pid) } : {}),
    acquiredTs: Number(row.acquired_ts),
    renewedTs: Number(row.renewed_ts ?? row.acquired_ts),
  };
}

/** A change to an environment record written through this store. */
export interface EnvironmentChange {
  environment: string;
  change: 'promoted' | 'invalidated' | 'deleted';
}

export class StateStore {
  private readonly listeners = new Set<(change: EnvironmentChange) => void>();

  private constructor(readonly db: StateDb) {}

  /** Calls `listener` after each committed change to an environment; returns the unsubscribe. */
  onEnvironmentChange(listener: (change: EnvironmentChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(change: EnvironmentChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A failing listener must not fail the write that already committed.
      }
    }
  }

  static async open(db: StateDb): Promise<StateStore> {
    const store = new StateStore(db);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    const t = (name: string) => this.db.table(name);
    await this.db.transaction(async (db) => {
      await db.query(`CREATE TABLE IF NOT EXISTS ${t('_versions')} (schema_version INTEGER NOT NULL)`);
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${t('_snapshots')} (name TEXT NOT NULL, identifier TEXT NOT NULL, version TEXT NOT NULL, payload TEXT NOT NULL, updated_ts BIGINT NOT NULL, PRIMARY KEY (name, identifier))`,
      );
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${t('_environments')} (name TEXT PRIMARY KEY, plan_id TEXT NOT NULL, expiration_ts BIGINT, payload TEXT NOT NULL)`,
      );
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${t('_intervals')} (name TEXT NOT NULL, version TEXT NOT NULL, is_dev BOOLEAN NOT NULL, start_ts BIGINT NOT NULL, end_ts BIGINT NOT NULL)`,
      );
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${t('_plan_locks')} (environment TEXT PRIMARY KEY, plan_id TEXT NOT NULL, owner TEXT NOT NULL, acquired_ts BIGINT NOT NULL)`,
      );
      // Holder machine and process, and the heartbeat (added after the first schema).
      for (const column of ['host TEXT', 'pid BIGINT', 'renewed_ts BIGINT']) {
        await db.query(`ALTER TABLE ${t('_plan_locks')} ADD COLUMN IF NOT EXISTS ${column}`);
      }
      const versions = await db.query<{ schema_version: number }>(`SELECT schema_version FROM ${t('_versions')}`);
      if (versions.length === 0) await db.query(`INSERT INTO ${t('_versions')} VALUES ($1)`, [STATE_SCHEMA_VERSION]);
      else if ((versions[0]?.schema_version ?? 0) > STATE_SCHEMA_VERSION) {
        throw new Error(
          `The state was written by a newer version of Portable Analytics Studio (state schema ${versions[0]?.schema_version}, this one knows ${STATE_SCHEMA_VERSION}). Upgrade the app.`,
        );
      }
    });
  }

  // ---- snapshots ----

  async putSnapshots(records: SnapshotRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One statement per 200 records (a first apply of 1,000 models wrote 1,000 statements); the
    // last record of a (name, identifier) wins, as the one-by-one upserts did.
    const unique = [...new Map(records.map((r) => [`${r.name}\u0000${r.identifier}`, r])).values()];
    await this.db.transaction(async (db) => {
      for (let i = 0; i < unique.length; i += 200) {
        const chunk = unique.slice(i, i + 200);
        await db.query(
          `INSERT INTO ${db.table('_snapshots')} (name, identifier, version, payload, updated_ts) VALUES ${chunk.map((_, k) => `($${k * 5 + 1}, $${k * 5 + 2}, $${k * 5 + 3}, $${k * 5 + 4}, $${k * 5 + 5})`).join(', ')}
           ON CONFLICT (name, identifier) DO UPDATE SET version = EXCLUDED.version, payload = EXCLUDED.payload, updated_ts = EXCLUDED.updated_ts`,
          chunk.flatMap((record) => [record.name, record.identifier, record.version, JSON.stringify(record), record.updatedTs]),
        );
      }
    });
  }

  async getSnapshots(ids: SnapshotId[]): Promise<Map<string, SnapshotRecord>> {
    const found = new Map<string, SnapshotRecord>();
    if (ids.length === 0) return found;
    const wanted = new Set(ids.map(snapshotKey));
    // One scan beats N point queries at the sizes state reaches (thousands of rows).
    for (const row of await this.db.query<SnapshotRow>(`SELECT name, identifier, payload FROM ${this.db.table('_snapshots')}`)) {
      const key = snapshotKey(row);
      if (wanted.has(key)) found.set(key, JSON.parse(row.payload) as SnapshotRecord);
    }
    return found;
  }

  async allSnapshots(): Promise<SnapshotRecord[]> {
    const rows = await this.db.query<SnapshotRow>(`SELECT payload FROM ${this.db.table('_snapshots')}`);
    return rows.map((row) => JSON.parse(row.payload) as SnapshotRecord);
  }

  async deleteSnapshots(ids: SnapshotId[]): Promise<void> {
    await this.db.transaction(async (db) => {
      for (const id of ids) {
        await db.query(`DELETE FROM ${db.table('_snapshots')} WHERE name = $1 AND identifier = $2`, [id.name, id.identifier]);
      }
    });
  }

  // ---- environments ----

  async getEnvironment(name: string): Promise<EnvironmentRecord | undefined> {
    const rows = await this.db.query<EnvironmentRow>(`SELECT payload FROM ${this.db.table('_environments')} WHERE name = $1`, [name]);
    return rows[0] ? (JSON.parse(rows[0].payload) as EnvironmentRecord) : undefined;
  }

  async listEnvironments(): Promise<EnvironmentRecord[]> {
    const rows = await this.db.query<EnvironmentRow>(`SELECT payload FROM ${this.db.table('_environments')} ORDER BY name`);
    return rows.map((row) => JSON.parse(row.payload) as EnvironmentRecord);
  }

  /**
   * Writes an environment if nobody changed it since the plan was made: the stored plan id
   * must equal `record.previousPlanId` (or the environment must not exist yet).
   */
  async promoteEnvironment(record: EnvironmentRecord): Promise<void> {
    await this.db.transaction(async (db) => {
      const lock = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
      const rows = await db.query<EnvironmentRow>(`SELECT plan_id FROM ${db.table('_environments')} WHERE name = $1${lock}`, [record.name]);
      const current = rows[0]?.plan_id;
      if (current !== undefined && current !== record.previousPlanId) {
        throw new StateConflictError(
          `Another plan (${current}) was applied to environment "${record.name}" after this plan was made from ${record.previousPlanId ?? 'nothing'}; plan again.`,
        );
      }
      await db.query(
        `INSERT INTO ${db.table('_environments')} (name, plan_id, expiration_ts, payload) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET plan_id = EXCLUDED.plan_id, expiration_ts = EXCLUDED.expiration_ts, payload = EXCLUDED.payload`,
        [record.name, record.planId, record.expirationTs, JSON.stringify(record)],
      );
    });
    const invalidated = record.expirationTs !== null && record.expirationTs <= Date.now() && record.planId === record.previousPlanId;
    this.notify({ environment: record.name, change: invalidated ? 'invalidated' : 'promoted' });
  }

  async deleteEnvironment(name: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.db.table('_environments')} WHERE name = $1`, [name]);
    this.notify({ environment: name, change: 'deleted' });
  }

  // ---- intervals ----

  async addIntervals(records: IntervalRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.transaction(async (db) => {
      for (const r of records) {
        await db.query(`INSERT INTO ${db.table('_intervals')} (name, version, is_dev, start_ts, end_ts) VALUES ($1, $2, $3, $4, $5)`, [
          r.name,
          r.version,
          r.isDev,
          r.startTs,
          r.endTs,
        ]);
      }
    });
  }

  /** Processed intervals of a model version, merged into ranges. */
  async intervals(name: string, version: string, isDev = false): Promise<Interval[]> {
    const rows = await this.db.query<{ start_ts: number; end_ts: number }>(
      `SELECT start_ts, end_ts FROM ${this.db.table('_intervals')} WHERE name = $1 AND version = $2 AND is_dev = $3`,
      [name, version, isDev],
    );
    return mergeIntervals(rows.map((row) => [Number(row.start_ts), Number(row.end_ts)] as const));
  }

  /** Processed intervals of many model versions in one query, keyed `name\u0000version`. */
  async intervalsOf(versions: { name: string; version: string }[], isDev = false): Promise<Map<string, Interval[]>> {
    const wanted = new Set(versions.map((v) => `${v.name}\u0000${v.version}`));
    const grouped = new Map<string, [number, number][]>();
    if (wanted.size === 0) return new Map();
    const rows = await this.db.query<{ name: string; version: string; start_ts: number; end_ts: number }>(
      `SELECT name, version, start_ts, end_ts FROM ${this.db.table('_intervals')} WHERE is_dev = $1`,
      [isDev],
    );
    for (const row of rows) {
      const key = `${row.name}\u0000${row.version}`;
      if (!wanted.has(key)) continue;
      let list = grouped.get(key);
      if (!list) grouped.set(key, (list = []));
      list.push([Number(row.start_ts), Number(row.end_ts)]);
    }
    return new Map([...grouped].map(([key, list]) => [key, mergeIntervals(list)]));
  }

  /** Forgets processed time in [start, end) for a model version (restatement). */
  async removeIntervals(name: string, version: string, range: Interval, isDev = false): Promise<void> {
    await this.db.transaction(async (db) => {
      const table = db.table('_intervals');
      const rows = await db.query<{ start_ts: number; end_ts: number }>(
        `SELECT start_ts, end_ts FROM ${table} WHERE name = $1 AND version = $2 AND is_dev = $3`,
        [name, version, isDev],
      );
      const kept: Interval[] = [];
      for (const row of mergeIntervals(rows.map((r) => [Number(r.start_ts), Number(r.end_ts)] as const))) {
        if (row[0] < range[0]) kept.push([row[0], Math.min(row[1], range[0])]);
        if (row[1] > range[1]) kept.push([Math.max(row[0], range[1]), row[1]]);
      }
      await db.query(`DELETE FROM ${table} WHERE name = $1 AND version = $2 AND is_dev = $3`, [name, version, isDev]);
      for (const [s, e] of kept) {
        await db.query(`INSERT INTO ${table} (name, version, is_dev, start_ts, end_ts) VALUES ($1, $2, $3, $4, $5)`, [name, version, isDev, s, e]);
      }
    });
  }

  async deleteIntervals(name: string, version: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.db.table('_intervals')} WHERE name = $1 AND version = $2`, [name, version]);
  }

  // ---- plan locks ----

  /**
   * Takes the environment's plan lock, or refuses with who holds it and since when. A lock left
   * by a process of this machine that is gone, or one whose holder stopped renewing it for
   * `leaseMs`, is taken over: the result says whose and why, for the caller to tell the user.
   */
  async acquirePlanLock(environment: string, planId: string, holder: string | LockHolder, now = Date.now(), leaseMs = PLAN_LOCK_LEASE_MS): Promise<LockTakeover | undefined> {
    const who: LockHolder = typeof holder === 'string' ? { owner: holder } : holder;
    try {
      return await this.tryAcquirePlanLock(environment, planId, who, now, leaseMs);
    } catch (error) {
      // Two processes inserting the first lock row at once: the loser sees a key violation.
      if (error instanceof StateConflictError || !isUniqueViolation(error)) throw error;
      return await this.tryAcquirePlanLock(environment, planId, who, now, leaseMs);
    }
  }

  private async tryAcquirePlanLock(environment: string, planId: string, holder: LockHolder, now: number, leaseMs: number): Promise<LockTakeover | undefined> {
    return await this.db.transaction(async (db) => {
      const table = db.table('_plan_locks');
      const forUpdate = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
      const rows = await db.query<LockRow>(`SELECT plan_id, owner, acquired_ts, host, pid, renewed_ts FROM ${table} WHERE environment = $1${forUpdate}`, [environment]);
      const held = rows[0] ? lockOf(environment, rows[0]) : undefined;
      let takeover: LockTakeover | undefined;
      if (held) {
        const reason = staleReason(held, holder.host, now, leaseMs);
        if (!reason) {
          const where = held.host ? ` on ${held.host}${held.pid !== undefined ? `, process ${held.pid}` : ''}` : '';
          throw new StateConflictError(
            `A plan (${held.planId}, by ${held.owner}${where}) is being applied to environment "${environment}" since ${new Date(held.acquiredTs).toISOString()} (last heartbeat ${new Date(held.renewedTs).toISOString()}); wait for it to finish, then plan again. ` +
              `If that process is gone, \`pas plan --unlock ${environment}\` removes the lock (an apply still running there could then overwrite this one's work).`,
          );
        }
        takeover = { lock: held, reason };
        await db.query(`DELETE FROM ${table} WHERE environment = $1`, [environment]);
      }
      await db.query(`INSERT INTO ${table} (environment, plan_id, owner, acquired_ts, host, pid, renewed_ts) VALUES ($1, $2, $3, $4, $5, $6, $4)`, [
        environment,
        planId,
        holder.owner,
        now,
        holder.host ?? null,
        holder.pid ?? null,
      ]);
      return takeover;
    });
  }

  /** The heartbeat of a running apply: keeps its lock from expiring. False when the lock is no longer its own. */
  async renewPlanLock(environment: string, planId: string, now = Date.now()): Promise<boolean> {
    const table = this.db.table('_plan_locks');
    const rows = await this.db.query<{ plan_id: string }>(`UPDATE ${table} SET renewed_ts = $3 WHERE environment = $1 AND plan_id = $2 RETURNING plan_id`, [environment, planId, now]);
    return rows.length > 0;
  }

  /** The environment's plan lock, if any. */
  async planLock(environment: string): Promise<PlanLock | undefined> {
    const rows = await this.db.query<LockRow>(`SELECT plan_id, owner, acquired_ts, host, pid, renewed_ts FROM ${this.db.table('_plan_locks')} WHERE environment = $1`, [environment]);
    return rows[0] ? lockOf(environment, rows[0]) : undefined;
  }

  /** Removes the environment's plan lock whoever holds it (`pas plan --unlock`); returns what was removed. */
  async unlockPlan(environment: string): Promise<PlanLock | undefined> {
    const lock = await this.planLock(environment);
    if (lock) await this.db.query(`DELETE FROM ${this.db.table('_plan_locks')} WHERE environment = $1 AND plan_id = $2`, [environment, lock.planId]);
    return lock;
  }

  async releasePlanLock(environment: string, planId: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.db.table('_plan_locks')} WHERE environment = $1 AND plan_id = $2`, [environment, planId]);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** Why a held lock may be taken over, or undefined while its holder may still be working. */
function staleReason(held: PlanLock, host: string | undefined, now: number, leaseMs: number): string | undefined {
  if (held.host !== undefined && held.host === host && held.pid !== undefined && held.pid !== process.pid && !processAlive(held.pid)) {
    return `its process (${held.pid}) on this machine is gone`;
  }
  if (now - held.renewedTs > leaseMs) {
    return `its holder${held.host ? ` on ${held.host}` : ''} has not renewed it since ${new Date(held.renewedTs).toISOString()}`;
  }
  return undefined;
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || /duplicate key|PRIMARY KEY or UNIQUE constraint/i.test(e?.message ?? '');
}

export function snapshotKey(id: SnapshotId): string {
  return `${id.name}\u0000${id.identifier}`;
}

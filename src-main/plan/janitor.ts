/**
 * The janitor: drops expired dev environments (their views and schemas) and physical tables
 * that no environment references any more, then forgets their snapshots and intervals.
 */
import type { StateStore } from '../state/store';
import { environmentView, physicalTable, PROD } from './naming';
import type { Warehouse } from './warehouse';

export interface JanitorResult {
  droppedEnvironments: string[];
  droppedTables: string[];
}

export async function runJanitor(state: StateStore, warehouse: Warehouse, now = Date.now(), ignoreTtl = false): Promise<JanitorResult> {
  const result: JanitorResult = { droppedEnvironments: [], droppedTables: [] };
  for (const env of await state.listEnvironments()) {
    if (env.name === PROD || env.expirationTs === null || (env.expirationTs > now && !ignoreTtl)) continue;
    for (const snapshot of env.snapshots) await warehouse.drop(environmentView(snapshot.name, env.name), 'view');
    await state.deleteEnvironment(env.name);
    result.droppedEnvironments.push(env.name);
  }
  const live = new Set<string>();
  for (const env of await state.listEnvironments()) for (const s of env.snapshots) live.add(`${s.name}\u0000${s.version}`);
  const orphans = (await state.allSnapshots()).filter((s) => !live.has(`${s.name}\u0000${s.version}`) && (ignoreTtl || s.updatedTs + s.ttlMs <= now));
  const versions = new Set<string>();
  for (const snapshot of orphans) {
    const key = `${snapshot.name}\u0000${snapshot.version}`;
    if (versions.has(key)) continue;
    versions.add(key);
    const table = physicalTable(snapshot.name, snapshot.version);
    const kind = await warehouse.exists(table);
    if (kind) {
      await warehouse.drop(table, kind);
      result.droppedTables.push(`${table.schema}.${table.table}`);
    }
    await state.deleteIntervals(snapshot.name, snapshot.version);
  }
  await state.deleteSnapshots(orphans);
  return result;
}

/** Marks an environment expired so the next janitor removes it. */
export async function invalidateEnvironment(state: StateStore, name: string, now = Date.now()): Promise<void> {
  const env = await state.getEnvironment(name);
  if (!env) throw new Error(`Environment "${name}" does not exist.`);
  if (env.name === PROD) throw new Error('The prod environment cannot be invalidated.');
  await state.promoteEnvironment({ ...env, previousPlanId: env.planId, expirationTs: now });
}

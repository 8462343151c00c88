/**
 * `env.*`: the environments panel and the plan dialog's comparisons — environments with their
 * model versions, comparing two, invalidating one, the janitor, table diffs and column-level
 * impact. (`environments.changed` is announced by the project session from the state store.)
 */
import { PasException } from '../../../src-shared/errors';
import type { EnvironmentView } from '../../../src-shared/environments-contract';
import type { ResultStore } from '../../duck/results';
import { isoDate } from '../../plan/intervals';
import { invalidateEnvironment } from '../../plan/janitor';
import { columnImpact } from '../../plan/impact';
import { normalizeEnvironment, PROD } from '../../plan/naming';
import { diffTables, environmentRelation, localRelation, existingEnvironment, NotFoundError } from '../../plan/table-diff';
import type { EnvironmentRecord, SnapshotRecord } from '../../state/records';
import { snapshotKey } from '../../state/store';
import type { ProjectSession } from '../project-session';
import type { SessionPool } from './query';
import type { Handlers } from './types';

export const DIFF_SESSION = 'table-diff';

function iso(ts: number | null | undefined): string | null {
  return ts === null || ts === undefined ? null : new Date(ts).toISOString();
}

function kindOf(record: SnapshotRecord | undefined): string {
  return (record?.node as { model?: { kind?: { name?: string } } } | undefined)?.model?.kind?.name ?? 'UNKNOWN';
}

function notFound(error: unknown): never {
  if (error instanceof NotFoundError) throw new PasException({ code: 'not_found', what: error.what, message: error.message });
  throw error;
}

function environmentName(name: string): string {
  try {
    return normalizeEnvironment(name);
  } catch (error) {
    throw new PasException({ code: 'validation', message: (error as Error).message, issues: [{ path: 'params.environment', message: (error as Error).message }] });
  }
}

export function environmentHandlers(
  project: ProjectSession,
  sessions: SessionPool,
  results: ResultStore,
): Handlers<'env.list' | 'env.compare' | 'env.invalidate' | 'env.janitor' | 'env.tableDiff' | 'env.impact'> {
  async function environment(name: string): Promise<EnvironmentRecord> {
    const ws = await project.workspace();
    const env = environmentName(name);
    return existingEnvironment(ws.state, env).catch(notFound);
  }

  return {
    'env.list': async () => {
      const ws = await project.workspace();
      const records = await ws.state.listEnvironments();
      const snapshots = await ws.state.getSnapshots(records.flatMap((r) => r.snapshots));
      const now = Date.now();
      const environments: EnvironmentView[] = records.map((env) => {
        const prod = records.find((r) => r.name === PROD);
        const prodVersions = new Map((prod?.snapshots ?? []).map((s) => [s.name, s.version]));
        return {
          name: env.name,
          planId: env.planId,
          previousPlanId: env.previousPlanId,
          appliedAt: iso(env.finalizedTs),
          appliedBy: env.appliedBy ?? null,
          plannedAt: iso(env.plannedTs),
          expiresAt: iso(env.expirationTs),
          expired: env.expirationTs !== null && env.expirationTs <= now,
          start: env.startAt > 0 ? isoDate(env.startAt) : null,
          end: env.endAt !== null ? isoDate(env.endAt - 1) : null,
          models: env.snapshots.map((s) => {
            const record = snapshots.get(snapshotKey(s));
            return {
              model: s.name,
              version: s.version,
              fingerprint: s.identifier,
              kind: kindOf(record),
              category: record?.changeCategory ?? null,
              differsFromProd: env.name !== PROD && prodVersions.get(s.name) !== s.version,
            };
          }),
        };
      });
      return { environments };
    },
    'env.compare': async ({ a, b }) => {
      const [envA, envB] = [await environment(a), await environment(b)];
      const ws = await project.workspace();
      const records = await ws.state.getSnapshots([...envA.snapshots, ...envB.snapshots]);
      const byName = (env: EnvironmentRecord) => new Map(env.snapshots.map((s) => [s.name, { version: s.version, kind: kindOf(records.get(snapshotKey(s))) }]));
      const mapA = byName(envA);
      const mapB = byName(envB);
      const changed = [];
      let same = 0;
      for (const [model, va] of mapA) {
        const vb = mapB.get(model);
        if (!vb) continue;
        if (va.version === vb.version) same++;
        else changed.push({ model, a: va, b: vb });
      }
      return {
        a: envA.name,
        b: envB.name,
        changed,
        onlyInA: [...mapA].filter(([m]) => !mapB.has(m)).map(([model, v]) => ({ model, ...v })),
        onlyInB: [...mapB].filter(([m]) => !mapA.has(m)).map(([model, v]) => ({ model, ...v })),
        same,
      };
    },
    'env.invalidate': async ({ environment: name }) => {
      const record = await environment(name);
      if (record.name === PROD) throw new PasException({ code: 'validation', message: 'The prod environment cannot be invalidated.', issues: [{ path: 'params.environment', message: 'prod cannot be invalidated' }] });
      const ws = await project.workspace();
      const now = Date.now();
      await invalidateEnvironment(ws.state, record.name, now);
      return { environment: record.name, expiresAt: new Date(now).toISOString() };
    },
    'env.janitor': async ({ ignoreTtl }) => {
      const ws = await project.workspace();
      return ws.janitor({ ignoreTtl: ignoreTtl === true });
    },
    'env.tableDiff': async ({ source, target, local, model, limit, grid }, ctx) => {
      const ws = await project.workspace();
      const definition = ws.project.models[model.toLowerCase()];
      const sourceRelation = await environmentRelation(ws, model, source).catch(notFound);
      const targetRelation = local ? await localRelation(ws, await ws.graph(), model, source).catch(notFound) : await environmentRelation(ws, model, target ?? '').catch(notFound);
      const diff = await diffTables(ws.warehouse, {
        model: definition?.name ?? model.toLowerCase(),
        grain: definition?.grains ?? [],
        source: sourceRelation,
        target: targetRelation,
        ...(limit !== undefined ? { limit } : {}),
        signal: ctx.signal,
      });
      const { sampleSql, ...view } = diff;
      if (!grid || !sampleSql) return view;
      const session = await sessions.get(DIFF_SESSION);
      const started = performance.now();
      const result = await session.run(sampleSql, ctx.signal);
      return { ...view, sampleResult: results.add(result, performance.now() - started) };
    },
    'env.impact': async ({ environment: name, model, category }) => {
      const record = await environment(name);
      const ws = await project.workspace();
      const snapshot = record.snapshots.find((s) => s.name === model.toLowerCase());
      const previous = snapshot ? (await ws.state.getSnapshots([snapshot])).get(snapshotKey(snapshot)) : undefined;
      const lineage = await project.lineage();
      if (!lineage.model(model)) throw new PasException({ code: 'not_found', what: 'model', message: `No model named ${model} in the project.` });
      const previousQuery = (previous?.node as { query?: unknown } | undefined)?.query;
      return columnImpact(lineage, ws.parser, {
        environment: record.name,
        model: model.toLowerCase(),
        previousQuery: typeof previousQuery === 'string' ? previousQuery : undefined,
        category: category ?? (snapshot ? 'breaking' : null),
      });
    },
  };
}

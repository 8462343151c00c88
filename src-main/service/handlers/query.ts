/** `query.*` and `session.*`: the query console's statements, result pages and sessions. */
import type { DuckEngine } from '../../duck/engine';
import type { ResultStore } from '../../duck/results';
import type { Session } from '../../duck/session';
import type { Handlers } from './types';

export const DEFAULT_SESSION = 'default';

export class SessionPool {
  private readonly sessions = new Map<string, Promise<Session>>();

  constructor(private readonly engine: DuckEngine) {}

  get(id: string): Promise<Session> {
    let session = this.sessions.get(id);
    if (!session) {
      session = this.engine.openSession();
      this.sessions.set(id, session);
    }
    return session;
  }

  async close(id: string): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.sessions.delete(id);
    await (await session).close();
    return true;
  }
}

/**
 * Runs before each statement (the lake rebinds what other processes committed meanwhile). It
 * may answer a session of its own for a statement that needs no open project (service.ts);
 * when the statement fails there, it is asked again with `open` and the statement re-runs on
 * its session as usual.
 */
export type BeforeQuery = (sql: string, options?: { open: true }) => Promise<Session | undefined>;

export function queryHandlers(
  sessions: SessionPool,
  results: ResultStore,
  beforeQuery: BeforeQuery = async () => undefined,
): Handlers<'query.run' | 'query.page' | 'query.close' | 'session.close'> {
  return {
    'query.run': async ({ sql, session }, ctx) => {
      const loose = await beforeQuery(sql);
      const target = loose ?? (await sessions.get(session ?? DEFAULT_SESSION));
      let started = performance.now();
      let result;
      try {
        result = await target.run(sql, ctx.signal);
      } catch (error) {
        if (!loose || ctx.signal.aborted) throw error;
        // It reads something of the project after all (a macro or type of the warehouse).
        await beforeQuery(sql, { open: true });
        const own = await sessions.get(session ?? DEFAULT_SESSION);
        started = performance.now();
        result = await own.run(sql, ctx.signal);
      }
      return results.add(result, performance.now() - started, { sql, session: session ?? DEFAULT_SESSION });
    },
    'query.page': async ({ resultId, offset, limit }) => results.page(resultId, offset, limit),
    'query.close': async ({ resultId }) => ({ closed: results.close(resultId) }),
    'session.close': async ({ session }) => ({ closed: await sessions.close(session) }),
  };
}

/**
 * The query console's state: the SQL text, the running request (cancellable), the current
 * result handle, and the last error. Actions talk to the engine through the client.
 */
import { create } from 'zustand';
import { isPasException, type PasError } from '../../src-shared/errors';
import type { QueryResultHandle } from '../../src-shared/values';
import type { Client } from '../transport/client';

export const CONSOLE_SESSION = 'console';

export interface ConsoleState {
  sql: string;
  running: boolean;
  startedAt: number | undefined;
  result: QueryResultHandle | undefined;
  error: PasError | undefined;
  /** Offset of the SQL that ran inside the editor text (when a selection ran). */
  ranFrom: number;
  controller: AbortController | undefined;
  setSql(sql: string): void;
  run(client: Client, sql: string, ranFrom: number): Promise<void>;
  cancel(): void;
}

export const useConsole = create<ConsoleState>((set, get) => ({
  sql: 'SELECT * FROM range(10000000);',
  running: false,
  startedAt: undefined,
  result: undefined,
  error: undefined,
  ranFrom: 0,
  controller: undefined,
  setSql: (sql) => set({ sql }),
  async run(client, sql, ranFrom) {
    get().controller?.abort();
    const controller = new AbortController();
    const previous = get().result;
    set({ running: true, startedAt: performance.now(), error: undefined, controller, ranFrom });
    try {
      const result = await client.invoke('query.run', { sql, session: CONSOLE_SESSION }, { signal: controller.signal });
      if (get().controller !== controller) return;
      set({ result, running: false, controller: undefined });
      if (previous) void client.invoke('query.close', { resultId: previous.resultId }).catch(() => undefined);
    } catch (error) {
      if (get().controller !== controller) return;
      const pasError: PasError = isPasException(error)
        ? error.error
        : { code: 'internal', message: error instanceof Error ? error.message : String(error) };
      // A failed or cancelled run leaves no stale rows that look like its result.
      set({ error: pasError, result: undefined, running: false, controller: undefined });
      if (previous) void client.invoke('query.close', { resultId: previous.resultId }).catch(() => undefined);
    }
  },
  cancel() {
    get().controller?.abort();
  },
}));

/**
 * The live loop of the active model tab: every edit (debounced) asks for its problems and, for
 * a model, runs the preview from the unsaved text — cancelling the preview still running — then
 * profiles the rows; the rendered SQL follows when shown. Old rows stay (dimmed) until new ones
 * arrive; an error keeps them too.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { isPasException, type PasError } from '../../../src-shared/errors';
import type { PreviewResult, ProfileResult } from '../../../src-shared/workbench-contract';
import { useWorkbench, type Tab } from '../../store/workbench';
import { Client } from '../../transport/client';

export const PREVIEW_DEBOUNCE_MS = 300;
export const PREVIEW_ROWS = 500;

export function isModelFile(path: string): boolean {
  return /^models\/.*\.sql$/.test(path);
}

function toError(error: unknown): PasError {
  return isPasException(error) ? error.error : { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

export interface PreviewState {
  path: string | undefined;
  result: PreviewResult | undefined;
  /** The text the shown rows were computed from. */
  text: string | undefined;
  error: PasError | undefined;
  running: boolean;
  profile: ProfileResult | undefined;
  startedAt: number | undefined;
}

const EMPTY: PreviewState = { path: undefined, result: undefined, text: undefined, error: undefined, running: false, profile: undefined, startedAt: undefined };

/** The preview session of this window (one per app instance). */
const SESSION = `preview-${Client.newRequestId().replace(/[^A-Za-z0-9_-]/g, '')}`;

export function useLivePreview(client: Client, tab: Tab | undefined, environment: string, enabled: boolean): { state: PreviewState; runNow(): void } {
  const [state, setState] = useState<PreviewState>(EMPTY);
  const controller = useRef<AbortController | undefined>(undefined);
  const shown = useRef<string | undefined>(undefined);
  const path = tab?.path;
  const text = tab?.text;

  const run = useCallback(
    async (path: string, text: string) => {
      controller.current?.abort();
      const mine = new AbortController();
      controller.current = mine;
      setState((s) => ({ ...(s.path === path ? s : EMPTY), path, running: true, startedAt: performance.now() }));
      try {
        const result = await client.invoke('workbench.preview', { path, text, environment, limit: PREVIEW_ROWS, session: SESSION }, { signal: mine.signal });
        if (controller.current !== mine) return;
        const previous = shown.current;
        shown.current = result.handle.resultId;
        setState((s) => ({ ...s, path, result, text, error: undefined, running: false }));
        if (previous) void client.invoke('query.close', { resultId: previous }).catch(() => undefined);
        const profile = await client.invoke('workbench.profile', { session: SESSION }, { signal: mine.signal }).catch(() => undefined);
        if (controller.current === mine) setState((s) => ({ ...s, profile }));
      } catch (error) {
        if (controller.current !== mine) return;
        const e = toError(error);
        if (e.code === 'cancelled') return;
        setState((s) => ({ ...s, path, error: e, running: false }));
      }
    },
    [client, environment],
  );

  useEffect(() => {
    if (!enabled || path === undefined || text === undefined || !isModelFile(path)) {
      controller.current?.abort();
      setState(EMPTY);
      return;
    }
    const timer = setTimeout(() => void run(path, text), PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [enabled, path, text, run]);

  useEffect(() => () => controller.current?.abort(), []);

  const runNow = useCallback(() => {
    if (path !== undefined && text !== undefined && isModelFile(path)) void run(path, text);
  }, [path, text, run]);

  return { state, runNow };
}

/** Calls after which what is built or loaded changed, so a file's problems may have too. */
const CHANGES_WHAT_EXISTS = new Set(['ingest.run', 'plan.apply', 'plan.run', 'env.invalidate', 'env.janitor']);

/** Problems of the active tab's text, asked for after each pause in typing. */
export function useLiveProblems(client: Client, tab: Tab | undefined, environment: string): void {
  const path = tab?.path;
  const text = tab?.text;
  // A load or an apply (from any client) can make a "does not exist" problem go away.
  const [landed, setLanded] = useState(0);
  useEffect(
    () =>
      client.subscribe('progress', (e) => {
        if (e.stage === 'finished' && CHANGES_WHAT_EXISTS.has(e.method)) setLanded((n) => n + 1);
      }),
    [client],
  );
  useEffect(() => {
    if (path === undefined || text === undefined) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      client.invoke('workbench.problems', { path, ...(isModelFile(path) ? { text } : {}), environment }).then(
        ({ problems }) => {
          if (!cancelled) useWorkbench.getState().setProblems(path, problems);
        },
        () => undefined,
      );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client, path, text, environment, landed]);
}

/** The rendered SQL of the active tab's text, while the rendered view is shown. */
export function useRendered(client: Client, tab: Tab | undefined, shown: boolean): { sql: string | undefined; error: string | undefined } {
  const [out, setOut] = useState<{ sql: string | undefined; error: string | undefined }>({ sql: undefined, error: undefined });
  const path = tab?.path;
  const text = tab?.text;
  useEffect(() => {
    if (!shown || path === undefined || text === undefined || !isModelFile(path)) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      client.invoke('workbench.render', { path, text }).then(
        (r) => !cancelled && setOut({ sql: r.sql, error: undefined }),
        (e: unknown) => !cancelled && setOut((o) => ({ sql: o.sql, error: toError(e).message })),
      );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [client, path, text, shown]);
  return out;
}

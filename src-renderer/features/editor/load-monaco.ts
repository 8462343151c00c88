/**
 * Monaco on demand: the editor (a few MB of script) is not part of the first paint. The first
 * view that needs an editor calls `loadMonaco`, which loads Monaco's chunk once and registers
 * the `duckdb` language with the engine's dialect (`sql.dialect`, asked for once at start-up
 * by `sqlDialect`, so the answer is usually there before Monaco is).
 */
import type { SqlDialect } from '../../../src-shared/contract';
import type { Client } from '../../transport/client';
import type { monaco as Monaco } from './monaco';

const NO_DIALECT: SqlDialect = { keywords: [], functions: [], types: [] };

let dialect: Promise<SqlDialect | undefined> | undefined;
let loading: Promise<typeof Monaco> | undefined;

/** The engine's SQL dialect, asked once; undefined when the engine could not say. */
export function sqlDialect(client: Client): Promise<SqlDialect | undefined> {
  return (dialect ??= client.invoke('sql.dialect', {}).catch(() => undefined));
}

/** Monaco with the `duckdb` language registered; loaded on the first call. */
export function loadMonaco(client: Client): Promise<typeof Monaco> {
  return (loading ??= Promise.all([import('./monaco'), import('./duckdb-language'), sqlDialect(client)]).then(([{ monaco }, { registerDuckDbLanguage }, d]) => {
    registerDuckDbLanguage(monaco, d ?? NO_DIALECT);
    return monaco;
  }));
}

/** `app.*` and `sql.dialect`: what the client needs to know about the engine it talks to. */
import packageJson from '../../../package.json' with { type: 'json' };
import type { SqlDialect } from '../../../src-shared/contract';
import type { DuckEngine } from '../../duck/engine';
import type { Handlers } from './types';

async function readDialect(engine: DuckEngine): Promise<SqlDialect> {
  const connection = await engine.connect();
  try {
    const column = async (sql: string) =>
      (await connection.runAndReadAll(sql)).getRows().map((row) => String(row[0]));
    return {
      keywords: await column('SELECT DISTINCT keyword_name FROM duckdb_keywords() ORDER BY 1'),
      functions: await column(
        "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_name NOT LIKE '\\_\\_%' ESCAPE '\\' AND function_name SIMILAR TO '[A-Za-z_][A-Za-z0-9_]*' ORDER BY 1",
      ),
      types: await column('SELECT DISTINCT type_name FROM duckdb_types() ORDER BY 1'),
    };
  } finally {
    connection.closeSync();
  }
}

export function appHandlers(engine: DuckEngine, projectDir: string): Handlers<'app.info' | 'sql.dialect'> {
  let dialect: Promise<SqlDialect> | undefined;
  let version: Promise<string> | undefined;
  return {
    'app.info': async () => ({
      name: 'Portable Analytics Studio',
      version: packageJson.version,
      projectDir,
      duckdbVersion: await (version ??= engine.version()),
    }),
    'sql.dialect': async () => (dialect ??= readDialect(engine)),
  };
}

/** Test support (vitest only): a DuckDB parser for one test file, and its first statement of a text. */
import { afterAll, beforeAll } from 'vitest';
import { DuckEngine } from '../duck/engine';
import type { SelectStatementAst } from './ast';
import { SqlParser } from './parse';

/** A parser opened before the file's tests and closed after them. */
export function useParser(): SqlParser {
  let engine: DuckEngine | undefined;
  let live: SqlParser | undefined;
  beforeAll(async () => {
    engine = await DuckEngine.open();
    live = new SqlParser(await engine.connect());
  });
  afterAll(async () => {
    await engine?.close();
  });
  const current = (): SqlParser => {
    if (!live) throw new Error('The test parser is not open yet.');
    return live;
  };
  return {
    parse: (sql: string) => current().parse(sql),
    parseMany: (sqls: readonly string[]) => current().parseMany(sqls),
    deserialize: (statements: readonly SelectStatementAst[]) => current().deserialize(statements),
  } as SqlParser;
}

export async function firstStatement(parser: SqlParser, sql: string): Promise<SelectStatementAst> {
  const result = await parser.parse(sql);
  if (!result.ok) throw new Error(result.message);
  const first = result.statements[0];
  if (!first) throw new Error('no statement');
  return first;
}

/**
 * The lineage corpus runner: every query of `corpus/*.ts` gives exactly the expected upstream
 * (value and filter dependencies) for each output column, and every runnable query binds in a
 * real DuckDB over tables created from the corpus schemas, with the same output column names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckEngine } from '../duck/engine';
import { SqlParser } from '../sql/parse';
import { SourceText } from '../sql/ranges';
import { qualifiedName } from '../sql/references';
import { CORPUS } from './corpus';
import { SCHEMAS, TABLES, type Expected } from './corpus/case';
import { queryLineage } from './query';
import { parseModels } from './records';
import type { ModelLineage, RelationResolver } from './types';

const resolve: RelationResolver = (ref) => {
  const key = qualifiedName(ref);
  const columns = SCHEMAS[key.toLowerCase()];
  return { key, ...(columns ? { columns } : {}) };
};

let engine: DuckEngine;
let connection: DuckDBConnection;
let parser: SqlParser;

beforeAll(async () => {
  engine = await DuckEngine.open();
  connection = await engine.connect();
  parser = new SqlParser(connection);
  await connection.run('CREATE SCHEMA raw');
  for (const [name, ddl] of Object.entries(TABLES)) await connection.run(`CREATE TABLE ${name} (${ddl})`);
});
afterAll(async () => {
  await engine.close();
});

async function lineageOf(sql: string): Promise<ModelLineage> {
  // Through parseModels, as the project graph parses (PIVOT statements included).
  const [input] = await parseModels(parser, [{ name: 'q', sql }]);
  if (!input?.parsed.ok) throw new Error(input?.parsed.ok === false ? input.parsed.message : 'not parsed');
  const statement = input.parsed.statements[0];
  if (!statement) throw new Error('no statement');
  return queryLineage(statement, new SourceText(sql), resolve);
}

function compact(lineage: ModelLineage): Record<string, Expected> {
  const out: Record<string, Expected> = {};
  for (const column of lineage.columns) {
    const deps = column.upstream.map((d) => `${d.kind === 'filter' ? '~' : ''}${d.relation}.${d.column}`).sort();
    out[column.column] = column.unknown ? { deps, unknown: column.unknown.reason } : deps;
  }
  return out;
}

describe('lineage corpus', () => {
  it('holds at least 150 queries with distinct names', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  for (const c of CORPUS) {
    it(`traces ${c.name}`, async () => {
      const actual = compact(await lineageOf(c.sql));
      expect(Object.keys(actual)).toEqual(Object.keys(c.columns));
      for (const [column, expected] of Object.entries(c.columns)) {
        const got = actual[column];
        if (Array.isArray(expected)) expect(got, column).toEqual([...expected].sort());
        else {
          expect(got, column).toMatchObject({ deps: [...expected.deps].sort() });
          expect((got as { unknown: string }).unknown, column).toContain(expected.unknown);
        }
      }
      if (c.runs !== false) {
        const reader = await connection.runAndReadAll(`SELECT * FROM (${c.sql.replace(/;\s*$/, '')}) LIMIT 0`);
        expect(Object.keys(actual)).toEqual(reader.columnNames());
      }
    });
  }
});

describe('forms DuckDB’s parser refuses to serialize', () => {
  it('says that a PIVOT without IN values has no tree, and what to write instead', async () => {
    const [input] = await parseModels(parser, [{ name: 'q', sql: 'PIVOT sales ON quarter USING sum(amount) GROUP BY region' }]);
    expect(input?.parsed).toMatchObject({ ok: false, message: expect.stringContaining('list the IN values') });
  });
});

/**
 * Lineage of one query beyond the corpus (`corpus.test.ts`): the expressions and ranges
 * through which columns enter, completeness, and the relations read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { SqlParser } from '../sql/parse';
import { SourceText } from '../sql/ranges';
import { qualifiedName } from '../sql/references';
import { SCHEMAS } from './corpus/case';
import { queryLineage } from './query';
import type { ModelLineage, RelationResolver } from './types';

const resolve: RelationResolver = (ref) => {
  const key = qualifiedName(ref);
  const columns = SCHEMAS[key.toLowerCase()];
  return { key, ...(columns ? { columns } : {}) };
};

let engine: DuckEngine;
let parser: SqlParser;

beforeAll(async () => {
  engine = await DuckEngine.open();
  parser = new SqlParser(await engine.connect());
});
afterAll(async () => {
  await engine.close();
});

async function lineageOf(sql: string): Promise<ModelLineage> {
  const parsed = await parser.parse(sql);
  if (!parsed.ok) throw new Error(parsed.message);
  const statement = parsed.statements[0];
  if (!statement) throw new Error('no statement');
  return queryLineage(statement, new SourceText(sql), resolve);
}

describe('queryLineage expressions', () => {
  it('gives each column the expression that computes it and its range in the SQL text', async () => {
    const sql = "WITH paid AS (\n  SELECT id, amount * 2 AS dbl FROM orders WHERE status = 'paid'\n)\nSELECT id, sum(dbl) AS total FROM paid GROUP BY id";
    const lineage = await lineageOf(sql);
    const total = lineage.columns.find((c) => c.column === 'total');
    expect(total?.expression).toBe('sum(dbl)');
    expect(total?.range && sql.slice(total.range.start, total.range.end)).toBe('sum(dbl)');
    expect(total?.upstream).toEqual([
      { relation: 'orders', column: 'amount', kind: 'value', expression: 'amount * 2', range: { start: sql.indexOf('amount * 2'), end: sql.indexOf('amount * 2') + 10 } },
      { relation: 'orders', column: 'id', kind: 'filter', expression: 'id', range: { start: sql.indexOf('id,'), end: sql.indexOf('id,') + 2 } },
      { relation: 'orders', column: 'status', kind: 'filter', expression: "status = 'paid'", range: expect.any(Object) },
    ]);
  });

  it('names the join condition, the USING clause and the window as the expressions of filters', async () => {
    const sql = 'SELECT o.id, rank() OVER (PARTITION BY c.country ORDER BY o.amount) AS r FROM orders o JOIN customers c ON o.customer_id = c.id JOIN payments p USING (id)';
    const r = (await lineageOf(sql)).columns.find((c) => c.column === 'r');
    const byColumn = Object.fromEntries((r?.upstream ?? []).map((d) => [`${d.relation}.${d.column}`, d.expression]));
    expect(byColumn).toEqual({
      'customers.country': 'rank() OVER (PARTITION BY c.country ORDER BY o.amount)',
      'orders.amount': 'rank() OVER (PARTITION BY c.country ORDER BY o.amount)',
      'orders.customer_id': 'o.customer_id = c.id',
      'customers.id': 'o.customer_id = c.id',
      'orders.id': 'USING (id)',
      'payments.id': 'USING (id)',
    });
  });

  it('marks the lineage complete only when every star could be expanded', async () => {
    expect((await lineageOf('SELECT * FROM orders')).complete).toBe(true);
    expect((await lineageOf('SELECT * FROM mystery')).complete).toBe(false);
    expect((await lineageOf('SELECT o.*, m.* FROM orders o, mystery m')).columns.map((c) => c.column)).toEqual([
      'id', 'customer_id', 'amount', 'status', 'created_at', 'm.*',
    ]);
  });

  it('lists the relations the query reads', async () => {
    expect((await lineageOf('WITH x AS (SELECT * FROM orders) SELECT * FROM x JOIN raw.events USING (id)')).references).toEqual(['orders', 'raw.events']);
  });
});

import { describe, expect, it } from 'vitest';
import type { SelectNode } from './ast';
import { useParser } from './test-parser';

const parser = useParser();

describe('SqlParser', () => {
  it('returns the select node of a valid query with character offsets', async () => {
    const result = await parser.parse('SELECT a, b + 1 AS c FROM t');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const node = result.statements[0]?.node as SelectNode;
    expect(node.type).toBe('SELECT_NODE');
    expect(node.select_list.map((e) => e.query_location)).toEqual([7, 12]);
    expect(node.from_table.query_location).toBe(26);
  });

  it('converts DuckDB byte offsets into string offsets after non-ASCII text', async () => {
    const sql = "SELECT 'é€😀' AS x, a FROM t";
    const result = await parser.parse(sql);
    if (!result.ok) throw new Error(result.message);
    const node = result.statements[0]?.node as SelectNode;
    expect(node.select_list[1]?.query_location).toBe(sql.indexOf(', a') + 2);
    expect(node.from_table.query_location).toBe(sql.indexOf('t', sql.indexOf('FROM')));
  });

  it('removes the "no location" marker instead of keeping a bogus offset', async () => {
    const result = await parser.parse('SELECT 1');
    if (!result.ok) throw new Error(result.message);
    const node = result.statements[0]?.node as SelectNode;
    expect(node.from_table.type).toBe('EMPTY');
    expect('query_location' in node.from_table).toBe(false);
  });

  it('reports a syntax error with its message and offset', async () => {
    const result = await parser.parse('SELECT a\nFROM t WHERE');
    expect(result).toEqual({
      ok: false,
      message: expect.stringContaining('syntax error'),
      offset: 21,
      position: { line: 2, column: 13, offset: 21 },
    });
  });

  it('rejects statements that are not queries', async () => {
    const result = await parser.parse('CREATE TABLE x (a INT)');
    expect(result.ok).toBe(false);
  });

  it('parses several statements of one text', async () => {
    const result = await parser.parse('SELECT 1; SELECT 2');
    expect(result.ok && result.statements.length).toBe(2);
  });

  it('answers concurrent calls on one connection, each with its own result', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => parser.parse(`SELECT c${i} FROM t`)));
    results.forEach((result, i) => {
      if (!result.ok) throw new Error(result.message);
      expect((result.statements[0]?.node as SelectNode).select_list[0]).toMatchObject({ column_names: [`c${i}`] });
    });
  });

  it('parses many texts in one call, keeping their order and their own errors', async () => {
    const sqls = Array.from({ length: 50 }, (_, i) => `SELECT c${i} FROM t${i}`);
    sqls[7] = 'SELECT FROM WHERE';
    const results = await parser.parseMany(sqls);
    expect(results).toHaveLength(50);
    results.forEach((result, i) => {
      if (i === 7) {
        expect(result.ok).toBe(false);
        return;
      }
      if (!result.ok) throw new Error(result.message);
      const node = result.statements[0]?.node as SelectNode;
      expect(node.select_list[0]).toMatchObject({ column_names: [`c${i}`] });
    });
    expect(await parser.parseMany([])).toEqual([]);
  });
});

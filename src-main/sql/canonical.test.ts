import { describe, expect, it } from 'vitest';
import { canonicalText, toSql } from './canonical';
import { firstStatement, useParser } from './test-parser';

const parser = useParser();

const statement = (sql: string) => firstStatement(parser, sql);

describe('canonicalText', () => {
  it('is the same for texts that differ only in layout, keyword case and comments', async () => {
    const a = await statement('SELECT a, sum(b) AS s FROM t GROUP BY a');
    const b = await statement('select a,\n   -- the total\n   SUM(b) as s\nfrom t /* source */ group by a');
    expect(canonicalText(a)).toBe(canonicalText(b));
  });

  it('differs when the query means something else', async () => {
    const a = await statement('SELECT a FROM t WHERE a > 1');
    const b = await statement('SELECT a FROM t WHERE a > 2');
    expect(canonicalText(a)).not.toBe(canonicalText(b));
  });

  it('holds no locations', async () => {
    expect(canonicalText(await statement('SELECT a FROM t'))).not.toContain('query_location');
  });
});

describe('toSql', () => {
  it('renders a tree back into SQL that parses to the same tree', async () => {
    const original = await statement('WITH x AS (SELECT a, b FROM t) SELECT a, b * 2 AS c FROM x WHERE a IN (SELECT a FROM u)');
    const text = await toSql(parser, original);
    expect(text).toContain('SELECT');
    expect(canonicalText(await statement(text))).toBe(canonicalText(original));
  });
});

import { describe, expect, it } from 'vitest';
import { formatModelText } from './format';
import { cteDefinitions, cursorContext, dottedWordAt, headerEnd, relationAliases } from './sql-context';

const MODEL = `-- Totals.
MODEL (
  name marts.totals,
  kind FULL,
  audits (not_null(columns := (a)))
);

WITH recent AS (SELECT * FROM staging.events WHERE ts > '2024-01-01')
SELECT o.id, c.name, r.ts
FROM marts.orders AS o
JOIN marts.customers c ON c.id = o.customer_id
LEFT JOIN recent r ON r.id = o.id
WHERE @IF(@x, o.amount > 0, TRUE)`;

describe('the text around the cursor of a model file', () => {
  it('finds where the MODEL header ends, past nested parentheses', () => {
    expect(MODEL.slice(headerEnd(MODEL) - 4, headerEnd(MODEL) + 1)).toBe('))\n);');
    expect(headerEnd('SELECT 1')).toBe(0);
  });

  it('resolves aliases from FROM and JOIN, with and without AS, and bare table names', () => {
    const aliases = relationAliases(MODEL);
    expect(aliases.get('o')).toBe('marts.orders');
    expect(aliases.get('c')).toBe('marts.customers');
    expect(aliases.get('r')).toBe('recent');
    expect(aliases.get('events')).toBe('staging.events');
    expect(relationAliases('SELECT * FROM marts.orders WHERE 1').get('orders')).toBe('marts.orders');
    expect(relationAliases("SELECT * FROM read_csv('x.csv') t").size).toBe(0);
  });

  it('ignores FROM inside comments and strings', () => {
    expect([...relationAliases("SELECT 'from x y' AS s -- from a b\nFROM t")]).toEqual([['t', 't']]);
  });

  it('says what is typed: a member after alias., a macro, a header property or kind', () => {
    const at = (marker: string) => MODEL.indexOf(marker) + marker.length;
    expect(cursorContext(MODEL, at('SELECT o.'))).toEqual({ kind: 'member', qualifier: 'o', prefix: '' });
    expect(cursorContext(MODEL, at('c.na'))).toEqual({ kind: 'member', qualifier: 'c', prefix: 'na' });
    expect(cursorContext(MODEL, at('@IF(@x'))).toEqual({ kind: 'macro', prefix: 'x' });
    expect(cursorContext(MODEL, at('kind FU'))).toEqual({ kind: 'header', afterKind: true });
    expect(cursorContext(MODEL, at('  name'))).toEqual({ kind: 'header', afterKind: false });
    expect(cursorContext(MODEL, at('FROM mar'))).toEqual({ kind: 'sql', prefix: 'mar' });
  });

  it('finds CTE definitions and the dotted word under the cursor', () => {
    expect(MODEL.slice(cteDefinitions(MODEL).get('recent'), (cteDefinitions(MODEL).get('recent') ?? 0) + 6)).toBe('recent');
    const at = MODEL.indexOf('marts.orders') + 8;
    expect(dottedWordAt(MODEL, at)).toMatchObject({ parts: ['marts', 'orders'], index: 1 });
  });
});

describe('formatting a model file', () => {
  it('keeps the header as written and formats the query with macros intact', () => {
    const out = formatModelText(`MODEL (name a.b,  kind   FULL);\nselect x, @IF(@flag, 1, 2) as y from a.c where d between @start_ds and @end_ds`);
    expect(out.startsWith('MODEL (name a.b,  kind   FULL);\n\nSELECT\n  x,\n  @IF(@flag, 1, 2) AS y\nFROM\n  a.c\nWHERE\n  d BETWEEN @start_ds AND @end_ds')).toBe(true);
  });

  it('formats each statement after the header and leaves a file without a header whole', () => {
    expect(formatModelText('MODEL (name a.b);\n@DEF(n, 1);\nselect @n as n')).toBe('MODEL (name a.b);\n\n@DEF(n, 1);\n\nSELECT\n  @n AS n\n');
    expect(formatModelText('select 1')).toBe('SELECT\n  1\n');
  });
});

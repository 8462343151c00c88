import { describe, expect, it } from 'vitest';
import { significant, textOf, tokenize } from './lexer';
import { splitStatements } from './statements';

const TRICKY = `-- lead; comment
MODEL (name s.t, description 'it''s; fine', tags [a, b]); /* block ; */
SELECT "semi;colon" AS x, E'a\\'b' AS y, $$dollar ; quoted$$ AS z, j->>'k', x::INT, @{v}_c, col_@v, @EACH([1], i -> i)
FROM t;
`;

describe('lexer', () => {
  it('gives back the input exactly when its tokens are concatenated', () => {
    expect(textOf(tokenize(TRICKY).tokens)).toBe(TRICKY);
  });

  it('keeps semicolons inside strings, quoted identifiers, dollar quotes and comments out of statement splitting', () => {
    const statements = splitStatements(tokenize(TRICKY).tokens);
    expect(statements).toHaveLength(2);
    expect(TRICKY.slice(statements[1]?.start, statements[1]?.end)).toMatch(/^SELECT[\s\S]*FROM t$/);
  });

  it('recognises macros, braced macros, lambdas arrows, casts and JSON operators', () => {
    const sig = significant(tokenize("@start_ds @{x} x -> y a::INT j->>'k' b := 1").tokens);
    expect(sig.map((t) => `${t.type}:${t.text}`)).toEqual([
      'macro:@start_ds',
      'macro:@{x}',
      'ident:x',
      'op:->',
      'ident:y',
      'ident:a',
      'op:::',
      'ident:INT',
      'ident:j',
      'op:->>',
      "string:'k'",
      'ident:b',
      'op::=',
      'number:1',
    ]);
  });

  it('reports an unterminated string', () => {
    expect(tokenize("SELECT 'open").unterminated?.start).toBe(7);
  });
});

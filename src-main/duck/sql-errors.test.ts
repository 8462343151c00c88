import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasException } from '../../src-shared/errors';
import { DuckEngine } from './engine';
import type { Session } from './session';
import { positionFromContext, positionFromOffset } from './sql-errors';

let engine: DuckEngine;
let session: Session;
beforeAll(async () => {
  engine = await DuckEngine.open();
  session = await engine.openSession();
});
afterAll(async () => engine.close());

async function errorOf(sql: string) {
  try {
    await session.run(sql);
  } catch (error) {
    if (error instanceof PasException) return error.error;
    throw error;
  }
  throw new Error('expected the statement to fail');
}

describe('SQL error positions', () => {
  it('marks an unknown column at the column reference', async () => {
    const error = await errorOf('select nope from range(3)');
    expect(error).toMatchObject({ code: 'sql', errorType: 'Binder', position: { line: 1, column: 8, offset: 7 } });
    expect(error.message).not.toContain('LINE 1');
  });

  it('marks a syntax error on a later line', async () => {
    const sql = 'select 1,\n  2\nfrm range(3)';
    const error = await errorOf(sql);
    expect(error).toMatchObject({ code: 'sql', errorType: 'Parser' });
    if (error.code !== 'sql') throw new Error();
    expect(error.position?.line).toBe(3);
  });

  it('uses the parser offset when DuckDB prints no context', async () => {
    const error = await errorOf('select 1 +');
    expect(error).toMatchObject({ code: 'sql', errorType: 'Parser', position: { line: 1, column: 11, offset: 10 } });
  });

  it('marks an unknown function on its own line', async () => {
    const error = await errorOf('select\n  1,\n  foo(2)');
    expect(error).toMatchObject({ code: 'sql', errorType: 'Catalog', position: { line: 3, column: 3 } });
  });

  it('finds the caret inside a truncated context of a long line', () => {
    const sql = `select ${'a'.repeat(200)}, zzz from t`;
    const at = sql.indexOf('zzz');
    const message = `Binder Error: x\n\nLINE 1: ...${sql.slice(at - 20, at + 12)}...\n${' '.repeat('LINE 1: ...'.length + 20)}^`;
    expect(positionFromContext(sql, message)).toEqual(positionFromOffset(sql, at));
  });
});

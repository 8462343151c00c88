import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckEngine } from './engine';
import type { Session } from './session';

let engine: DuckEngine;
let session: Session;
beforeAll(async () => {
  engine = await DuckEngine.open();
  session = await engine.openSession();
});
afterAll(async () => engine.close());

describe('a session running several statements', () => {
  it('runs every statement in order and returns the last statement’s result', async () => {
    const result = await session.run('select 1 as a;\ncreate temp table later as select 42 as x;\nselect x from later');
    expect(result.columnNames()).toEqual(['x']);
    expect((await result.getRows())).toEqual([[42]]);
  });

});

import { describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { createTestProject } from './test-project';
import { runModelTests } from './unit-tests';
import { Workspace } from './workspace';

const TEST = (n: number) => `test_by_category:
  model: marts.by_category
  inputs:
    staging.stg_events:
      rows:
        - {id: 1, ts: '2024-01-01 00:00:00', amount: 1.0, category: a}
        - {id: 2, ts: '2024-01-01 01:00:00', amount: 2.0, category: a}
        - {id: 3, ts: '2024-01-01 02:00:00', amount: 3.0, category: b}
  outputs:
    query:
      rows:
        - {category: b, n: 1}
        - {category: a, n: ${n}}
`;

const CTE_TEST = `test_daily_cte:
  model: marts.with_cte
  inputs:
    raw.events:
      rows:
        - {id: 1, category: a}
        - {id: 2, category: b}
  outputs:
    ctes:
      picked:
        rows:
          - {id: 2}
    query:
      partial: true
      rows:
        - {id: 2}
`;

const WITH_CTE = `MODEL (name marts.with_cte, kind FULL);
WITH picked AS (SELECT id FROM raw.events WHERE category = 'b')
SELECT id, 'x' AS tag FROM picked`;

async function report(files: Record<string, string>) {
  const engine = await DuckEngine.open();
  const root = await createTestProject(files);
  const ws = await Workspace.open({ projectDir: root, engine });
  try {
    expect(ws.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return await runModelTests(ws.project, ws.parser);
  } finally {
    await ws.close();
    await engine.close();
  }
}

describe('model unit tests', () => {
  it('pass when the model computes the expected rows from the given inputs, in any order', async () => {
    const result = await report({ 'tests/test_by_category.yaml': TEST(2) });
    expect(result.failed).toEqual([]);
    expect(result.passed).toEqual(['test_by_category']);
  });

  it('fail with a readable diff of expected and actual rows', async () => {
    const result = await report({ 'tests/test_by_category.yaml': TEST(3) });
    expect(result.passed).toEqual([]);
    expect(result.failed[0]?.message).toMatch(/test_by_category: the query output differs/);
    expect(result.failed[0]?.diff).toContain('-{category: "a", n: 3}');
    expect(result.failed[0]?.diff).toContain('+{category: "a", n: 2}');
    expect(result.failed[0]?.file).toBe('tests/test_by_category.yaml');
  });

  it('check a CTE and a partial output', async () => {
    const result = await report({ 'models/marts/with_cte.sql': WITH_CTE, 'tests/test_cte.yaml': CTE_TEST });
    expect(result.failed).toEqual([]);
    expect(result.passed).toEqual(['test_daily_cte']);
  });
});

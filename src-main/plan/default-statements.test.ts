import { afterEach, describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { parseTime } from './intervals';
import { createTestProject } from './test-project';
import { Workspace } from './workspace';

const CONFIG = (post: string) => `gateways:
  local:
    connection:
      type: duckdb
      database: warehouse.db
default_gateway: local
model_defaults:
  dialect: duckdb
  start: '2024-01-01'
  cron: '@daily'
  pre_statements:
    - CREATE TABLE IF NOT EXISTS main.model_log (model VARCHAR)
  post_statements:
    - ${post}
  on_virtual_update:
    - "INSERT INTO main.model_log SELECT 'view ' || count(*) FROM @this_model"
`;

let engine: DuckEngine | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  await engine?.close();
});

describe('model_defaults statements', () => {
  it("run around every SQL model's evaluation and after its promotion, with the model's macros", async () => {
    const root = await createTestProject({ 'config.yaml': CONFIG('INSERT INTO main.model_log SELECT count(*)::VARCHAR FROM @this_model') });
    engine = await DuckEngine.open();
    ws = await Workspace.open({ projectDir: root, engine });
    expect(ws.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const { plan, graph } = await ws.plan({ environment: 'prod', executionTime: parseTime('2024-01-05T12:00:00Z') });
    await ws.apply(plan, graph);
    const logged = (await ws.warehouse.query('SELECT model FROM main.model_log')).map((r) => String(r.model));
    // After each evaluation, the row count of the table it wrote (@this_model): by_category has 3.
    expect(logged.length).toBeGreaterThanOrEqual(3);
    expect(logged).toContain('3');
    // Once promoted, on_virtual_update runs with @this_model as the environment's view.
    expect(logged).toContain('view 3');
  });

  it('report a problem in a default statement at its line in config.yaml', async () => {
    const root = await createTestProject({ 'config.yaml': CONFIG('SELECT @undefined_thing') });
    engine = await DuckEngine.open();
    ws = await Workspace.open({ projectDir: root, engine });
    const error = await ws.plan({ environment: 'prod' }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/The project has 1 error\(s\)[\s\S]*config\.yaml:14:14: Undefined macro variable @undefined_thing/);
  });
});

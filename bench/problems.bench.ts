/**
 * The project's problem list on the generated 1,000-model project of plan.bench.ts: loading
 * plus the whole check (graph, columns through lineage, linter, tests and audits), beside
 * loading plus the graph alone (what a plan needed before), in the same run. Target: the
 * check adds < 1 s.
 */
import { DuckEngine } from '../src-main/duck/engine';
import { buildGraph } from '../src-main/plan/graph';
import { checkProject } from '../src-main/problems/check';
import { loadProject } from '../src-main/project/project';
import { SqlParser } from '../src-main/sql/parse';
import type { Figure } from './harness';
import { medianMs } from './harness';
import { generate } from './plan.bench';

export async function run(): Promise<Figure[]> {
  const root = await generate();
  const engine = await DuckEngine.open();
  const parser = new SqlParser(await engine.connect());
  let problems = -1;
  const graphOnly = await medianMs(async () => {
    const { project } = await loadProject(root);
    await buildGraph(project, parser);
  }, 3);
  const check = await medianMs(async () => {
    const { project, diagnostics } = await loadProject(root);
    problems = (await checkProject(project, diagnostics, parser)).diagnostics.length;
  }, 3);
  await engine.close();
  return [
    {
      name: `load + problem list, 1000 models (${problems} problems)`,
      value: check,
      unit: 'ms',
      baseline: `load + graph alone ${graphOnly.toFixed(0)} ms`,
      target: '< graph + 1000 ms',
      met: check < graphOnly + 1000,
    },
  ];
}

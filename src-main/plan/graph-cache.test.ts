import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckEngine } from '../duck/engine';
import { loadProject } from '../project/project';
import { MINIMAL_CONFIG, writeTempProject, type TempProject } from '../project/test-project';
import { SqlParser } from '../sql/parse';
import { buildGraph } from './graph';

/** A parser that counts the texts it is asked to parse. */
function counting(parser: SqlParser): { parser: SqlParser; parsed: () => number } {
  let count = 0;
  const wrapped = Object.create(parser) as SqlParser;
  wrapped.parseMany = async (sqls) => {
    count += sqls.length;
    return parser.parseMany(sqls);
  };
  return { parser: wrapped, parsed: () => count };
}

describe('the cache of rendered and parsed models (.pas/cache)', () => {
  let engine: DuckEngine;
  let project: TempProject;
  beforeAll(async () => {
    engine = await DuckEngine.open();
    project = await writeTempProject({
      'config.yaml': `${MINIMAL_CONFIG}variables:\n  factor: 2\n`,
      'models/a.sql': 'MODEL (name s.a, kind FULL);\nSELECT 1 AS id',
      'models/b.sql': 'MODEL (name s.b, kind FULL);\nSELECT id * @factor AS x FROM s.a',
    });
  });
  afterAll(async () => {
    await project.remove();
    await engine.close();
  });

  const build = async () => {
    const { project: loaded } = await loadProject(project.dir);
    const { parser, parsed } = counting(new SqlParser(await engine.connect()));
    const graph = await buildGraph(loaded, parser);
    return { graph, parsed: parsed() };
  };

  it('parses only new or changed models, and a change of file or variable shows at once', async () => {
    const first = await build();
    expect(first.parsed).toBe(2);
    expect(existsSync(path.join(project.dir, '.pas', 'cache', 'models-v3.cache'))).toBe(true);

    const again = await build();
    expect(again.parsed).toBe(0);
    expect(again.graph.nodes.get('s.b')?.parents).toEqual(['s.a']);
    // The parse trees come back from the file as they went in.
    expect(again.graph.nodes.get('s.b')?.statements).toEqual(first.graph.nodes.get('s.b')?.statements);
    expect(again.graph.nodes.get('s.a')?.statements).toEqual(first.graph.nodes.get('s.a')?.statements);
    expect(again.graph.nodes.get('s.b')?.fingerprint).toEqual(first.graph.nodes.get('s.b')?.fingerprint);

    writeFileSync(path.join(project.dir, 'models', 'b.sql'), 'MODEL (name s.b, kind FULL);\nSELECT id * @factor + 1 AS x FROM s.a');
    const edited = await build();
    expect(edited.parsed).toBe(1);
    expect(edited.graph.nodes.get('s.b')?.query).toContain('+ 1');

    writeFileSync(path.join(project.dir, 'config.yaml'), `${MINIMAL_CONFIG}variables:\n  factor: 3\n`);
    const revalued = await build();
    expect(revalued.parsed).toBe(2);
    expect(revalued.graph.nodes.get('s.b')?.query).toContain('3');
    expect(revalued.graph.nodes.get('s.a')?.fingerprint).toEqual(edited.graph.nodes.get('s.a')?.fingerprint);
  });

  it('works as without a cache when the cache file is cut short', async () => {
    await build();
    const file = path.join(project.dir, '.pas', 'cache', 'models-v3.cache');
    writeFileSync(file, readFileSync(file).subarray(0, readFileSync(file).length - 10));
    const { graph, parsed } = await build();
    expect(parsed).toBe(2);
    expect(graph.nodes.get('s.b')?.statements).toBeDefined();
  });

  it('works as without a cache when the cache file is damaged', async () => {
    writeFileSync(path.join(project.dir, '.pas', 'cache', 'models-v3.cache'), '{ not json');
    const { graph, parsed } = await build();
    expect(parsed).toBe(2);
    expect(graph.nodes.get('s.b')?.parents).toEqual(['s.a']);
  });
});

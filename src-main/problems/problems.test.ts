import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main';
import { createTestProject, DAILY } from '../plan/test-project';
import { loadProject } from '../project/project';
import { PasService } from '../service/service';
import { useParser } from '../sql/test-parser';
import { checkProject } from './check';

const parser = useParser();
const REPO = path.resolve(import.meta.dirname, '../..');

describe('the problem list', () => {
  it('finds nothing wrong in the example project', async () => {
    const { project, diagnostics } = await loadProject(REPO);
    const check = await checkProject(project, diagnostics, parser, ['lake']);
    expect(check.diagnostics).toEqual([]);
  });

  it('puts a syntax error and a misspelt column of the example project at their lines in the model file', async () => {
    const file = 'models/intermediate/int_collisions_daily.sql';
    const text = readFileSync(path.join(REPO, file), 'utf8');
    const { project, diagnostics } = await loadProject(REPO);
    void project;
    const broken = text.replace("COALESCE(borough, 'UNKNOWN') AS borough", "COALESCE(borough, 'UNKNOWN' AS borough");
    const misspelt = text.replace('  persons_killed,', '  persons_kiled,');
    for (const [overlay, line, column, message] of [
      [broken, 16, 31, 'syntax error at or near "AS"'],
      [misspelt, 18, 3, "Column 'persons_kiled' is not in any relation intermediate.int_collisions_daily reads"],
    ] as const) {
      const loaded = await loadProject(REPO, { overlay: { path: file, text: overlay } });
      const found = (await checkProject(loaded.project, loaded.diagnostics, parser, ['lake'])).diagnostics.filter((d) => d.file === file);
      expect(found[0]).toMatchObject({ file, line, column, severity: 'error' });
      expect(found[0]?.message).toContain(message);
    }
    expect(diagnostics).toEqual([]);
  });
});

describe('the problem list through the service and the CLI', () => {
  let root: string;
  let service: PasService;
  beforeAll(async () => {
    root = await createTestProject();
    service = await PasService.create({ projectDir: root });
  });
  afterAll(async () => service.close());

  it('answers for unsaved text without touching the file, and follows the file once saved', async () => {
    const unsaved = DAILY.replace('count(*) AS n', 'count(*) AS n, sum(amout) AS typo');
    const { problems } = await service.invoke('project.problems', { path: 'models/marts/daily.sql', text: unsaved });
    expect(problems).toEqual([expect.objectContaining({ file: 'models/marts/daily.sql', line: 6, column: 57, severity: 'error', code: 'lint.ambiguousorinvalidcolumn' })]);
    expect((await service.invoke('project.info', {})).diagnostics).toEqual([]);

    // The watcher may also report earlier writes; wait for the reload that sees the error.
    const changed = new Promise<{ errors: number }>((resolve) => {
      const off = service.events.on('project.changed', (e) => {
        if (e.errors === 0) return;
        off();
        resolve(e);
      });
    });
    writeFileSync(path.join(root, 'models/marts/daily.sql'), unsaved);
    expect((await changed).errors).toBe(1);
    expect((await service.invoke('project.info', {})).diagnostics).toEqual([expect.objectContaining({ file: 'models/marts/daily.sql', line: 6, column: 57 })]);
  });

  it('unlocks an environment through the service, saying there was nothing to remove', async () => {
    expect(await service.invoke('plan.unlock', { environment: 'dev' })).toEqual({ environment: 'dev', removed: null });
  });

  it('refuses to render a model whose file has errors, naming them', async () => {
    const chunks: string[] = [];
    const code = await main(['render', 'marts.daily', '-p', root], {
      stdout: new Writable({ write: (_c, _e, done) => done() }),
      stderr: new Writable({ write: (c: Buffer | string, _e, done) => (chunks.push(String(c)), done()) }),
      signal: new AbortController().signal,
    });
    expect(code).toBe(1);
    expect(chunks.join('')).toMatch(/models\/marts\/daily\.sql:6:57: error: Column 'amout'/);
  });
});

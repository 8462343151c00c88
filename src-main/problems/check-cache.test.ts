import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from '../project/project';
import { problemsKey, readProblems, writeProblems } from './check-cache';

const CONFIG = `gateways:
  local:
    connection:
      type: duckdb
      database: db.duckdb
default_gateway: local
model_defaults:
  dialect: duckdb
`;

describe('the problem-list cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pas-problems-cache-'));
    mkdirSync(path.join(dir, 'models'), { recursive: true });
    mkdirSync(path.join(dir, 'seeds'), { recursive: true });
    writeFileSync(path.join(dir, 'config.yaml'), CONFIG);
    writeFileSync(path.join(dir, 'seeds', 's.csv'), 'id,v\n1,2\n');
    writeFileSync(path.join(dir, 'models', 's.sql'), "MODEL (name raw.s, kind SEED (path '../seeds/s.csv'));\n");
    writeFileSync(path.join(dir, 'models', 'a.sql'), 'MODEL (name mart.a, kind FULL);\nSELECT id FROM raw.s\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const key = async (): Promise<string | undefined> => {
    const { project, diagnostics } = await loadProject(dir);
    return problemsKey(project, diagnostics, ['db']);
  };

  it('gives back the stored list for the same project, and none once a model, the config or a seed changed', async () => {
    const first = await key();
    expect(first).toBeDefined();
    const list = [{ file: 'models/a.sql', line: 2, column: 8, severity: 'error' as const, code: 'column.unknown', message: 'x' }];
    writeProblems(dir, first as string, list);
    expect(await key()).toBe(first);
    expect(readProblems(dir, first as string)).toEqual(list);

    writeFileSync(path.join(dir, 'models', 'a.sql'), 'MODEL (name mart.a, kind FULL);\nSELECT idd FROM raw.s\n');
    const edited = await key();
    expect(edited).not.toBe(first);
    expect(readProblems(dir, edited as string)).toBeUndefined();

    writeFileSync(path.join(dir, 'config.yaml'), `${CONFIG}linter:\n  enabled: true\n`);
    const configured = await key();
    expect(configured).not.toBe(edited);

    writeFileSync(path.join(dir, 'seeds', 's.csv'), 'id,v,w\n1,2,3\n');
    expect(await key()).not.toBe(configured);
  });

  it('ignores a damaged cache file', () => {
    mkdirSync(path.join(dir, '.pas', 'cache'), { recursive: true });
    writeFileSync(path.join(dir, '.pas', 'cache', 'problems-v1.json'), '{not json');
    expect(readProblems(dir, 'k')).toBeUndefined();
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { commands } from './command-table';
import { main } from './main';
import { createTestProject, writeFiles } from '../plan/test-project';

const bin = path.resolve(import.meta.dirname, '../../bin/pas.mjs');
const EXECUTION = ['--execution-time', '2024-01-05T12:00:00Z'];

function pas(args: string[], cwd?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input: '', timeout: 120_000, ...(cwd ? { cwd } : {}) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `main` in this process, capturing what it prints. */
async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(argv, { stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}

const TS_MODEL = `export default {
  name: 'marts.ts_rows',
  kind: 'FULL',
  columns: { k: 'VARCHAR', v: 'BIGINT' },
  execute() {
    return [{ k: 'a', v: 1 }, { k: 'b', v: 2 }];
  },
};
`;

let root: string;
beforeAll(async () => {
  root = await createTestProject({ 'models/marts/ts_rows.ts': TS_MODEL });
  const applied = pas(['plan', '--auto-apply', '--json', '-p', root, ...EXECUTION]);
  expect(applied.code, applied.stderr).toBe(0);
}, 120_000);

describe('pas help', () => {
  it('answers --help and -h for every command, with a line for every option it takes', async () => {
    for (const [name, spec] of Object.entries(commands)) {
      for (const flag of ['--help', '-h']) {
        const result = await run([name, flag]);
        expect(result.code, `${name} ${flag}`).toBe(0);
        expect(result.stdout).toContain(`Usage: pas ${spec.usage}`);
        for (const option of Object.keys(spec.options)) {
          expect(result.stdout, `${name} --${option}`).toContain(`--${option}`);
          expect(spec.help[option], `help text of ${name} --${option}`).toBeTruthy();
          expect(result.stdout).toContain(spec.help[option]);
        }
      }
    }
  });

  it('answers pas help COMMAND and pas --version', async () => {
    const help = await run(['help', 'plan']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--restate-model');
    expect((await run(['--version'])).stdout).toBe(`${packageJson.version}\n`);
    expect((await run(['help', 'nope'])).code).toBe(2);
  });
});

describe('finding the project', () => {
  it('creates nothing in a folder that is not a project', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'pas-empty-'));
    const info = pas(['info'], empty);
    expect(info.code).toBe(1);
    expect(info.stderr).toContain('Not inside a project: no config.yaml in');
    const fetched = pas(['fetchdf', 'select 1 as one', '--json'], empty);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(JSON.parse(fetched.stdout)).toEqual([{ one: 1 }]);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('finds the project from a subfolder, as git finds its repository', () => {
    const info = pas(['info', '--json'], path.join(root, 'models', 'marts'));
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout).project).toBe(root);
  });
});

describe('unknown names are errors', () => {
  it('table-diff names an unknown environment and lists the known ones', async () => {
    const result = await run(['table-diff', 'prod:dve', 'marts.daily', '-p', root]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No environment named "dve" (environments: prod)');
  });

  it('invalidate fails on an unknown environment, without a stack trace', async () => {
    const result = await run(['invalidate', 'nope', '-p', root]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No environment named "nope"');
    const bad = await run(['invalidate', '___', '-p', root]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not a usable environment name');
    expect(bad.stderr).not.toMatch(/^\s+at /m);
  });

  it('fetchdf says which environment does not exist', async () => {
    const result = await run(['fetchdf', 'select * from marts__nope.daily', '-p', root]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The environment `nope` does not exist (environments: prod)');
  });
});

describe('paying only for what is used', () => {
  it('fetchdf opens the warehouse without loading the models; info loads them', async () => {
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'pas-marker-')), 'loaded');
    const project = await createTestProject({
      'models/marts/side.ts': `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\n${TS_MODEL.replace('marts.ts_rows', 'marts.side')}`,
    });
    const fetched = await run(['fetchdf', 'select count(*) as n from raw.events', '--json', '-p', project]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(JSON.parse(fetched.stdout)).toEqual([{ n: 40 }]);
    expect(existsSync(marker)).toBe(false);
    expect((await run(['info', '-p', project])).code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });
});

describe('commands on a project', () => {
  it('info counts the audits models declare', async () => {
    const result = await run(['info', '--json', '-p', root]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ models: 4, audits: 3, models_by_kind: { FULL: 2 } });
  });

  it('evaluates a TypeScript model and says plainly that it has no SQL to render', async () => {
    const rows = await run(['evaluate', 'marts.ts_rows', '--json', '-p', root]);
    expect(rows.code, rows.stderr).toBe(0);
    expect(JSON.parse(rows.stdout)).toEqual([{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
    const csv = await run(['evaluate', 'marts.by_category', '--csv', '-p', root]);
    expect(csv.stdout.split('\n')[0]).toBe('category,n');
    const render = await run(['render', 'marts.ts_rows', '-p', root]);
    expect(render.code).toBe(0);
    expect(render.stdout).toBe('');
    expect(render.stderr).toContain('marts.ts_rows is a typescript model: it has no SQL.');
  });

  it('prints the lineage of every column of every model with lineage --all --json', async () => {
    const result = await run(['lineage', '--all', '--json', '-p', root]);
    expect(result.code, result.stderr).toBe(0);
    const records = JSON.parse(result.stdout) as { model: string; column: string }[];
    const columns = records.map((r) => `${r.model}.${r.column}`);
    expect(columns).toEqual(expect.arrayContaining(['marts.daily.total', 'marts.by_category.n', 'staging.stg_events.amount']));
    expect(records.find((r) => r.model === 'marts.daily' && r.column === 'total')).toMatchObject({ sources: [{ model: 'raw.events', column: 'amount' }] });
  });

  it('prints snake_case keys in every --json output', async () => {
    const camel: string[] = [];
    const walk = (value: unknown, where: string) => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`));
      else if (value !== null && typeof value === 'object') {
        for (const [key, v] of Object.entries(value)) {
          if (/[a-z][A-Z]/.test(key)) camel.push(`${where}.${key}`);
          walk(v, `${where}.${key}`);
        }
      }
    };
    for (const args of [['info'], ['dag'], ['run', ...EXECUTION], ['test'], ['audit'], ['lineage', 'marts.daily'], ['janitor'], ['table-diff', 'prod:prod', 'marts.daily'], ['plan', 'dev', '--auto-apply', ...EXECUTION]]) {
      const result = await run([...args, '--json', '-p', root]);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      walk(JSON.parse(result.stdout), args[0] ?? '');
    }
    expect(camel).toEqual([]);
  });

  it('says how many views a plan changed, not how many the environment has', () => {
    writeFiles(root, { 'models/marts/by_category.sql': readFileSync(path.join(root, 'models/marts/by_category.sql'), 'utf8').replace('count(*) AS n', 'count(*) AS n, 2 AS two') });
    const result = pas(['plan', '--auto-apply', '--skip-tests', '-p', root, ...EXECUTION]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Updated the virtual layer of `prod` (1 views)');
  });

  it('create-external-models merges with the file: keeps comments, other fields and entries it cannot re-derive', async () => {
    writeFileSync(
      path.join(root, 'external_models.yaml'),
      '# Tables this project reads\n- name: raw.events\n  description: the raw events\n  columns:\n    id: TEXT\n- name: raw.gone\n  columns:\n    x: INTEGER\n',
    );
    const result = await run(['create-external-models', '-p', root]);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(path.join(root, 'external_models.yaml'), 'utf8');
    expect(text).toContain('# Tables this project reads');
    expect(text).toContain('description: the raw events');
    expect(text).toContain('- name: raw.gone\n  columns:\n    x: INTEGER');
    expect(text).toMatch(/- name: raw\.events[\s\S]*columns:\n\s+id: BIGINT/);
  });

});

/**
 * The broken-project corpus: each folder of `src-main/project/problems-corpus/` (except `_base`)
 * is one fault, written as files laid over the shared tiny project `_base` (a file whose whole
 * text is `__DELETE__` removes the base file; `"standalone": true` in expected.json makes the
 * folder a whole project of its own), with `expected.json` naming the problem's file,
 * line, column, severity and a piece of its message. For each case: the problem is in the list
 * at that place, `pas info` and `pas plan` (run in-process through the CLI's `main`) refuse
 * before running anything, the service's `project.info` lists the same problem, and neither the
 * warehouse nor the state holds anything afterwards. Cases marked `pending_config` wait on
 * config.yaml checks of another branch and are skipped.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main';
import { PasService } from '../service/service';

const CORPUS = path.resolve(import.meta.dirname, '../project/problems-corpus');
const BIN = path.resolve(import.meta.dirname, '../../bin/pas.mjs');
/** Cases also run as real `pas` processes (the rest run the CLI in-process: much faster). */
const SPAWNED = new Set(['column-misspelt', 'sql-syntax-after-macro']);
const BASE = path.join(CORPUS, '_base');

interface Expected {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message_includes: string;
  pending_config?: boolean;
  /** The case folder is a whole project: the base is not laid under it. */
  standalone?: boolean;
}

function collect(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = collect();
  const stderr = collect();
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, signal: new AbortController().signal });
  return { code, out: stdout.text(), err: stderr.text() };
}

/** Lays the case's files over a copy of the base project. */
function materialize(caseDir: string, standalone = false): string {
  const dir = mkdtempSync(path.join(tmpdir(), `pas-corpus-${path.basename(caseDir)}-`));
  if (!standalone) cpSync(BASE, dir, { recursive: true });
  const overlay = (from: string, rel: string): void => {
    for (const entry of readdirSync(from)) {
      const source = path.join(from, entry);
      const target = path.join(dir, rel, entry);
      if (statSync(source).isDirectory()) overlay(source, path.join(rel, entry));
      else if (rel === '' && entry === 'expected.json') continue;
      else {
        const text = readFileSync(source, 'utf8');
        if (text.trim() === '__DELETE__') rmSync(target, { force: true });
        else {
          mkdirSync(path.dirname(target), { recursive: true });
          writeFileSync(target, text);
        }
      }
    }
  };
  overlay(caseDir, '');
  return dir;
}

const where = (e: { file: string; line: number; column: number }) => `${e.file}:${e.line}:${e.column}`;

const cases = readdirSync(CORPUS)
  .filter((name) => !name.startsWith('_') && existsSync(path.join(CORPUS, name, 'expected.json')))
  .sort()
  .map((name) => ({ name, expected: JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as Expected }));

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the broken-project corpus', () => {
  it('holds at least 40 cases, and its base project has no problems', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const dir = materialize(path.join(CORPUS, '_base'));
    dirs.push(dir);
    const info = await cli(['info', '--json', '-p', dir]);
    expect(info.code, info.err).toBe(0);
    expect(JSON.parse(info.out)).toMatchObject({ errors: [], warnings: [] });
  });

  for (const { name, expected } of cases) {
    it.skipIf(expected.pending_config === true)(`${name}: ${expected.severity} at ${where(expected)}`, async () => {
      const dir = materialize(path.join(CORPUS, name), expected.standalone === true);
      dirs.push(dir);
      const matches = (line: string) => line.startsWith(`${where(expected)}: ${expected.severity}: `) && line.includes(expected.message_includes);

      // pas info: the problem at its place; non-zero for errors.
      const info = await cli(['info', '--json', '-p', dir]);
      const listed: string[] = info.code === 0 || info.out ? (() => { const j = JSON.parse(info.out) as { errors: string[]; warnings: string[] }; return [...j.errors, ...j.warnings]; })() : info.err.split('\n');
      expect(listed.some(matches) || info.err.split('\n').some(matches), `pas info listed:\n${listed.join('\n')}\n${info.err}`).toBe(true);
      if (expected.severity === 'error') {
        expect(info.code).not.toBe(0);
        // pas plan refuses before any test or backfill.
        const plan = await cli(['plan', 'dev', '--auto-apply', '-p', dir]);
        expect(plan.code).not.toBe(0);
        expect(plan.err.split('\n').some(matches), plan.err).toBe(true);
        expect(plan.out).not.toMatch(/Ran \d+ test|Plan applied|\[1\//);
      }

      if (SPAWNED.has(name)) {
        for (const argv of [['info'], ['plan', 'dev', '--auto-apply']]) {
          const run = spawnSync(process.execPath, [BIN, ...argv, '-p', dir], { encoding: 'utf8', timeout: 120_000 });
          expect(run.status, run.stderr).toBe(1);
          expect(`${run.stdout}${run.stderr}`.split('\n').some((l) => matches(l.trim())), run.stdout + run.stderr).toBe(true);
          expect(run.stderr).not.toMatch(/\n\s+at |Error: Error:/);
        }
      }

      // The service lists the same problem; nothing landed in the warehouse or the state.
      const service = await PasService.create({ projectDir: dir });
      try {
        const result = await service.invoke('project.info', {}).then(
          (view) => ({ ok: true as const, view }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        if (result.ok) {
          expect(result.view.diagnostics.some((d) => where(d) === where(expected) && d.severity === expected.severity && d.message.includes(expected.message_includes)), JSON.stringify(result.view.diagnostics, null, 1)).toBe(true);
          expect(result.view.environments).toEqual([]);
        } else {
          expect(String((result.error as Error).message)).toContain(where(expected));
        }
      } finally {
        await service.close();
      }
      const tables = await cli(['fetchdf', "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'pg_catalog') AND table_name NOT LIKE '\\_%' ESCAPE '\\'", '--json', '-p', dir]);
      if (tables.code === 0) expect(JSON.parse(tables.out)).toEqual([{ n: 0 }]);
    });
  }
});

/**
 * The project's problem list kept between processes in `.pas/cache/problems-v1.json`: checking
 * a project (src-main/problems/check.ts) computes the column lineage of every model, ~300 ms of
 * a no-change `pas plan` on 1,000 models, for the same answer as last time when nothing changed.
 * The entry is keyed by everything the check reads: the tool's version, the loaded project (its
 * models, audits, tests, config and variables as plain data), what loading reported, the
 * catalogs, config.yaml's text (linter settings) and each seed file's size and time (a seed's
 * CSV header gives its columns). One entry (the last check); safe to delete; unreadable or
 * foreign files are ignored; written atomically.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import type { Diagnostic } from '../project/diagnostics';
import type { Project } from '../project/project';

const FILE = path.join('.pas', 'cache', 'problems-v1.json');

/** The key of a check of `project`, or undefined when the project is not plain data (then: no cache). */
export function problemsKey(project: Project, loadDiagnostics: readonly Diagnostic[], catalogs: readonly string[]): string | undefined {
  try {
    const seeds: string[] = [];
    for (const model of Object.values(project.models)) {
      if (model.kind.name !== 'SEED') continue;
      try {
        const s = statSync(model.kind.resolvedPath);
        seeds.push(`${model.kind.resolvedPath}\u0000${s.size}\u0000${s.mtimeMs}`);
      } catch {
        seeds.push(`${model.kind.resolvedPath}\u0000missing`);
      }
    }
    let configText = '';
    if (project.config.file) {
      try {
        configText = readFileSync(path.join(project.root, project.config.file), 'utf8');
      } catch {
        configText = '\u0000unreadable';
      }
    }
    return createHash('sha256')
      .update(`${packageJson.version}\u0000${JSON.stringify(project)}\u0000${JSON.stringify(loadDiagnostics)}\u0000${JSON.stringify(catalogs)}\u0000${configText}\u0000${seeds.join('\n')}`)
      .digest('base64url');
  } catch {
    return undefined;
  }
}

/** The problem list last stored for `key` in the project folder, if it is that one. */
export function readProblems(root: string, key: string): Diagnostic[] | undefined {
  try {
    const data = JSON.parse(readFileSync(path.join(root, FILE), 'utf8')) as { key?: unknown; diagnostics?: unknown };
    return data.key === key && Array.isArray(data.diagnostics) ? (data.diagnostics as Diagnostic[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Stores a check's problem list under its key (a read-only project just goes without). */
export function writeProblems(root: string, key: string, diagnostics: readonly Diagnostic[]): void {
  const file = path.join(root, FILE);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ key, diagnostics }));
    renameSync(temp, file);
  } catch {
    // No cache: the next check computes the list again.
  }
}

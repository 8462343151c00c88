/**
 * Every `pas` command: how it is run, its usage line, what it does, and a line of text for each
 * option it accepts. `pas COMMAND --help` and `pas help COMMAND` print from here; a test checks
 * that every option a command parses has its line.
 */
import type { ParseArgsConfig } from 'node:util';
import type { CommandIo } from './args';
import { auditCommand, auditOptions } from './commands/audit';
import { createExternalModelsCommand, createExternalModelsOptions } from './commands/create-external-models';
import { fetchdfCommand, fetchdfOptions } from './commands/fetchdf';
import { dagCommand, infoCommand, infoOptions } from './commands/info';
import { ingestCommand, ingestOptions, pipelineCommand, pipelineOptions } from './commands/ingest';
import { invalidateCommand, invalidateOptions, janitorCommand, janitorOptions } from './commands/janitor';
import { lakeCommand, lakeOptions } from './commands/lake';
import { lineageCommand, lineageOptions } from './commands/lineage';
import { planCommand, planOptions } from './commands/plan';
import { evaluateCommand, evaluateOptions, renderCommand, renderOptions } from './commands/render';
import { runCommand, runOptions } from './commands/run';
import { serveCommand, serveOptions } from './commands/serve';
import { tableDiffCommand, tableDiffOptions } from './commands/table-diff';
import { testCommand, testOptions } from './commands/test';

export interface CommandSpec {
  run: (argv: string[], io: CommandIo) => Promise<number>;
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** One line per option, keyed by the option's long name. */
  help: Record<string, string>;
}

const PROJECT = 'the project folder (default: the nearest folder holding config.yaml, from here up)';
const JSON_OUT = 'print one JSON document (snake_case keys) instead of text';

export const commands: Record<string, CommandSpec> = {
  ingest: {
    run: ingestCommand,
    usage: 'ingest PIPELINE [--json]',
    summary: 'load a pipeline (pipelines/PIPELINE.yaml) into the lake; progress on stderr',
    options: ingestOptions,
    help: { project: PROJECT, json: JSON_OUT },
  },
  pipeline: {
    run: pipelineCommand,
    usage: 'pipeline info|drop PIPELINE [--json] [--drop-tables] [--yes]',
    summary: "show a pipeline's loads, cursors and schema (info), or reset its state (drop)",
    options: pipelineOptions,
    help: { project: PROJECT, json: JSON_OUT, yes: 'drop without asking', 'drop-tables': "drop: also drop the pipeline's tables" },
  },
  plan: {
    run: planCommand,
    usage: 'plan [ENV] [--start D] [--end D] [--auto-apply] [--skip-tests] [--forward-only] [--restate-model M]... [--json]',
    summary: 'compare the project with an environment (default prod), show the changes and backfills, and apply them',
    options: planOptions,
    help: {
      project: PROJECT,
      start: 'backfill from this date or time',
      end: 'backfill up to this date or time',
      'auto-apply': 'apply without asking',
      'skip-tests': 'do not run the model unit tests first',
      'forward-only': 'keep existing tables: changes apply to new intervals only',
      'restate-model': 'recompute this model (repeatable)',
      'execution-time': 'plan as of this time instead of now (e.g. 2024-01-05T12:00:00Z)',
      unlock: "remove ENV's plan lock whoever holds it (says what that risks), then stop",
      json: JSON_OUT,
    },
  },
  run: {
    run: runCommand,
    usage: 'run [ENV] [--skip-janitor] [--json]',
    summary: 'run the janitor, then evaluate the models whose cron has elapsed',
    options: runOptions,
    help: { project: PROJECT, json: JSON_OUT, 'execution-time': 'run as of this time instead of now', 'skip-janitor': 'do not run the janitor first' },
  },
  render: {
    run: renderCommand,
    usage: 'render MODEL [--start D] [--end D]',
    summary: "print a SQL model's rendered SQL",
    options: renderOptions,
    help: { project: PROJECT, start: 'render for an interval starting here (@start_date)', end: 'render for an interval ending here (@end_date)' },
  },
  evaluate: {
    run: evaluateCommand,
    usage: 'evaluate MODEL [--start D] [--end D] [--limit N] [--json|--csv]',
    summary: 'run a model (SQL or TypeScript), reading upstream models from prod, and print its rows',
    options: evaluateOptions,
    help: {
      project: PROJECT,
      start: 'evaluate for an interval starting here',
      end: 'evaluate for an interval ending here',
      limit: 'print at most N rows (default 100)',
      json: 'print the rows as a JSON array',
      csv: 'print the rows as CSV',
    },
  },
  test: { run: testCommand, usage: 'test [PATTERN] [--json]', summary: 'run the model unit tests (tests/*.yaml), those matching PATTERN', options: testOptions, help: { project: PROJECT, json: JSON_OUT } },
  audit: { run: auditCommand, usage: 'audit [MODEL] [--json]', summary: "run models' audits against the tables prod points at", options: auditOptions, help: { project: PROJECT, json: JSON_OUT } },
  info: { run: infoCommand, usage: 'info [--json]', summary: 'project summary: models, audits, tests, environments, errors', options: infoOptions, help: { project: PROJECT, json: JSON_OUT } },
  dag: { run: dagCommand, usage: 'dag [--json]', summary: 'models and their dependencies', options: infoOptions, help: { project: PROJECT, json: JSON_OUT } },
  lineage: {
    run: lineageCommand,
    usage: 'lineage MODEL [COLUMN] [--upstream|--downstream] [--depth N] [--json] | lineage --all [--json]',
    summary: "where a column's values come from and what uses it",
    options: lineageOptions,
    help: {
      project: PROJECT,
      upstream: 'only where the values come from',
      downstream: 'only what uses the column',
      depth: 'follow columns N hops (default 1: the direct ones; --downstream alone: every hop)',
      all: 'every column of every model',
      json: JSON_OUT,
    },
  },
  'table-diff': {
    run: tableDiffCommand,
    usage: 'table-diff ENV1:ENV2 MODEL [--json]',
    summary: "how a model's table differs between two environments: schema and rows",
    options: tableDiffOptions,
    help: { project: PROJECT, json: JSON_OUT },
  },
  'create-external-models': {
    run: createExternalModelsCommand,
    usage: 'create-external-models',
    summary: 'update external_models.yaml with the columns the warehouse holds (entries it cannot re-derive are kept)',
    options: createExternalModelsOptions,
    help: { project: PROJECT },
  },
  lake: {
    run: lakeCommand,
    usage: 'lake snapshots|tables|expire|cleanup [--json]',
    summary: "the project's DuckLake lake: list snapshots or tables, expire snapshots, remove unused files",
    options: lakeOptions,
    help: {
      project: PROJECT,
      json: JSON_OUT,
      'older-than': 'expire: snapshots older than an age (7d, 12h) or a time',
      'keep-last': 'expire: keep the newest N snapshots',
      'dry-run': 'expire, cleanup: say what would be done, do nothing',
      'orphan-min-age': 'cleanup: only remove unreferenced files older than this age (e.g. 1h, 0s)',
    },
  },
  janitor: {
    run: janitorCommand,
    usage: 'janitor [--ignore-ttl] [--json]',
    summary: 'drop expired environments and tables nothing uses',
    options: janitorOptions,
    help: { project: PROJECT, 'ignore-ttl': 'drop every environment table no environment uses, expired or not', json: JSON_OUT },
  },
  invalidate: { run: invalidateCommand, usage: 'invalidate ENV', summary: 'expire an environment; the next janitor removes it', options: invalidateOptions, help: { project: PROJECT } },
  fetchdf: {
    run: fetchdfCommand,
    usage: 'fetchdf "SQL" [--json|--csv]',
    summary: 'run a query on the warehouse (marts.x is prod, marts__dev.x is dev) and print its rows',
    options: fetchdfOptions,
    help: { project: PROJECT, json: 'print the rows as a JSON array', csv: 'print the rows as CSV' },
  },
  serve: {
    run: serveCommand,
    usage: 'serve [--port N] [--allow DIR]... [--open]',
    summary: 'open the app in a browser (127.0.0.1 only); pas commands then go through it',
    options: serveOptions,
    help: {
      project: PROJECT,
      port: 'listen on this port (default: a free one)',
      allow: "let the browser open the projects in this folder and below (repeatable; the first project's folder is always allowed)",
      open: 'open the app in a local Chromium window or the system browser',
    },
  },
};

/** What a string option's value is, as its help shows it. */
const PLACEHOLDERS: Record<string, string> = {
  project: 'DIR',
  allow: 'DIR',
  port: 'N',
  limit: 'N',
  depth: 'N',
  'keep-last': 'N',
  start: 'DATE',
  end: 'DATE',
  'execution-time': 'TIME',
  'restate-model': 'MODEL',
  'older-than': 'AGE|TIME',
  'orphan-min-age': 'AGE',
};

/** `pas COMMAND --help`. */
export function commandHelp(name: string, spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(([long, option]) => {
    const value = option.type === 'string' ? ` ${PLACEHOLDERS[long] ?? 'VALUE'}` : '';
    return { flag: `${option.short ? `-${option.short}, ` : '    '}--${long}${value}`, text: spec.help[long] ?? '' };
  });
  flags.push({ flag: '-h, --help', text: 'show this help' });
  const width = Math.max(...flags.map((f) => f.flag.length));
  return `Usage: pas ${spec.usage}\n\n${spec.summary[0]?.toUpperCase()}${spec.summary.slice(1)}.\n\nOptions:\n${flags.map((f) => `  ${f.flag.padEnd(width)}  ${f.text}`).join('\n')}\n`;
}

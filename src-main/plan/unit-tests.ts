/**
 * Model unit tests (SQLMesh's `tests/*.yaml`): each test builds its input tables from the
 * given rows in a fresh in-memory DuckDB (never touching real data), runs the model's query
 * (or one of its CTEs) there, and compares the rows with the expected ones, ignoring row order.
 * A failure carries a readable unified diff of expected vs actual rows.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createTwoFilesPatch } from 'diff';
import { cellConverter } from '../duck/values';
import type { Project } from '../project/project';
import type { ModelTest, ModelTestOutput, TestRow } from '../project/model-tests';
import { modelRuntimeError } from './model-errors';
import { renderModel } from '../project/render/render-model';
import { toMillis } from '../project/render/time-vars';
import type { SqlParser } from '../sql/parse';
import { quoteIdentifier } from './warehouse';

export interface TestFailure {
  test: string;
  file: string;
  line: number;
  message: string;
  diff?: string;
}

export interface TestReport {
  passed: string[];
  failed: TestFailure[];
  elapsedMs: number;
}

function qualified(name: string): { schema?: string; table: string; sql: string } {
  const parts = name.split('.');
  const table = parts.pop() ?? name;
  const schema = parts.pop();
  return { ...(schema ? { schema } : {}), table, sql: [schema, table].filter(Boolean).map((p) => quoteIdentifier(p as string)).join('.') };
}

async function createInput(connection: DuckDBConnection, dir: string, name: string, input: ModelTest['inputs'][string], index: number): Promise<void> {
  const target = qualified(name);
  if (target.schema) await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(target.schema)}`);
  if (input.query) {
    await connection.run(`CREATE TABLE ${target.sql} AS ${input.query}`);
    return;
  }
  const columns = input.columns
    ? `, columns = {${Object.entries(input.columns).map(([c, t]) => `'${c.replace(/'/g, "''")}': '${t.replace(/'/g, "''")}'`).join(', ')}}`
    : '';
  if (input.rows.length === 0) {
    if (!input.columns) throw new Error(`input ${name} has no rows and no columns: give its columns`);
    const defs = Object.entries(input.columns).map(([c, t]) => `${quoteIdentifier(c)} ${t}`).join(', ');
    await connection.run(`CREATE TABLE ${target.sql} (${defs})`);
    return;
  }
  const file = path.join(dir, `input-${index}.ndjson`);
  await writeFile(file, input.rows.map((r) => JSON.stringify(r)).join('\n'));
  await connection.run(`CREATE TABLE ${target.sql} AS SELECT * FROM read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited'${columns})`);
}

async function rowsOf(connection: DuckDBConnection, sql: string): Promise<TestRow[]> {
  const reader = await connection.runAndReadAll(sql);
  const names = reader.columnNames();
  const types = reader.columnTypes();
  return reader.getRows().map((row) => Object.fromEntries(row.map((value, i) => [names[i] ?? String(i), cellConverter(value, types[i]!, cellConverter)])));
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d\d(?::?\d\d)?)?$/;

/** One comparable form for a value, so YAML's `1`, `'1'`, `2024-01-01 00:00:00` meet DuckDB's. */
function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number(value.toPrecision(12));
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const ts = TIMESTAMP.exec(value);
    if (ts) {
      const fraction = (ts[4] ?? '').replace(/0+$/, '').replace(/^\.$/, '');
      return `${ts[1]} ${ts[2]}:${ts[3] ?? '00'}${fraction}`;
    }
    if (/^-?\d+(\.\d+)?$/.test(value)) return normalize(Number(value));
    return value;
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Date) return normalize(value.toISOString());
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
}

function rowLines(rows: TestRow[], columns: string[] | undefined): string[] {
  return rows
    .map((row) => {
      const keys = columns ?? Object.keys(row);
      return `{${keys.map((k) => `${k}: ${JSON.stringify(normalize(row[k]))}`).join(', ')}}`;
    })
    .sort();
}

function compare(test: ModelTest, what: string, expected: ModelTestOutput, actual: TestRow[]): TestFailure | undefined {
  const columns = expected.partial ? [...new Set(expected.rows.flatMap((r) => Object.keys(r)))] : undefined;
  const want = rowLines(expected.rows, columns);
  const got = rowLines(actual, columns ?? (expected.rows[0] ? [...new Set([...Object.keys(expected.rows[0]), ...Object.keys(actual[0] ?? {})])] : undefined));
  if (want.join('\n') === got.join('\n')) return undefined;
  const patch = createTwoFilesPatch('expected', 'actual', `${want.join('\n')}\n`, `${got.join('\n')}\n`, undefined, undefined, { context: 2 });
  return {
    test: test.name,
    file: test.file,
    line: test.range.start.line,
    message: `${test.name}: ${what} differs from what the test expects (${want.length} expected rows, ${got.length} actual)`,
    diff: patch.split('\n').slice(2).join('\n'),
  };
}

/** SQL selecting one CTE of a query, built on DuckDB's own tree: the CTEs stay, the body becomes `SELECT * FROM cte`. */
async function cteQuery(parser: SqlParser, query: string, cte: string): Promise<string> {
  const parsed = await parser.parse(query);
  if (!parsed.ok || !parsed.statements[0]) throw new Error(`the model query does not parse: ${parsed.ok ? 'empty' : parsed.message}`);
  const statement = structuredClone(parsed.statements[0]);
  const node = statement.node as unknown as Record<string, unknown>;
  const cteMap = node.cte_map;
  const select = await parser.parse(`SELECT * FROM ${quoteIdentifier(cte)}`);
  if (!select.ok || !select.statements[0]) throw new Error(`cannot select CTE ${cte}`);
  const body = select.statements[0].node as unknown as Record<string, unknown>;
  body.cte_map = cteMap;
  return parser.deserialize([select.statements[0]]);
}

export async function runModelTests(project: Project, parser: SqlParser, pattern?: string): Promise<TestReport> {
  const started = performance.now();
  const report: TestReport = { passed: [], failed: [], elapsedMs: 0 };
  const tests = project.tests.filter((t) => !pattern || t.name.includes(pattern) || t.file.includes(pattern));
  for (const test of tests) {
    const failure = await runOne(project, parser, test).catch((error: unknown) => ({
      test: test.name,
      file: test.file,
      line: test.range.start.line,
      message: `${test.name}: ${testErrorMessage(project, test.model, error)}`,
    }));
    if (failure) report.failed.push(failure);
    else report.passed.push(test.name);
  }
  report.elapsedMs = performance.now() - started;
  return report;
}

async function runOne(project: Project, parser: SqlParser, test: ModelTest): Promise<TestFailure | undefined> {
  const model = project.models[test.model.toLowerCase()];
  if (!model) return { test: test.name, file: test.file, line: test.range.start.line, message: `${test.name}: model ${test.model} is not in the project` };
  if (model.source !== 'sql') return { test: test.name, file: test.file, line: test.range.start.line, message: `${test.name}: only SQL models can be unit-tested for now (${test.model} is ${model.source})` };
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const dir = await mkdtemp(path.join(tmpdir(), 'pas-test-'));
  try {
    let index = 0;
    for (const [name, input] of Object.entries(test.inputs)) await createInput(connection, dir, name, input, index++);
    const vars = test.vars;
    const start = vars.start ?? model.start ?? project.config.modelDefaults?.start ?? '1970-01-01';
    const rendered = renderModel(model, {
      start: toMillis(start as string),
      ...(vars.end !== undefined ? { end: vars.end as string } : {}),
      executionTime: vars.execution_time !== undefined ? toMillis(vars.execution_time as string) : Date.now(),
      variables: { ...project.variables, ...vars },
      runtimeStage: 'testing',
    });
    if (rendered.diagnostics.length > 0 || !rendered.query) {
      throw new Error(rendered.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('; ') || 'the model has no query');
    }
    for (const [cte, expected] of Object.entries(test.outputs.ctes)) {
      const failure = compare(test, `CTE ${cte}`, expected, await rowsOf(connection, await cteQuery(parser, rendered.query, cte)));
      if (failure) return failure;
    }
    if (test.outputs.query) {
      const sql = test.outputs.query.query ?? rendered.query;
      return compare(test, 'the query output', test.outputs.query, await rowsOf(connection, sql));
    }
    return undefined;
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatTestReport(report: TestReport): string {
  const total = report.passed.length + report.failed.length;
  const lines = [
    '======================================================================',
    report.failed.length === 0
      ? `Successfully Ran ${total} test${total === 1 ? '' : 's'} against duckdb`
      : `Ran ${total} test${total === 1 ? '' : 's'} against duckdb: ${report.failed.length} failed`,
    '----------------------------------------------------------------------',
  ];
  for (const failure of report.failed) {
    lines.push(`FAIL ${failure.file}:${failure.line} ${failure.message}`);
    if (failure.diff) lines.push(failure.diff);
  }
  return `${lines.join('\n')}\n`;
}

/** An error while running a test's model SQL, named after the model's file and line, not only the test's. */
function testErrorMessage(project: Project, modelName: string, error: unknown): string {
  const model = project.models[modelName.toLowerCase()];
  if (!model || model.source !== 'sql') return error instanceof Error ? error.message : String(error);
  const raw = error instanceof Error ? error.message : String(error);
  if (!/^[A-Za-z ]+ Error: /.test(raw)) return raw;
  const rendered = renderModel(model, { runtimeStage: 'testing', variables: project.variables });
  const named = modelRuntimeError(model, 'testing', error, rendered.query !== undefined ? { rendered: rendered.query, ...(rendered.queryMap ? { map: rendered.queryMap } : {}) } : undefined);
  return named instanceof Error ? named.message : raw;
}

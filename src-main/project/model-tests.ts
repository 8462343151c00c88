/**
 * Model unit tests in SQLMesh's YAML format (`tests/test*.yaml`): each top-level key is a test
 * with `model`, `inputs` (rows, CSV text, a query or a file), `outputs` (`query` and/or `ctes`,
 * optionally partial) and `vars`. Parsed and validated into typed objects; running them is
 * later work.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Diagnostics, SourceRange } from './diagnostics';
import type { ProjectEnv } from './env';
import { csvToRows } from './csv';
import { YamlSource } from './yaml-source';

export type TestRow = Record<string, unknown>;

export interface ModelTestInput {
  rows: TestRow[];
  /** Column types to give the fixture (`columns: {id: INT}`). */
  columns?: Record<string, string>;
  /** A query that produces the fixture instead of rows. */
  query?: string;
  /** Absolute path of a YAML/CSV file holding the rows, to be read by the runner. */
  path?: string;
}

export interface ModelTestOutput {
  rows: TestRow[];
  /** Only the listed columns are compared. */
  partial: boolean;
  query?: string;
}

export interface ModelTest {
  name: string;
  /** Project-relative file. */
  file: string;
  range: SourceRange;
  model: string;
  description?: string;
  schema?: string;
  gateway?: string;
  /** Upstream model/table name → fixture. */
  inputs: Record<string, ModelTestInput>;
  outputs: {
    query?: ModelTestOutput;
    ctes: Record<string, ModelTestOutput>;
  };
  /** `start`, `end`, `execution_time` and other macro variables. */
  vars: Record<string, unknown>;
  /** Where the test names things, for problems: each input's key, and each column key of the first row of an input or of the expected query output. */
  positions?: {
    inputs: Record<string, SourceRange>;
    columns: Array<{ in: 'input' | 'output'; table: string; column: string; range: SourceRange }>;
  };
}

const rows = z.array(z.record(z.string(), z.unknown()));
const csvSettings = z.object({ delimiter: z.string().optional(), quotechar: z.string().optional() }).loose();
const inputSchema = z.union([
  rows,
  z.object({
    rows: z.union([rows, z.string()]).optional(),
    format: z.enum(['yaml', 'csv']).optional(),
    csv_settings: csvSettings.optional(),
    columns: z.record(z.string(), z.string()).optional(),
    query: z.string().optional(),
    path: z.string().optional(),
  }),
]);
const outputSchema = z.union([
  rows,
  z.object({
    rows: z.union([rows, z.string()]).optional(),
    format: z.enum(['yaml', 'csv']).optional(),
    partial: z.boolean().optional(),
    query: z.string().optional(),
  }),
]);
const testSchema = z.object({
  model: z.string(),
  description: z.string().optional(),
  schema: z.string().optional(),
  gateway: z.string().optional(),
  inputs: z.record(z.string(), inputSchema).optional(),
  outputs: z.object({
    query: outputSchema.optional(),
    ctes: z.record(z.string(), outputSchema).optional(),
    partial: z.boolean().optional(),
  }),
  vars: z.record(z.string(), z.unknown()).optional(),
});
const TEST_KEYS = new Set(Object.keys(testSchema.shape));

function toRows(value: TestRow[] | string | undefined, format: string | undefined, delimiter?: string): TestRow[] {
  if (value === undefined) return [];
  // A string of rows is CSV text (SQLMesh's `format: csv`), whatever `format` says.
  void format;
  if (typeof value === 'string') return csvToRows(value, delimiter ? { delimiter } : {});
  return value;
}

/** Parses one tests file; `root` resolves `path` inputs. */
export function parseModelTests(file: string, text: string, root: string, env: ProjectEnv, diagnostics: Diagnostics): ModelTest[] {
  const source = new YamlSource(file, text, env, diagnostics);
  const value = source.value;
  if (source.doc.errors.length > 0 || value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) {
    diagnostics.error(file, source.rangeAt([]), 'test.invalid', 'A tests file must be a mapping of test name → test');
    return [];
  }
  const tests: ModelTest[] = [];
  for (const [name, body] of Object.entries(value as Record<string, unknown>)) {
    const parsed = testSchema.safeParse(body);
    if (!parsed.success) {
      source.reportIssues(parsed.error.issues, 'test.invalid', [name]);
      continue;
    }
    source.warnUnknownKeys([name], TEST_KEYS, `test '${name}'`, 'test.unknown_key');
    const t = parsed.data;
    const inputs: Record<string, ModelTestInput> = {};
    for (const [table, input] of Object.entries(t.inputs ?? {})) {
      if (Array.isArray(input)) {
        inputs[table] = { rows: input };
        continue;
      }
      inputs[table] = {
        rows: toRows(input.rows, input.format, input.csv_settings?.delimiter),
        ...(input.columns ? { columns: input.columns } : {}),
        ...(input.query !== undefined ? { query: input.query } : {}),
        ...(input.path !== undefined ? { path: resolve(root, input.path) } : {}),
      };
    }
    const toOutput = (o: z.infer<typeof outputSchema>): ModelTestOutput =>
      Array.isArray(o)
        ? { rows: o, partial: t.outputs.partial ?? false }
        : {
            rows: toRows(o.rows, o.format),
            partial: o.partial ?? t.outputs.partial ?? false,
            ...(o.query !== undefined ? { query: o.query } : {}),
          };
    const ctes: Record<string, ModelTestOutput> = {};
    for (const [cte, o] of Object.entries(t.outputs.ctes ?? {})) ctes[cte] = toOutput(o);
    if (!t.outputs.query && Object.keys(ctes).length === 0) {
      diagnostics.error(file, source.rangeAt([name, 'outputs']), 'test.no_outputs', `Test '${name}' has no expected outputs (outputs.query or outputs.ctes)`);
    }
    const positions: NonNullable<ModelTest['positions']> = { inputs: {}, columns: [] };
    const firstRowColumns = (path: (string | number)[], value: unknown, where: 'input' | 'output', table: string): void => {
      const rowsPath = Array.isArray(value) ? [...path, 0] : [...path, 'rows', 0];
      const first = (Array.isArray(value) ? value[0] : Array.isArray((value as { rows?: unknown } | undefined)?.rows) ? ((value as { rows: unknown[] }).rows[0]) : undefined) as Record<string, unknown> | undefined;
      for (const column of Object.keys(first ?? {})) positions.columns.push({ in: where, table, column, range: source.keyRange(rowsPath, column) });
    };
    for (const [table, input] of Object.entries(t.inputs ?? {})) {
      positions.inputs[table] = source.keyRange([name, 'inputs'], table);
      firstRowColumns([name, 'inputs', table], input, 'input', table);
    }
    if (t.outputs.query) firstRowColumns([name, 'outputs', 'query'], t.outputs.query, 'output', t.model);
    tests.push({
      name,
      file,
      range: source.keyRange([], name),
      positions,
      model: t.model,
      ...(t.description !== undefined ? { description: t.description } : {}),
      ...(t.schema !== undefined ? { schema: t.schema } : {}),
      ...(t.gateway !== undefined ? { gateway: t.gateway } : {}),
      inputs,
      outputs: { ...(t.outputs.query ? { query: toOutput(t.outputs.query) } : {}), ctes },
      vars: t.vars ?? {},
    });
  }
  return tests;
}

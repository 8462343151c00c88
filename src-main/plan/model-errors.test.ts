import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main';
import { createTestProject } from './test-project';

const EXECUTION = ['--execution-time', '2024-01-05T12:00:00Z'];

/** raw.events is a warehouse table the project declares no columns for: only running the query finds the misspelt column. */
const BAD = `MODEL (
  name marts.bad,
  kind INCREMENTAL_BY_TIME_RANGE (time_column ts)
);

SELECT
  id,
  ts::TIMESTAMP AS ts
FROM raw.events
WHERE ts::TIMESTAMP BETWEEN @start_ts AND @end_ts AND amout IS NOT NULL
`;

async function pas(argv: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const sink = () => new Writable({ write: (c: Buffer | string, _e, done) => (chunks.push(String(c)), done()) });
  const code = await main(argv, { stdout: new Writable({ write: (_c, _e, done) => done() }), stderr: sink(), signal: new AbortController().signal });
  return { code, stderr: chunks.join('') };
}

describe('an error while evaluating a model', () => {
  it('names the model, its file and the line and column in that file, past the macros, on one line', async () => {
    const root = await createTestProject({ 'models/marts/bad.sql': BAD });
    const result = await pas(['plan', '--auto-apply', '--skip-tests', '-p', root, ...EXECUTION]);
    expect(result.code).toBe(1);
    // Line 10 of the file; `amout` stands at column 55 there (the rendered line is much longer).
    expect(result.stderr).toMatch(/^Error: models\/marts\/bad\.sql:10:55: marts\.bad failed while (creating its table|evaluating): Binder Error: Referenced column "amout" not found/m);
    expect(result.stderr).not.toMatch(/Error: Error:|\n\s+at /);
  });
});

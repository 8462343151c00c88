import { afterEach, describe, expect, it } from 'vitest';
import { Diagnostics } from './diagnostics';
import { loadProjectEnv, substituteEnvVars } from './env';
import { writeTempProject, type TempProject } from './test-project';

let project: TempProject | undefined;
afterEach(async () => {
  await project?.remove();
  project = undefined;
});

describe('env_var substitution', () => {
  it('replaces env_var with the variable, and uses the default only when the variable is missing', () => {
    const d = new Diagnostics();
    const out = substituteEnvVars(
      "a: {{ env_var('A') }}\nb: \"{{ env_var('B', 'fallback') }}\"\nc: {{ env_var(\"A\", 'unused') }}\n",
      'config.yaml',
      { A: 'alpha' },
      d,
    );
    expect(out.text).toBe('a: alpha\nb: "fallback"\nc: alpha\n');
    expect(d.items).toEqual([]);
  });

  it('reports a missing variable without default with file, line, column and the variable name', () => {
    const d = new Diagnostics();
    substituteEnvVars("gateways:\n  password: {{ env_var('PG_PASSWORD') }}\n", 'config.yaml', {}, d);
    expect(d.items).toHaveLength(1);
    expect(d.items[0]).toMatchObject({ file: 'config.yaml', line: 2, column: 13, severity: 'error', code: 'env.missing_variable' });
    expect(d.items[0]?.message).toContain('PG_PASSWORD');
  });

  it('maps offsets after a substitution back to the original text', () => {
    const d = new Diagnostics();
    const original = "x: {{ env_var('LONG_NAME') }} tail";
    const out = substituteEnvVars(original, 'f.yaml', { LONG_NAME: 'v' }, d);
    const tail = out.text.indexOf('tail');
    expect(original.slice(out.originalOffset(tail), out.originalOffset(tail) + 4)).toBe('tail');
  });

  it('reads the project .env under the real environment (the real environment wins)', async () => {
    project = await writeTempProject({ '.env': 'FROM_FILE=file\nBOTH=file\n' });
    const env = await loadProjectEnv(project.dir, { BOTH: 'real' });
    expect(env['FROM_FILE']).toBe('file');
    expect(env['BOTH']).toBe('real');
  });
});

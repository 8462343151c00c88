import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function messages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('layer rules', () => {
  it('refuse Electron in the engine', async () => {
    expect((await messages('src-main/duck/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).join()).toMatch(/Only src-main\/desktop/);
  });

  it('allow Electron in the desktop entry', async () => {
    expect(await messages('src-main/desktop/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
  });

  it('refuse engine and Node imports in the renderer', async () => {
    const found = await messages('src-renderer/x.ts', "import { PasService } from '../src-main/service/service';\nimport fs from 'node:fs';\nexport const a = [PasService, fs];\n");
    expect(found).toHaveLength(2);
  });

  it('keep the shared contract free of engine imports', async () => {
    expect(await messages('src-shared/x.ts', "import { DuckEngine } from '../src-main/duck/engine';\nexport const a = DuckEngine;\n")).toHaveLength(1);
  });
});

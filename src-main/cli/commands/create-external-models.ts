/**
 * `pas create-external-models`: writes `external_models.yaml` with the columns of every table
 * the models read that is not itself a model, as the warehouse reports them.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { withWorkspace } from '../workspace';

export async function createExternalModelsCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs('create-external-models', argv, { project: { type: 'string', short: 'p' } });
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const graph = await ws.graph();
    const sources = [...new Set([...graph.nodes.values()].flatMap((n) => n.sources))].sort();
    const entries = [];
    const missing: string[] = [];
    for (const name of sources) {
      const parts = name.split('.');
      const table = parts.pop() ?? name;
      const schema = parts.pop() ?? 'main';
      const columns = await ws.warehouse.columns({ schema, table });
      if (columns.length === 0) missing.push(name);
      else entries.push({ name, columns: Object.fromEntries(columns.map((c) => [c.name, c.type])) });
    }
    const file = path.join(ws.project.root, 'external_models.yaml');
    await writeFile(file, stringify(entries));
    await write(io.stdout, `Wrote ${entries.length} external model(s) to ${file}\n`);
    if (missing.length > 0) io.stderr.write(`Not found in the warehouse (load them first): ${missing.join(', ')}\n`);
    return 0;
  });
}

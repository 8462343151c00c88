/**
 * `pas create-external-models`: updates `external_models.yaml` with the columns of every table
 * the models read that is not itself a model, as the warehouse reports them. Entries already in
 * the file keep their other fields and comments; an entry that cannot be re-derived (its table
 * is not loaded) is kept as it is.
 */
import { parseCommandArgs, type CommandIo } from '../args';
import { withClient } from '../connect';
import { write } from '../output';

export const createExternalModelsOptions = { project: { type: 'string', short: 'p' } } as const;

export async function createExternalModelsCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs('create-external-models', argv, createExternalModelsOptions);
  return withClient({ project: values.project }, async (client) => {
    const result = await client.invoke('project.createExternalModels', {});
    await write(io.stdout, `Wrote ${result.written.length} external model(s) to ${result.file}${result.kept.length ? ` (kept ${result.kept.length} not found in the warehouse as they were: ${result.kept.join(', ')})` : ''}\n`);
    if (result.missing.length > 0) io.stderr.write(`Not found in the warehouse (load them first): ${result.missing.join(', ')}\n`);
    return 0;
  });
}

import { describe, expect, it, vi } from 'vitest';
import { createTestProject } from '../plan/test-project';
import { Workspace } from '../plan/workspace';
import { PasService } from './service';

async function currentDatabase(service: PasService): Promise<unknown> {
  const handle = await service.invoke('query.run', { sql: 'select current_database() as db' });
  return (await service.invoke('query.page', { resultId: handle.resultId, offset: 0, limit: 1 })).columns[0]?.[0];
}

describe('a service that opens its project in the background', () => {
  it("is ready before the project has opened, and its first query still runs against the project's warehouse", async () => {
    // A project of its own: the repository's example is open in other test files at the same time.
    const projectDir = await createTestProject({}, { kind: 'lake-local' });
    const waited = await PasService.create({ projectDir });
    const expected = await currentDatabase(waited);
    await waited.close();
    expect(expected).not.toBe('memory');

    // Hold the project's opening until the service has been created.
    const open = Workspace.open.bind(Workspace);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const spy = vi.spyOn(Workspace, 'open').mockImplementation(async (...args) => {
      await held;
      return open(...args);
    });
    try {
      const background = await PasService.create({ projectDir, openInBackground: true });
      const first = currentDatabase(background);
      release();
      expect(await first).toBe(expected);
      await background.close();
    } finally {
      release();
      spy.mockRestore();
    }
  });
});

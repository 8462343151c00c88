/**
 * Test/bench support: the local Socrata server in its own process, serving pre-rendered offset
 * pages of generated collision records, so a benchmark measures the pipeline's CPU and memory
 * without the server's. Started with `startSocrataServerProcess`; the child reports its URL over
 * IPC and exits when the parent disconnects.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateCollisions, type CollisionRecord } from './collisions';
import { pageQuery, render, startSocrataServer } from './socrata-server';

export interface ServerProcess {
  baseUrl: string;
  /** Bytes of JSON the pages hold. */
  servedBytes: number;
  stop(): Promise<void>;
}

interface Ready {
  baseUrl: string;
  servedBytes: number;
}

export interface ServerProcessOptions {
  rows: number;
  pageSize: number;
  seed?: number;
  startDate?: string;
  endDate?: string;
  /** Also serve the pages under this `$where` (as a pipeline with it asks; the rows are the same). */
  where?: string;
}

export function startSocrataServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`socrata server process exited with ${code}`)));
    child.once('message', (message) => {
      const ready = message as Ready;
      resolve({
        ...ready,
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.disconnect();
          }),
      });
    });
  });
}

async function main(options: ServerProcessOptions): Promise<void> {
  const pages = new Map<string, Buffer>();
  let servedBytes = 0;
  let batch: CollisionRecord[] = [];
  let offset = 0;
  const flush = (): void => {
    const body = Buffer.from(render(batch));
    pages.set(pageQuery(offset, options.pageSize), body);
    if (options.where !== undefined) pages.set(pageQuery(offset, options.pageSize, ':id', options.where), body);
    servedBytes += body.length;
    offset += options.pageSize;
    batch = [];
  };
  for (const record of generateCollisions({ count: options.rows, seed: options.seed ?? 1, startDate: options.startDate ?? '2012-07-01', endDate: options.endDate ?? '2024-03-31' })) {
    batch.push(record);
    if (batch.length === options.pageSize) flush();
  }
  flush();
  const server = await startSocrataServer({ pages });
  process.send?.({ baseUrl: server.baseUrl, servedBytes } satisfies Ready);
  process.once('disconnect', () => void server.stop().then(() => process.exit(0)));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  void main(JSON.parse(process.argv[2] ?? '{}') as ServerProcessOptions);
}

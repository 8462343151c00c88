/** Reading a whole (small) result as JSON-safe row objects on a connection, cancellable. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rowObjects } from './values';
import type { Cell } from '../../src-shared/values';

export async function readRows(connection: DuckDBConnection, sql: string, signal?: AbortSignal): Promise<Record<string, Cell>[]> {
  const stop = () => connection.interrupt();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    return rowObjects(await connection.runAndReadAll(sql));
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

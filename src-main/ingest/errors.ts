/**
 * Ingestion failures as contract errors: HTTP failures (with the masked URL, status and a body
 * excerpt), malformed responses and files, and cancellation. All are `PasException`s.
 */
import { PasException } from '../../src-shared/errors';

export interface HttpFailure {
  /** URL with secrets masked. */
  url: string;
  status?: number;
  /** First characters of the response body, secrets masked. */
  bodyExcerpt?: string;
  attempts: number;
}

export class IngestError extends PasException {
  constructor(
    message: string,
    readonly http?: HttpFailure,
  ) {
    super({ code: 'internal', message });
    this.name = 'IngestError';
  }
}

export function cancelled(message = 'The load was cancelled.'): PasException {
  return new PasException({ code: 'cancelled', message });
}

/** Throws a `cancelled` PasException when the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

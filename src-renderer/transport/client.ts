/**
 * The renderer's typed client of the contract. It talks to whichever bridge the app started
 * with (Electron's preload on `window.pas`, or the web mode's WebSocket) and never knows which.
 * Every call gets a request id; aborting the signal sends `cancel` for that id.
 */
import type { EventPayloads, MethodName, MethodParams, MethodResult, TopicName } from '../../src-shared/contract';
import { PasException } from '../../src-shared/errors';
import type { PasBridge } from '../../src-shared/protocol';
import { createWebSocketBridge } from './websocket';

declare global {
  interface Window {
    pas?: PasBridge;
  }
}

let counter = 0;
function nextId(): string {
  counter += 1;
  return `r${Date.now().toString(36)}-${counter}`;
}

export class Client {
  constructor(private readonly bridge: PasBridge) {}

  /** Resolves with the result or rejects with a PasException carrying the PasError. */
  async invoke<M extends MethodName>(
    method: M,
    params: MethodParams<M>,
    options: { signal?: AbortSignal; requestId?: string } = {},
  ): Promise<MethodResult<M>> {
    const id = options.requestId ?? nextId();
    if (options.signal?.aborted) throw new PasException({ code: 'cancelled', message: 'The call was cancelled.' });
    const onAbort = () => this.bridge.cancel(id);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const outcome = await this.bridge.invoke(id, method, params);
      if (!outcome.ok) throw new PasException(outcome.error);
      return outcome.value as MethodResult<M>;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  subscribe<T extends TopicName>(topic: T, listener: (payload: EventPayloads[T]) => void): () => void {
    return this.bridge.subscribe(topic, (payload) => listener(payload as EventPayloads[T]));
  }

  static newRequestId(): string {
    return nextId();
  }
}

/** Electron when the preload exposed `window.pas`, otherwise web mode. */
export function createClient(): Client {
  return new Client(window.pas ?? createWebSocketBridge(window.location));
}

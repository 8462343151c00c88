/**
 * The CLI's client of the contract, like the renderer's: one interface, two implementations.
 * `InProcessClient` calls a `PasService` created in the CLI process; `RemoteClient` talks to
 * the engine that already has the project open (`pas serve`, the app) over its loopback
 * WebSocket, with the token from `.pas/engine.json`. Commands only see `EngineClient`, so each
 * command has one implementation: the service's.
 */
import WebSocket from 'ws';
import type { EventPayloads, MethodName, MethodParams, MethodResult, TopicName } from '../../src-shared/contract';
import { PasException, type PasError } from '../../src-shared/errors';
import type { Outcome, ServerMessage } from '../../src-shared/protocol';
import type { PasService } from '../service/service';

export interface InvokeOptions {
  signal?: AbortSignal;
  /** Chosen by the caller so it can pick its own progress events out of a topic. */
  requestId?: string;
}

export interface EngineClient {
  /** `remote` when the call goes to an engine in another process. */
  readonly mode: 'in-process' | 'remote';
  invoke<M extends MethodName>(method: M, params: MethodParams<M>, options?: InvokeOptions): Promise<MethodResult<M>>;
  subscribe<T extends TopicName>(topic: T, listener: (payload: EventPayloads[T]) => void): () => void;
  close(): Promise<void>;
}

let counter = 0;
export function newRequestId(): string {
  counter += 1;
  return `cli-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

const CANCELLED: PasError = { code: 'cancelled', message: 'The call was cancelled.' };

export class InProcessClient implements EngineClient {
  readonly mode = 'in-process' as const;
  constructor(readonly service: PasService) {}

  invoke<M extends MethodName>(method: M, params: MethodParams<M>, options: InvokeOptions = {}): Promise<MethodResult<M>> {
    return this.service.invoke(method, params, { requestId: options.requestId ?? newRequestId(), ...(options.signal ? { signal: options.signal } : {}) });
  }

  subscribe<T extends TopicName>(topic: T, listener: (payload: EventPayloads[T]) => void): () => void {
    return this.service.events.on(topic, listener);
  }

  close(): Promise<void> {
    return this.service.close();
  }
}

export class RemoteClient implements EngineClient {
  readonly mode = 'remote' as const;
  private readonly pending = new Map<string, (outcome: Outcome<unknown>) => void>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'result') {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        waiter?.(message.outcome);
      } else {
        for (const listener of this.listeners.get(message.topic) ?? []) listener(message.payload);
      }
    });
    socket.on('close', () => {
      const lost: PasError = { code: 'internal', message: 'Lost the connection to the engine that has the project open.' };
      for (const waiter of this.pending.values()) waiter({ ok: false, error: lost });
      this.pending.clear();
    });
    socket.on('error', () => undefined);
  }

  /**
   * Opens the socket; rejects when the endpoint refuses (`refused: true` on the error: nothing
   * listens there, or it is not this engine) or does not answer within `timeoutMs`.
   */
  static connect(url: string, timeoutMs = 10_000): Promise<RemoteClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
      const fail = (error: Error) => {
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(error);
      };
      socket.once('open', () => {
        socket.removeAllListeners();
        resolve(new RemoteClient(socket));
      });
      socket.once('unexpected-response', (_req, res) => fail(Object.assign(new Error(`the engine refused the connection (HTTP ${res.statusCode})`), { refused: true })));
      socket.once('error', (error: NodeJS.ErrnoException) => fail(Object.assign(error, { refused: error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' })));
    });
  }

  async invoke<M extends MethodName>(method: M, params: MethodParams<M>, options: InvokeOptions = {}): Promise<MethodResult<M>> {
    const id = options.requestId ?? newRequestId();
    if (options.signal?.aborted) throw new PasException(CANCELLED);
    const onAbort = () => this.send({ type: 'cancel', id });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const outcome = await new Promise<Outcome<unknown>>((resolve) => {
        if (this.socket.readyState !== WebSocket.OPEN) {
          resolve({ ok: false, error: { code: 'internal', message: 'Lost the connection to the engine that has the project open.' } });
          return;
        }
        this.pending.set(id, resolve);
        this.send({ type: 'invoke', id, method, params });
      });
      if (!outcome.ok) throw new PasException(outcome.error);
      return outcome.value as MethodResult<M>;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  subscribe<T extends TopicName>(topic: T, listener: (payload: EventPayloads[T]) => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
      this.send({ type: 'subscribe', topic });
    }
    const entry = listener as (payload: unknown) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0) {
        this.listeners.delete(topic);
        this.send({ type: 'unsubscribe', topic });
      }
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
      setTimeout(() => {
        this.socket.terminate();
        resolve();
      }, 500).unref();
    });
  }

  private send(message: unknown): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}

/**
 * Wire messages shared by every transport (Electron IPC and the WebSocket of web mode).
 * Clients send invoke/cancel/subscribe/unsubscribe; the engine answers with result and
 * event messages. The engine validates incoming messages with `clientMessage`.
 */
import { z } from 'zod';
import type { PasError } from './errors';
import type { EventPayloads, MethodName, MethodResults, TopicName } from './contract';

export const requestId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

export const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invoke'), id: requestId, method: z.string(), params: z.unknown() }),
  z.object({ type: z.literal('cancel'), id: requestId }),
  z.object({ type: z.literal('subscribe'), topic: z.string() }),
  z.object({ type: z.literal('unsubscribe'), topic: z.string() }),
]);

export type ClientMessage = z.infer<typeof clientMessage>;

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: PasError };

export type ServerMessage =
  | { type: 'result'; id: string; outcome: Outcome<MethodResults[MethodName]> }
  | { [T in TopicName]: { type: 'event'; topic: T; payload: EventPayloads[T] } }[TopicName];

/** What the preload exposes on `window.pas`, and what the web transport imitates. */
export interface PasBridge {
  invoke(id: string, method: string, params: unknown): Promise<Outcome<unknown>>;
  cancel(id: string): void;
  subscribe(topic: string, listener: (payload: unknown) => void): () => void;
}

/**
 * The web-mode bridge: the same contract as the Electron preload, over the WebSocket that
 * `pas serve` opens at /ws. The per-run token comes from the page URL.
 */
import type { PasError } from '../../src-shared/errors';
import type { Outcome, PasBridge, ServerMessage } from '../../src-shared/protocol';

interface Pending {
  resolve: (outcome: Outcome<unknown>) => void;
}

const DISCONNECTED: PasError = { code: 'internal', message: 'Lost the connection to the engine.' };

export function createWebSocketBridge(location: Location): PasBridge {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const pending = new Map<string, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let socket: WebSocket | undefined;
  let opened: Promise<WebSocket> | undefined;
  let retryDelay = 250;

  const connect = (): Promise<WebSocket> => {
    opened ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        retryDelay = 250;
        for (const topic of listeners.keys()) ws.send(JSON.stringify({ type: 'subscribe', topic }));
        resolve(ws);
      };
      ws.onmessage = (event) => {
        const message = JSON.parse(String(event.data)) as ServerMessage;
        if (message.type === 'result') {
          const waiter = pending.get(message.id);
          pending.delete(message.id);
          waiter?.resolve(message.outcome);
        } else {
          for (const listener of listeners.get(message.topic) ?? []) listener(message.payload);
        }
      };
      ws.onclose = () => {
        socket = undefined;
        opened = undefined;
        for (const waiter of pending.values()) waiter.resolve({ ok: false, error: DISCONNECTED });
        pending.clear();
        reject(new Error(DISCONNECTED.message));
        if (listeners.size > 0) {
          setTimeout(() => void connect().catch(() => undefined), retryDelay);
          retryDelay = Math.min(retryDelay * 2, 5000);
        }
      };
    });
    return opened;
  };

  const send = async (message: unknown) => (await connect()).send(JSON.stringify(message));

  return {
    invoke(id, method, params) {
      return new Promise<Outcome<unknown>>((resolve) => {
        pending.set(id, { resolve });
        send({ type: 'invoke', id, method, params }).catch(() => {
          pending.delete(id);
          resolve({ ok: false, error: DISCONNECTED });
        });
      });
    },
    cancel(id) {
      if (socket) socket.send(JSON.stringify({ type: 'cancel', id }));
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
        void send({ type: 'subscribe', topic }).catch(() => undefined);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(topic);
          if (socket) socket.send(JSON.stringify({ type: 'unsubscribe', topic }));
        }
      };
    },
  };
}

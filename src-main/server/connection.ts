/**
 * One client of the contract over a message channel (a WebSocket): parses and validates its
 * messages, runs invokes on the service with cancellation, and forwards subscribed events.
 * Transport-neutral: it only needs a `send` function for outgoing messages.
 */
import { isTopicName, type TopicName } from '../../src-shared/contract';
import type { PasError } from '../../src-shared/errors';
import { clientMessage, type ServerMessage } from '../../src-shared/protocol';
import type { PasService } from '../service/service';
import { RequestTracker } from '../service/requests';

export class ClientConnection {
  private readonly requests = new RequestTracker();
  private readonly subscriptions = new Map<TopicName, () => void>();

  constructor(
    private readonly service: PasService,
    private readonly send: (message: ServerMessage) => void,
  ) {}

  async receive(raw: string): Promise<void> {
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      this.reply('', { code: 'validation', message: 'The message is not JSON.', issues: [] });
      return;
    }
    const parsed = clientMessage.safeParse(data);
    if (!parsed.success) {
      const id = typeof (data as { id?: unknown })?.id === 'string' ? String((data as { id: string }).id) : '';
      this.reply(id, {
        code: 'validation',
        message: 'Malformed message',
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(message)', message: i.message })),
      });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'invoke': {
        const signal = this.requests.start(message.id);
        const outcome = await this.service.call(message.method, message.params, { requestId: message.id, signal });
        this.requests.finish(message.id, signal);
        this.send({ type: 'result', id: message.id, outcome } as ServerMessage);
        return;
      }
      case 'cancel':
        this.requests.cancel(message.id);
        return;
      case 'subscribe': {
        const topic = message.topic;
        if (!isTopicName(topic) || this.subscriptions.has(topic)) return;
        this.subscriptions.set(
          topic,
          this.service.events.on(topic, (payload) => this.send({ type: 'event', topic, payload } as ServerMessage)),
        );
        return;
      }
      case 'unsubscribe': {
        const topic = message.topic;
        if (!isTopicName(topic)) return;
        this.subscriptions.get(topic)?.();
        this.subscriptions.delete(topic);
        return;
      }
    }
  }

  close(): void {
    this.requests.cancelAll();
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
  }

  private reply(id: string, error: PasError): void {
    this.send({ type: 'result', id, outcome: { ok: false, error } });
  }
}

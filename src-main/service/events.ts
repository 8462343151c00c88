/** A typed publish/subscribe bus for the contract's event topics. */
import type { EventPayloads, TopicName } from '../../src-shared/contract';

type Listener<T extends TopicName> = (payload: EventPayloads[T]) => void;

export class EventBus {
  private readonly listeners = new Map<TopicName, Set<Listener<TopicName>>>();

  on<T extends TopicName>(topic: T, listener: Listener<T>): () => void {
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(listener as Listener<TopicName>);
    return () => set.delete(listener as Listener<TopicName>);
  }

  emit<T extends TopicName>(topic: T, payload: EventPayloads[T]): void {
    for (const listener of this.listeners.get(topic) ?? []) {
      try {
        listener(payload);
      } catch {
        // A failing subscriber must not break the publisher.
      }
    }
  }
}

/**
 * In-flight requests of one client connection, by the id the client chose, so that a
 * `cancel` message can abort the matching call. Every transport keeps one per client.
 */
export class RequestTracker {
  private readonly inFlight = new Map<string, AbortController>();

  start(id: string): AbortSignal {
    this.inFlight.get(id)?.abort();
    const controller = new AbortController();
    this.inFlight.set(id, controller);
    return controller.signal;
  }

  cancel(id: string): boolean {
    const controller = this.inFlight.get(id);
    controller?.abort();
    return controller !== undefined;
  }

  finish(id: string, signal: AbortSignal): void {
    if (this.inFlight.get(id)?.signal === signal) this.inFlight.delete(id);
  }

  cancelAll(): void {
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
  }

  get size(): number {
    return this.inFlight.size;
  }
}

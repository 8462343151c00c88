/**
 * Reusable buffers for response bodies. Pages of tens of megabytes, allocated fresh for every
 * response, cost page faults on each first touch and stay in memory until the garbage collector
 * gets to them; a few buffers handed back once their bytes are on disk bound that memory and
 * skip the faults. A buffer not handed back is simply collected.
 */

const MAX_POOLED = 2;
const GRAIN = 1 << 20;
const free: ArrayBuffer[] = [];

/** A buffer of exactly `size` bytes, reused when one is free. Its contents are undefined. */
export function takeBody(size: number): Buffer {
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    const capacity = (free[i] as ArrayBuffer).byteLength;
    if (capacity >= size && (best < 0 || capacity < (free[best] as ArrayBuffer).byteLength)) best = i;
  }
  if (best >= 0) return Buffer.from(free.splice(best, 1)[0] as ArrayBuffer, 0, size);
  const capacity = Math.ceil(size / GRAIN) * GRAIN;
  return Buffer.from(Buffer.allocUnsafeSlow(capacity).buffer, 0, size);
}

/** Hands a body back once nothing reads it any more (its bytes may be overwritten right away). */
export function giveBack(body: Uint8Array): void {
  const buffer = body.buffer;
  if (!(buffer instanceof ArrayBuffer) || body.byteOffset !== 0 || buffer.byteLength < GRAIN || free.includes(buffer)) return;
  if (free.length >= MAX_POOLED) free.shift();
  free.push(buffer);
}

/** Lets go of the pooled buffers (at the end of a run's extraction), so the collector can free them. */
export function emptyBodyPool(): void {
  free.length = 0;
}

import { LRUCache } from 'lru-cache';

interface Entry<V> {
  value: V;
  freshUntil: number;
}

/**
 * An LRU cache whose entries stay fresh for `ttlMs` from when their value was read,
 * judged against a clock reading the caller passes in. lru-cache's own TTL reads a clock
 * of its own and arms a timer every millisecond under load; the validation path already
 * holds a reading (for expiry), so it hands that one over.
 */
export class FreshCache<V> {
  private readonly entries: LRUCache<string, Entry<V>>;

  constructor(
    max: number,
    private readonly ttlMs: number,
    /** Called when an entry is pushed out to make room (not when it goes stale or is dropped). */
    onEvict?: () => void,
  ) {
    this.entries = new LRUCache(
      onEvict ? { max, dispose: (_v, _k, reason) => reason === 'evict' && onEvict() } : { max },
    );
  }

  /** The value under `key` if it is still fresh at `nowMs`; a stale one is dropped. */
  get(key: string, nowMs: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.freshUntil > nowMs) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Keeps a value read (or asked for) at `readAt` ms: fresh until `readAt + ttlMs`. */
  set(key: string, value: V, readAt: number): void {
    this.entries.set(key, { value, freshUntil: readAt + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

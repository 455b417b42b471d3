import { FreshCache } from './fresh-cache';

/** How many unknown digests are remembered; a small cap of its own (see LookupCache). */
export const NEGATIVE_CACHE_MAX_ENTRIES = 1_000;

/**
 * The validator's cached lookups, by digest, in two LRUs: keys that were found, and
 * digests that named no key. Anyone can make up well-formed tokens by the million (the
 * checksum is no secret), so answers about unknown keys live in a small cache of their
 * own: no sequence of unknown keys can evict a key that exists.
 */
export class LookupCache<V> {
  private readonly found: FreshCache<V>;
  private readonly unknown: FreshCache<V>;

  constructor(
    maxEntries: number,
    ttlMs: number,
    negativeMaxEntries = NEGATIVE_CACHE_MAX_ENTRIES,
    /** Called when a known key's entry is pushed out to make room (for metrics). */
    onEvict?: () => void,
  ) {
    this.found = new FreshCache(maxEntries, ttlMs, onEvict);
    this.unknown = new FreshCache(Math.max(1, Math.min(negativeMaxEntries, maxEntries)), ttlMs);
  }

  get(key: string, nowMs: number): V | undefined {
    return this.found.get(key, nowMs) ?? this.unknown.get(key, nowMs);
  }

  /** Keeps a lookup's outcome; `exists` says which of the two caches it goes to. */
  set(key: string, value: V, readAt: number, exists: boolean): void {
    if (exists) this.found.set(key, value, readAt);
    else this.unknown.set(key, value, readAt);
  }

  delete(key: string): void {
    this.found.delete(key);
    this.unknown.delete(key);
  }

  clear(): void {
    this.found.clear();
    this.unknown.clear();
  }
}

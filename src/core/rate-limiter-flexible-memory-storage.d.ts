/**
 * rate-limiter-flexible's in-memory count store: what its RateLimiterMemory counts with,
 * behind a promise. Its package ships no types for it; this is the part Latchkey uses.
 */
declare module 'rate-limiter-flexible/lib/component/MemoryStorage/MemoryStorage' {
  import type { RateLimiterRes } from 'rate-limiter-flexible';

  class MemoryStorage {
    /** Adds `value` to the key's count, starting a window of `durationSec` when none is open. */
    incrby(key: string, value: number, durationSec: number): RateLimiterRes;
  }
  export = MemoryStorage;
}

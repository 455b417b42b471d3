/**
 * How fresh a validation's view of the store must be.
 *
 * - `bounded` (the default): lookups are reused for the cache TTL. Changes made through
 *   this process show at once; changes made by another process within the TTL (sooner
 *   where a change feed tells this process).
 * - `strict`: every validation observes every change committed before it started, by any
 *   process, settings included.
 */
export type Consistency = 'strict' | 'bounded';

/**
 * Strict mode's check before each validation. With a revision (a counter the store moves
 * in the same transaction as every change a validation can observe, and not for usage,
 * audit, session or rate-limit writes), one cheap read tells whether anything changed since
 * the last validation: if not, cached lookups and settings still stand; if so, they are
 * dropped and the settings re-read first. Without one, nothing can be reused: every
 * validation re-reads the settings (and the validator caches no lookups).
 */
export class StrictConsistency {
  /** The revision the cached lookups and the settings in memory are at least as new as. */
  private seen: number | null = null;

  constructor(
    /** Read synchronously, so a validation answered from the cache still finishes in one tick. */
    private readonly revision: (() => number) | null,
    private readonly reloadSettings: () => Promise<unknown>,
    /** Drops every cached lookup (and keeps lookups running now from being cached). */
    private readonly forgetAll: () => void,
  ) {}

  /** Whether lookups may be cached at all. */
  get cachesLookups(): boolean {
    return this.revision !== null;
  }

  /**
   * Null when what this process holds is current; otherwise forgets it and returns what
   * to wait for (the settings re-read) before looking anything up.
   */
  check(): Promise<void> | null {
    if (this.revision === null) return this.reloadSettings().then(noValue);
    const now = this.revision();
    if (now === this.seen) return null;
    this.forgetAll();
    // Only once the settings are re-read is everything held at least as new as `now`.
    return this.reloadSettings().then(() => {
      this.seen = now;
    });
  }
}

const noValue = (): void => undefined;

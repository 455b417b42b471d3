import type { Store } from './store';
import { dayOf } from './time';
import type { UsageIncrement } from './types';

/**
 * Counts validations in memory and writes them in one batch per interval,
 * so a validated request never waits on a store write.
 */
export class UsageBuffer {
  /** Counts by UTC day, then by key id: a validation adds to an entry without building a string. */
  private pending = new Map<string, Map<string, UsageIncrement>>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** The last second recorded, its UTC day and that day's counts. */
  private second = -1;
  private day = '';
  private today = new Map<string, UsageIncrement>();
  /** When counts were last written (or the buffer made), for the flush lag metric. */
  private writtenAt = Date.now();

  constructor(
    private readonly store: Store,
    private readonly onError: (err: unknown) => void,
    intervalMs: number,
  ) {
    if (intervalMs > 0) {
      this.timer = setInterval(() => void this.flush(), intervalMs);
      this.timer.unref();
    }
  }

  record(keyId: string, now: number): void {
    if (this.second !== now) {
      this.second = now;
      this.day = dayOf(now);
      this.today = this.countsOf(this.day);
    }
    const entry = this.today.get(keyId);
    if (entry) {
      entry.count++;
      entry.lastUsedAt = now;
    } else {
      this.today.set(keyId, { keyId, day: this.day, count: 1, lastUsedAt: now });
    }
  }

  private countsOf(day: string): Map<string, UsageIncrement> {
    let counts = this.pending.get(day);
    if (!counts) this.pending.set(day, (counts = new Map()));
    return counts;
  }

  /** Adds counts that could not be written back to what is pending. */
  private restore(batch: UsageIncrement[]): void {
    for (const inc of batch) {
      const counts = this.countsOf(inc.day);
      const entry = counts.get(inc.keyId);
      if (entry) {
        entry.count += inc.count;
        entry.lastUsedAt = Math.max(entry.lastUsedAt, inc.lastUsedAt);
      } else counts.set(inc.keyId, inc);
    }
  }

  /** Writes everything counted so far. Concurrent calls queue behind each other. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const batch = [...this.pending.values()].flatMap((counts) => [...counts.values()]);
      this.pending = new Map();
      // The next record() starts a new map for its day rather than adding to a taken one.
      this.second = -1;
      if (batch.length === 0) {
        this.writtenAt = Date.now();
        return;
      }
      try {
        await this.store.recordUsage(batch);
        this.writtenAt = Date.now();
      } catch (err) {
        // Put the counts back so the next flush retries them.
        this.restore(batch);
        this.onError(err);
      }
    });
    return this.flushing;
  }

  /** Key-day counts waiting to be written. */
  get pendingEntries(): number {
    let n = 0;
    for (const counts of this.pending.values()) n += counts.size;
    return n;
  }

  /** Seconds since counts were last written, while some wait; 0 when none do. */
  get flushLagSeconds(): number {
    return this.pendingEntries === 0 ? 0 : (Date.now() - this.writtenAt) / 1000;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}

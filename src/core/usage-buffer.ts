import type { Store } from '../store/store';
import { dayOf } from './time';
import type { UsageIncrement } from './types';

/**
 * Counts validations in memory and writes them in one batch per interval,
 * so a validated request never waits on a store write.
 */
export class UsageBuffer {
  private pending = new Map<string, UsageIncrement>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private lastDay = { second: -1, day: '' };

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
    if (this.lastDay.second !== now) this.lastDay = { second: now, day: dayOf(now) };
    const day = this.lastDay.day;
    const slot = `${keyId}/${day}`;
    const entry = this.pending.get(slot);
    if (entry) {
      entry.count++;
      entry.lastUsedAt = now;
    } else {
      this.pending.set(slot, { keyId, day, count: 1, lastUsedAt: now });
    }
  }

  /** Writes everything counted so far. Concurrent calls queue behind each other. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.store.recordUsage(batch);
      } catch (err) {
        // Put the counts back so the next flush retries them.
        for (const inc of batch) {
          const slot = `${inc.keyId}/${inc.day}`;
          const entry = this.pending.get(slot);
          if (entry) {
            entry.count += inc.count;
            entry.lastUsedAt = Math.max(entry.lastUsedAt, inc.lastUsedAt);
          } else this.pending.set(slot, inc);
        }
        this.onError(err);
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}

import type { UsageIncrement } from '../types';

export interface UsageFilter {
  keyId?: string;
  userId?: string;
  orgId?: string;
}

/** Validation counts per key per day, and last-used times. */
export interface UsageRecords {
  /**
   * False where the store cannot move a key's last-used time without risking that a
   * revocation written at the same moment is lost (a MongoDB-compatible server whose
   * concurrent updates of one document can overwrite each other); last-used times then
   * stay unset. Omitted means true.
   */
  readonly recordsLastUsedTimes?: boolean;
  /** Adds counts per key per day and moves last-used times forward, in one batch. */
  recordUsage(increments: UsageIncrement[]): Promise<void>;
  countUsage(day: string, filter: UsageFilter): Promise<number>;
  usageByDay(
    fromDay: string,
    toDay: string,
    filter: UsageFilter,
  ): Promise<{ day: string; count: number }[]>;
}

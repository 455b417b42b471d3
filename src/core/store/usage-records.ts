import type { UsageIncrement } from '../types';

export interface UsageFilter {
  keyId?: string;
  userId?: string;
  orgId?: string;
}

/** Validation counts per key per day, and last-used times. */
export interface UsageRecords {
  // Usage
  /** Adds counts per key per day and moves last-used times forward, in one batch. */
  recordUsage(increments: UsageIncrement[]): Promise<void>;
  countUsage(day: string, filter: UsageFilter): Promise<number>;
  usageByDay(
    fromDay: string,
    toDay: string,
    filter: UsageFilter,
  ): Promise<{ day: string; count: number }[]>;
}

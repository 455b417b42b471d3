import type { Core } from './context';
import { LatchkeyError } from './errors';
import { isKeyId, isUuid } from './inputs';
import type { UsageFilter } from './store';
import { dayOf, nowSeconds } from './time';
import type { UsageBuffer } from './usage-buffer';

/** How many validations keys had: per UTC day, overall or for one key, user or org. */

export interface UsageScope {
  apiKeyId?: string;
  userId?: string;
  orgId?: string;
}

export interface UsageQuery extends UsageScope {
  /** YYYY-MM-DD (UTC); today when omitted. */
  date?: string;
}

export interface UsageByDayQuery extends UsageScope {
  /** First and last day shown, YYYY-MM-DD (UTC), both included. */
  from: string;
  to: string;
}

function checkDay(date: unknown, field: string): string {
  if (
    typeof date !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ||
    // Date.parse rolls 2024-02-31 over to March; a real date survives the round trip.
    dayOf(Date.parse(`${date}T00:00:00Z`) / 1000) !== date
  ) {
    throw LatchkeyError.field(field, 'must be a date as YYYY-MM-DD');
  }
  return date;
}

function usageFilterOf(query: UsageScope): UsageFilter {
  if (query.apiKeyId !== undefined && !isKeyId(query.apiKeyId))
    throw LatchkeyError.field('apiKeyId', 'must be 32 hex characters');
  if (query.userId !== undefined && !isUuid(query.userId))
    throw LatchkeyError.field('userId', 'must be a UUID');
  if (query.orgId !== undefined && !isUuid(query.orgId))
    throw LatchkeyError.field('orgId', 'must be a UUID');
  return { keyId: query.apiKeyId, userId: query.userId, orgId: query.orgId };
}

/** Validations counted for one UTC day, overall or for one key, user or org. */
export async function apiKeyUsage(
  core: Core & { usage: UsageBuffer },
  q?: UsageQuery | null,
): Promise<number> {
  const query = q ?? {};
  const date = checkDay(query.date ?? dayOf(nowSeconds()), 'date');
  const filter = usageFilterOf(query);
  await core.usage.flush();
  return core.store.countUsage(date, filter);
}

/**
 * Validations per UTC day from `from` to `to`, overall or for one key, user or org;
 * only days with a count are listed. Counts still buffered in memory are written first.
 */
export async function apiKeyUsageByDay(
  core: Core & { usage: UsageBuffer },
  query: UsageByDayQuery,
): Promise<{ day: string; count: number }[]> {
  const from = checkDay(query?.from, 'from');
  const to = checkDay(query?.to, 'to');
  const filter = usageFilterOf(query);
  await core.usage.flush();
  return core.store.usageByDay(from, to, filter);
}

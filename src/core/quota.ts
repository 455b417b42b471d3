import type { ApiKey, Refill, RefillInterval } from './types';

type QuotaFields = Pick<ApiKey, 'remaining' | 'refill' | 'refilledAt'>;

/**
 * Usage quotas: a key with `remaining` uses loses one (or a route's cost) on each
 * successful validation and fails with `usage_exceeded` at zero; a refill sets it back to
 * its amount at each UTC day or month boundary. Refills are applied lazily, by whichever
 * store write first sees that a boundary has passed.
 */

/** Start (unix seconds) of the UTC day or month that `now` falls in. */
export function periodStart(interval: RefillInterval, now: number): number {
  const d = new Date(now * 1000);
  const start =
    interval === 'day'
      ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
      : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return start / 1000;
}

/** Start (unix seconds) of the UTC day or month after the one `now` falls in. */
export function nextPeriodStart(interval: RefillInterval, now: number): number {
  const d = new Date(now * 1000);
  const next =
    interval === 'day'
      ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
      : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return next / 1000;
}

/** The quota as it stands at `now`, with a refill that is due but not yet stored applied. */
export interface QuotaState {
  remaining: number;
  /** Period the uses belong to (refilledAt); null without a refill. */
  period: number | null;
  /** When the next refill happens; null without a refill. */
  nextRefillAt: number | null;
}

export function quotaAt(
  stored: { remaining: number; refill: Refill | null; refilledAt: number | null },
  now: number,
): QuotaState {
  const { refill } = stored;
  if (!refill) return { remaining: stored.remaining, period: null, nextRefillAt: null };
  const start = periodStart(refill.interval, now);
  const due = stored.refilledAt === null || stored.refilledAt < start;
  return {
    remaining: due ? refill.amount : stored.remaining,
    period: start,
    nextRefillAt: nextPeriodStart(refill.interval, now),
  };
}

/** Remaining uses and next refill of a key as callers see them; nulls without a quota. */
export function quotaView(
  key: Pick<ApiKey, 'remaining' | 'refill' | 'refilledAt'>,
  now: number,
): { remaining: number | null; nextRefillAt: number | null } {
  if (key.remaining === null) return { remaining: null, nextRefillAt: null };
  const { remaining, nextRefillAt } = quotaAt({ ...key, remaining: key.remaining }, now);
  return { remaining, nextRefillAt };
}

/** A new key's quota fields: a refill alone starts the key with a full quota. */
export function quotaFieldsOf(
  input: { remaining?: number | null; refill?: Refill | null },
  now: number,
): QuotaFields {
  const refill = input.refill ?? null;
  const remaining = input.remaining ?? refill?.amount ?? null;
  if (remaining === null) return { remaining: null, refill: null, refilledAt: null };
  return { remaining, refill, refilledAt: refill ? periodStart(refill.interval, now) : null };
}

/**
 * The quota fields an update sets. `remaining: null` removes the quota (and its refill); a
 * refill given to a key without a quota starts it full. The current period counts as
 * refilled, so the next refill comes at the next boundary.
 */
export function quotaPatch(
  key: QuotaFields,
  change: { remaining?: number | null; refill?: Refill | null },
  now: number,
): QuotaFields {
  if (change.remaining === null) return { remaining: null, refill: null, refilledAt: null };
  const refill = change.refill === undefined ? key.refill : change.refill;
  const current =
    key.remaining === null ? null : quotaAt({ ...key, remaining: key.remaining }, now);
  const remaining = change.remaining ?? current?.remaining ?? refill?.amount ?? null;
  if (remaining === null) return { remaining: null, refill: null, refilledAt: null };
  return { remaining, refill, refilledAt: refill ? periodStart(refill.interval, now) : null };
}

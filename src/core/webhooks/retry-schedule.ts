/**
 * When to try a failed delivery again: seconds after each failed attempt, spread over
 * more than a day (about 31 hours from the first attempt to the last of 8).
 */
export const RETRY_DELAYS_SECONDS = [
  5,
  5 * 60,
  30 * 60,
  2 * 3600,
  5 * 3600,
  10 * 3600,
  14 * 3600,
] as const;

/** Attempts in all: the first, then one per retry delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/**
 * The wait after the `attempts`-th failed attempt, with ±20% jitter so that many deliveries
 * failing together do not come back together; null when no attempts are left.
 */
export function retryDelaySeconds(
  attempts: number,
  delays: readonly number[] = RETRY_DELAYS_SECONDS,
  random: () => number = Math.random,
): number | null {
  const base = delays[attempts - 1];
  if (base === undefined) return null;
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

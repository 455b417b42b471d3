import type { ExpiryChoice } from './types';

/** Unix seconds of a Date.now() reading. */
export const secondsOf = (ms: number): number => Math.floor(ms / 1000);

export const nowSeconds = (): number => secondsOf(Date.now());

/**
 * The latest expiry a key may have: the end of the year 9999 UTC. Dates past it do not
 * fit YYYY-MM-DD, and a value this large is most likely milliseconds sent as seconds.
 */
export const LATEST_EXPIRY_SECONDS = 253_402_300_799;

/** UTC calendar day of a unix time, as YYYY-MM-DD. */
export const dayOf = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().slice(0, 10);

const DAY = 86_400;
const EXPIRY_SECONDS: Record<ExpiryChoice, number | null> = {
  '2w': 14 * DAY,
  '1m': 30 * DAY,
  '3m': 90 * DAY,
  '6m': 182 * DAY,
  '1y': 365 * DAY,
  never: null,
};

export const EXPIRY_LABELS: Record<ExpiryChoice, string> = {
  '2w': 'Two weeks',
  '1m': 'One month',
  '3m': 'Three months',
  '6m': 'Six months',
  '1y': 'One year',
  never: 'Never',
};

/** Expiry time for a choice offered on the hosted pages; null = never expires. */
export function expiryFromChoice(choice: ExpiryChoice, now: number): number | null {
  const span = EXPIRY_SECONDS[choice];
  return span === null ? null : now + span;
}

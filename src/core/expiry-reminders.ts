import type { Core } from './context';
import { expiryReminderEmail } from './email-templates';
import { keyEvent, type KeyEventListener } from './key-events';
import { recipientsOfKey } from './key-recipients';
import type { EmailContext } from './mailer';
import { nowSeconds } from './time';
import type { ApiKey } from './types';

/** Keys read per batch while looking for the ones about to expire. */
const BATCH = 500;
const DAY = 86_400;

export interface KeyNotices {
  /** Null when no email is configured: nothing is sent. */
  email: EmailContext | null;
  onKeyEvent?: KeyEventListener;
}

/**
 * The threshold a key is due a reminder for: the smallest number of days before expiry
 * that it is already within. A key first seen 2 days before expiry (thresholds 7 and 1)
 * gets the 7-day reminder now and the 1-day one tomorrow; one first seen 12 hours before
 * gets only the 1-day one.
 */
function dueThreshold(key: ApiKey, thresholds: number[], now: number): number | undefined {
  const left = (key.expiresAt ?? 0) - now;
  return [...thresholds].sort((a, b) => a - b).find((days) => left <= days * DAY);
}

/**
 * One pass: every key due a reminder gets one, sent to its owners, once per key and
 * threshold across every process on the store (the claim is taken before sending and
 * given back when sending fails, so a later pass retries). Answers how many were sent.
 */
export async function sendExpiryReminders(
  core: Core,
  notices: KeyNotices,
  now = nowSeconds(),
): Promise<number> {
  const thresholds = core.settings().expiryReminderDays;
  if (!notices.email || thresholds.length === 0) return 0;
  const until = now + Math.max(...thresholds) * DAY;
  let sent = 0;
  let after = now;
  for (;;) {
    const keys = await core.store.listKeysExpiringBetween(after, until, BATCH);
    for (const key of keys) if (await remind(core, notices, key, thresholds, now)) sent++;
    if (keys.length < BATCH) return sent;
    after = keys[keys.length - 1]!.expiresAt!;
  }
}

async function remind(
  core: Core,
  notices: KeyNotices,
  key: ApiKey,
  thresholds: number[],
  now: number,
): Promise<boolean> {
  const days = dueThreshold(key, thresholds, now);
  if (days === undefined || !notices.email) return false;
  const to = await recipientsOfKey(core, key);
  if (!(await core.store.claimExpiryReminder(key.id, days, key.expiresAt!, now))) return false;
  if (to.length > 0) {
    const { mailer, pagesUrl } = notices.email;
    try {
      await mailer.send(expiryReminderEmail(core.settings(), pagesUrl, key, to));
    } catch (err) {
      await core.store.releaseExpiryReminder(key.id, days);
      core.logger.error({ err, keyId: key.id }, 'sending an expiry reminder failed; will retry');
      return false;
    }
  }
  keyEvent(notices.onKeyEvent, 'api_key.expiring', {
    keyId: key.id,
    kind: key.kind,
    userId: key.userId,
    orgId: key.orgId,
    expiresAt: key.expiresAt,
    daysBefore: days,
  });
  return to.length > 0;
}

/** Runs a pass every `intervalMs`, one at a time; errors are logged and the next tick retries. */
export function startExpiryReminders(
  core: Core,
  notices: KeyNotices,
  intervalMs: number,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    running = sendExpiryReminders(core, notices)
      .catch((err: unknown) => core.logger.error({ err }, 'expiry reminders failed; will retry'))
      .finally(() => (busy = false));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  // A first pass soon after start, so a restart does not wait a whole interval.
  const first = setTimeout(tick, Math.min(intervalMs, 1_000));
  first.unref();
  return {
    async stop() {
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}

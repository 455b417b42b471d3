import type { Actor, Core } from './context';
import { expiryReminderEmail } from './email-templates';
import { emit, keyEvent } from './events';
import { tellListener, type KeyEventListener } from './key-events';
import { recipientsOfKey } from './key-recipients';
import type { EmailContext } from './mailer';
import type { ApiKey } from './types';

/** Keys read per batch while looking for the ones about to expire (or just expired). */
export const EXPIRY_BATCH = 500;
const DAY = 86_400;
/** Who raises the expiry job's events. */
export const SYSTEM: Actor = { actor: 'system' };

export interface KeyNotices {
  /** Null when no email is configured: nothing is sent, events are still raised. */
  email: EmailContext | null;
  /** The host's listener, told of each key event after it is in the outbox. */
  onKeyEvent?: KeyEventListener;
}

/** What a pass of reminders did: reminder emails sent, `api_key.expiring` events raised. */
export interface ReminderPass {
  emailed: number;
  expiring: number;
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
 * Calls `each` for every key not archived whose expiry is after `after` and at or before
 * `until`, soonest first, a batch at a time.
 */
export async function forKeysExpiringBetween(
  core: Core,
  after: number,
  until: number,
  each: (key: ApiKey) => Promise<void>,
): Promise<void> {
  let cursor: ApiKey | undefined;
  for (;;) {
    const keys = cursor
      ? await core.store.listKeysExpiringBetween(cursor.expiresAt!, until, EXPIRY_BATCH, cursor.id)
      : await core.store.listKeysExpiringBetween(after, until, EXPIRY_BATCH);
    for (const key of keys) await each(key);
    if (keys.length < EXPIRY_BATCH) return;
    cursor = keys[keys.length - 1];
  }
}

/**
 * One pass: every key due a reminder gets one, once per key and threshold across every
 * process on the store. The claim is the record: with email, it is taken before sending
 * and given back when sending fails (a later pass retries), and `api_key.expiring` goes to
 * the outbox once the email is out; without email (or with no one to email) the event is
 * written with the claim, in one step.
 */
export async function remindExpiringKeys(
  core: Core,
  notices: KeyNotices,
  now: number,
): Promise<ReminderPass> {
  const thresholds = core.settings().expiryReminderDays;
  const pass: ReminderPass = { emailed: 0, expiring: 0 };
  if (thresholds.length === 0) return pass;
  const until = now + Math.max(...thresholds) * DAY;
  await forKeysExpiringBetween(core, now, until, async (key) => {
    const outcome = await remind(core, notices, key, thresholds, now);
    if (outcome !== null) pass.expiring++;
    if (outcome === 'emailed') pass.emailed++;
  });
  return pass;
}

async function remind(
  core: Core,
  notices: KeyNotices,
  key: ApiKey,
  thresholds: number[],
  now: number,
): Promise<'emailed' | 'raised' | null> {
  const days = dueThreshold(key, thresholds, now);
  if (days === undefined) return null;
  const expiresAt = key.expiresAt!;
  const event = keyEvent('api_key.expiring', key, SYSTEM, { expiresAt, daysBefore: days });
  const to = notices.email ? await recipientsOfKey(core, key) : [];
  if (!notices.email || to.length === 0) {
    if (!(await core.store.claimExpiryReminder(key.id, days, expiresAt, now, [event]))) return null;
    tellExpiring(notices, key, days);
    return 'raised';
  }
  if (!(await core.store.claimExpiryReminder(key.id, days, expiresAt, now))) return null;
  const { mailer, pagesUrl } = notices.email;
  try {
    await mailer.send(expiryReminderEmail(core.settings(), pagesUrl, key, to));
  } catch (err) {
    await core.store.releaseExpiryReminder(key.id, days);
    core.logger.error({ err, keyId: key.id }, 'sending an expiry reminder failed; will retry');
    return null;
  }
  await emit(core, event).catch((err: unknown) =>
    core.logger.error({ err, keyId: key.id }, 'writing api_key.expiring to the outbox failed'),
  );
  tellExpiring(notices, key, days);
  return 'emailed';
}

function tellExpiring(notices: KeyNotices, key: ApiKey, daysBefore: number): void {
  tellListener(notices.onKeyEvent, 'api_key.expiring', {
    keyId: key.id,
    kind: key.kind,
    userId: key.userId,
    orgId: key.orgId,
    expiresAt: key.expiresAt,
    daysBefore,
  });
}

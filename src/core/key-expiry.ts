import type { Core } from './context';
import { keyEvent } from './events';
import {
  forKeysExpiringBetween,
  remindExpiringKeys,
  SYSTEM,
  type KeyNotices,
} from './expiry-reminders';
import { tellListener } from './key-events';
import { nowSeconds } from './time';

const DAY = 86_400;

/**
 * How far back a pass looks for keys whose expiry passed. A key that expired longer ago
 * (before the job first ran, or while no process ran it) raises no `api_key.expired`, so
 * a first start over an old database does not send one event per key that ever expired.
 */
export const EXPIRED_LOOKBACK_SECONDS = 7 * DAY;

/**
 * The claim threshold that records a key's `api_key.expired` (reminder thresholds are 1
 * day or more), one per key and expiry: a key given a new expiry that passes too raises
 * it again.
 */
export const EXPIRED_CLAIM = 0;

/** What one expiry pass did. */
export interface ExpiryPass {
  /** Reminder emails sent. */
  emailed: number;
  /** `api_key.expiring` events raised (with or without an email). */
  expiring: number;
  /** `api_key.expired` events raised. */
  expired: number;
}

/**
 * Raises `api_key.expired` for each key not archived whose expiry passed within the
 * look-back, once per key and expiry across every process on the store: the event is
 * written to the outbox with the claim, by the one caller that takes it.
 */
export async function raiseExpiredKeys(
  core: Core,
  notices: KeyNotices,
  now: number,
): Promise<number> {
  let raised = 0;
  await forKeysExpiringBetween(core, now - EXPIRED_LOOKBACK_SECONDS, now, async (key) => {
    const expiresAt = key.expiresAt!;
    const event = keyEvent('api_key.expired', key, SYSTEM, { expiresAt });
    if (!(await core.store.claimExpiryReminder(key.id, EXPIRED_CLAIM, expiresAt, now, [event])))
      return;
    raised++;
    tellListener(notices.onKeyEvent, 'api_key.expired', {
      keyId: key.id,
      kind: key.kind,
      userId: key.userId,
      orgId: key.orgId,
      expiresAt,
    });
  });
  return raised;
}

/** One pass of the expiry job: keys just expired, then reminders for keys about to. */
export async function runExpiryPass(
  core: Core,
  notices: KeyNotices,
  now = nowSeconds(),
): Promise<ExpiryPass> {
  const expired = await raiseExpiredKeys(core, notices, now);
  const { emailed, expiring } = await remindExpiringKeys(core, notices, now);
  return { emailed, expiring, expired };
}

/** Runs a pass every `intervalMs`, one at a time; errors are logged and the next tick retries. */
export function startExpiryJob(
  core: Core,
  notices: KeyNotices,
  intervalMs: number,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    running = runExpiryPass(core, notices)
      .catch((err: unknown) => core.logger.error({ err }, 'the expiry job failed; will retry'))
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

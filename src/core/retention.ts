import type { Observers } from './observer';
import type { Store } from './store';
import { dayOf, nowSeconds } from './time';
import type { Settings } from './types';

const DAY = 86_400;
/** Rows per delete: small, so a validation never waits long behind one. */
export const RETENTION_BATCH = 500;
/**
 * How long webhook history is kept: outbox events after their fan-out, deliveries after
 * their last attempt (the delivery log shows this much), and expiry claims after the expiry
 * they were for (the expiry job looks back 7 days at most, so a claim this old is spent).
 */
export const WEBHOOK_HISTORY_DAYS = 30;

/** How many rows one retention pass deleted, by kind. */
export interface RetentionPass {
  auditEvents: number;
  usageRows: number;
  archivedKeys: number;
  webhookEvents: number;
  webhookDeliveries: number;
  expiryClaims: number;
}

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Deletes in batches until a batch comes back short, yielding to other work between batches. */
async function drain(deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteBatch();
    total += n;
    if (n < RETENTION_BATCH) return total;
    await yieldToOthers();
  }
}

/**
 * One retention pass over what the settings say to keep, and webhook history older than
 * WEBHOOK_HISTORY_DAYS. A deleted archived key's token cannot validate: its row is gone (not_found), and a cached lookup said archived.
 */
export async function runRetention(
  store: Store,
  settings: Settings,
  now = nowSeconds(),
): Promise<RetentionPass> {
  const auditEvents = await drain(() =>
    store.deleteAuditBefore(now - settings.auditRetentionDays * DAY, RETENTION_BATCH),
  );
  const usageRows = await drain(() =>
    store.deleteUsageBefore(dayOf(now - settings.usageRetentionDays * DAY), RETENTION_BATCH),
  );
  const keepArchived = settings.archivedKeyRetentionDays;
  const archivedKeys =
    keepArchived === null
      ? 0
      : await drain(() => store.deleteArchivedKeys(now - keepArchived * DAY, RETENTION_BATCH));
  const history = now - WEBHOOK_HISTORY_DAYS * DAY;
  const webhookEvents = await drain(() =>
    store.deleteDispatchedEventsBefore(history, RETENTION_BATCH),
  );
  const webhookDeliveries = await drain(() =>
    store.deleteFinishedDeliveriesBefore(history, RETENTION_BATCH),
  );
  const expiryClaims = await drain(() => store.deleteExpiryClaimsBefore(history, RETENTION_BATCH));
  return { auditEvents, usageRows, archivedKeys, webhookEvents, webhookDeliveries, expiryClaims };
}

/** Runs retention every `intervalMs` in the background (unref'd); `stop` ends it. */
export function startRetention(
  store: Store,
  settings: () => Settings,
  intervalMs: number,
  observers: Observers,
  onError: (err: unknown) => void,
): { stop(): void; running(): Promise<unknown> } {
  let current: Promise<unknown> = Promise.resolve();
  const tick = () => {
    current = current.then(() =>
      runRetention(store, settings()).catch((err: unknown) => {
        observers.onStoreError('retention');
        onError(err);
      }),
    );
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), running: () => current };
}

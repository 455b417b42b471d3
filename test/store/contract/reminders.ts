import { randomUUID } from 'node:crypto';
import type { OutboxEvent, Store } from '../../../src/core/store';
import { aKey } from '../../support/fixtures';
import { t, type CurrentStore } from './context';

const anEvent = (): OutboxEvent => ({
  id: `evt_${randomUUID()}`,
  type: 'api_key.expired',
  at: t(),
  data: { apiKeyId: 'k1' },
});

/** Expiry reminders: the keys about to expire, and one claim per key and threshold. */
export function describeReminderRecords(current: CurrentStore): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });

  describe('expiry reminders', () => {
    it('lists current keys expiring in the window, soonest first, up to the limit', async () => {
      const now = t();
      const later = aKey({ expiresAt: now + 500 });
      const soon = aKey({ expiresAt: now + 100 });
      const edge = aKey({ expiresAt: now + 1_000 });
      const outside = aKey({ expiresAt: now + 1_001 });
      const expired = aKey({ expiresAt: now - 1 });
      const never = aKey();
      const archived = aKey({ expiresAt: now + 200 });
      for (const k of [later, soon, edge, outside, expired, never, archived])
        await store.insertKey(k.key, 0, now);
      await store.archiveKey(archived.key.id, now);
      const ids = async (limit: number) =>
        (await store.listKeysExpiringBetween(now, now + 1_000, limit)).map((k) => k.id);
      expect(await ids(10)).toEqual([soon.key.id, later.key.id, edge.key.id]);
      expect(await ids(1)).toEqual([soon.key.id]);
      expect((await store.listKeysExpiringBetween(now, now + 1_000, 10))[0]).toEqual(soon.key);
    });

    it('pages past keys that share an expiry with a cursor of the last expiry and id', async () => {
      const now = t();
      const keys = [1, 1, 1, 2].map((s) => aKey({ expiresAt: now + s * 100 }).key);
      for (const k of keys) await store.insertKey(k, 0, now);
      const order = [...keys].sort(
        (a, b) => a.expiresAt! - b.expiresAt! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
      const ids = order.map((k) => k.id);
      const first = await store.listKeysExpiringBetween(now, now + 1_000, 2);
      expect(first.map((k) => k.id)).toEqual(ids.slice(0, 2));
      const last = first[1]!;
      const rest = await store.listKeysExpiringBetween(last.expiresAt!, now + 1_000, 10, last.id);
      expect(rest.map((k) => k.id)).toEqual(ids.slice(2));
    });

    it('lets one caller claim a reminder per key and threshold, even claiming at once', async () => {
      const { key } = aKey({ expiresAt: t() + 100 });
      await store.insertKey(key, 0, t());
      const claims = await Promise.all(
        Array.from({ length: 5 }, () => store.claimExpiryReminder(key.id, 7, t() + 100, t())),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.claimExpiryReminder(key.id, 1, t() + 100, t())).toBe(true);
      expect(await store.claimExpiryReminder(key.id, 7, t() + 100, t())).toBe(false);
    });

    it('lets a claim for a moved expiry be taken once more, by one caller', async () => {
      const id = 'k'.repeat(32);
      expect(await store.claimExpiryReminder(id, 7, 1_000, t())).toBe(true);
      const claims = await Promise.all(
        Array.from({ length: 5 }, () => store.claimExpiryReminder(id, 7, 2_000, t())),
      );
      // Exactly one where updates are atomic; at least one (a duplicate email) where not.
      const won = claims.filter(Boolean).length;
      if (store.atomicUpdates === false) expect(won).toBeGreaterThanOrEqual(1);
      else expect(won).toBe(1);
      expect(await store.claimExpiryReminder(id, 7, 2_000, t())).toBe(false);
    });

    it('writes the events a claim carries once, for the caller that takes it', async () => {
      const id = 'k'.repeat(32);
      const claims = await Promise.all(
        Array.from({ length: 5 }, () => store.claimExpiryReminder(id, 0, 1_000, t(), [anEvent()])),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.claimExpiryReminder(id, 0, 1_000, t(), [anEvent()])).toBe(false);
      expect(await store.countUndispatchedEvents()).toBe(1);
      // Threshold 0 is a claim of its own beside the reminders' thresholds.
      expect(await store.claimExpiryReminder(id, 1, 1_000, t(), [anEvent()])).toBe(true);
      expect(await store.countUndispatchedEvents()).toBe(2);
    });

    it('lets a released claim be claimed again', async () => {
      const id = 'k'.repeat(32);
      expect(await store.claimExpiryReminder(id, 7, 1_000, t())).toBe(true);
      await store.releaseExpiryReminder(id, 7);
      expect(await store.claimExpiryReminder(id, 7, 1_000, t())).toBe(true);
      expect(await store.claimExpiryReminder(id, 7, 1_000, t())).toBe(false);
    });
  });
}

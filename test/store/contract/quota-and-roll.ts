import { periodStart } from '../../../src/core/quota';
import type { Store } from '../../../src/core/store';
import { digestToken, generateToken, tokenHint } from '../../../src/core/token';
import { aKey } from '../../support/fixtures';
import { t, type CurrentStore } from './context';

/** Quota leases (atomic across processes) and rolling a key to a new digest. */
export function describeQuotaAndRoll(current: CurrentStore): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });

  describe('quota leases', () => {
    it('takes what is asked while enough is left, then what is left, then none', async () => {
      const { key } = aKey({ remaining: 25 });
      await store.insertKey(key, 0, t());
      expect(await store.leaseUses(key.id, 1, 10, t())).toMatchObject({
        granted: 10,
        remaining: 15,
        period: null,
        nextRefillAt: null,
      });
      expect((await store.leaseUses(key.id, 1, 10, t()))?.granted).toBe(10);
      expect((await store.leaseUses(key.id, 6, 10, t()))?.granted).toBe(0);
      expect(await store.leaseUses(key.id, 1, 10, t())).toMatchObject({ granted: 5, remaining: 0 });
      expect((await store.leaseUses(key.id, 1, 10, t()))?.granted).toBe(0);
      expect((await store.findKeyById(key.id))?.remaining).toBe(0);
    });

    it('answers null for a key without a quota, an archived key and an unknown id', async () => {
      const { key: plain } = aKey();
      const { key: archived } = aKey({ remaining: 5, archivedAt: t() });
      await store.insertKey(plain, 0, t());
      await store.insertKey(archived, 0, t());
      expect(await store.leaseUses(plain.id, 1, 1, t())).toBeNull();
      expect(await store.leaseUses(archived.id, 1, 1, t())).toBeNull();
      expect(await store.leaseUses('0'.repeat(32), 1, 1, t())).toBeNull();
    });

    it('refills at the next UTC day before taking, and stores the refill', async () => {
      const now = t();
      const yesterday = periodStart('day', now) - 86_400;
      const { key } = aKey({
        remaining: 0,
        refill: { amount: 50, interval: 'day' },
        refilledAt: yesterday,
      });
      await store.insertKey(key, 0, now);
      const lease = await store.leaseUses(key.id, 1, 10, now);
      expect(lease).toEqual({
        granted: 10,
        remaining: 40,
        period: periodStart('day', now),
        nextRefillAt: periodStart('day', now) + 86_400,
      });
      expect(await store.findKeyById(key.id)).toMatchObject({
        remaining: 40,
        refilledAt: periodStart('day', now),
      });
    });

    it('takes back unspent uses of the same period only', async () => {
      const now = t();
      const period = periodStart('day', now);
      const { key } = aKey({
        remaining: 10,
        refill: { amount: 10, interval: 'day' },
        refilledAt: period,
      });
      await store.insertKey(key, 0, now);
      await store.leaseUses(key.id, 1, 10, now);
      await store.returnUses(key.id, 4, period);
      expect((await store.findKeyById(key.id))?.remaining).toBe(4);
      await store.returnUses(key.id, 4, period - 86_400);
      expect((await store.findKeyById(key.id))?.remaining).toBe(4);
    });

    it('never grants more than the quota to leases that run at once', async () => {
      const { key } = aKey({ remaining: 37 });
      await store.insertKey(key, 0, t());
      const leases = await Promise.all(
        Array.from({ length: 20 }, () => store.leaseUses(key.id, 1, 5, t())),
      );
      const granted = leases.reduce((sum, l) => sum + (l?.granted ?? 0), 0);
      expect(granted).toBeLessThanOrEqual(37);
      expect(granted + ((await store.findKeyById(key.id))?.remaining ?? 0)).toBe(37);
    });
  });

  describe('rolling', () => {
    it('moves the digest, keeps the old one findable until its grace period ends', async () => {
      const now = t();
      const { key, token } = aKey({ expiresAt: now + 1000, metadata: { a: 1 } });
      await store.insertKey(key, 0, now);
      const next = generateToken('lk');
      const rolled = await store.rollKey(
        key.id,
        { digest: digestToken(next), hint: tokenHint(next) },
        now + 60,
      );
      expect(rolled).toMatchObject({
        id: key.id,
        digest: digestToken(next),
        hint: tokenHint(next),
        previousDigest: digestToken(token),
        previousDigestExpiresAt: now + 60,
        metadata: { a: 1 },
      });
      const byNew = await store.findKeyForValidation(digestToken(next));
      expect(byNew?.key).toMatchObject({ id: key.id, expiresAt: now + 1000 });
      const byOld = await store.findKeyForValidation(digestToken(token));
      expect(byOld?.key).toMatchObject({ id: key.id, expiresAt: now + 60 });
      expect(await store.findKeyByDigest(digestToken(token))).toBeNull();
    });

    it('keeps the key expiry when it comes before the grace period ends', async () => {
      const now = t();
      const { key, token } = aKey({ expiresAt: now + 30 });
      await store.insertKey(key, 0, now);
      const next = generateToken('lk');
      await store.rollKey(key.id, { digest: digestToken(next), hint: tokenHint(next) }, now + 600);
      expect((await store.findKeyForValidation(digestToken(token)))?.key.expiresAt).toBe(now + 30);
    });

    it('does not roll an archived key', async () => {
      const { key } = aKey({ archivedAt: t() });
      await store.insertKey(key, 0, t());
      const next = generateToken('lk');
      expect(
        await store.rollKey(key.id, { digest: digestToken(next), hint: tokenHint(next) }, t()),
      ).toBeNull();
    });
  });
}

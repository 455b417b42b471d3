import type { Store } from '../../../src/core/store';
import { aKey, anOrg, aUser } from '../../support/fixtures';
import { t, type CurrentStore } from './context';

/** Validation counts per key per day, and last-used times. */
export function describeUsageRecords(current: CurrentStore): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });

  describe('usage', () => {
    it('adds counts per key per day and moves last-used forward only', async () => {
      const user = aUser();
      const org = anOrg();
      await store.insertUser(user);
      await store.insertOrg(org);
      const a = aKey({ kind: 'personal', userId: user.id });
      const b = aKey({ kind: 'org', orgId: org.id });
      await store.insertKey(a.key, 0, t());
      await store.insertKey(b.key, 0, t());
      await store.recordUsage([
        { keyId: a.key.id, day: '2026-01-01', count: 3, lastUsedAt: 500 },
        { keyId: b.key.id, day: '2026-01-01', count: 2, lastUsedAt: 400 },
      ]);
      await store.recordUsage([
        { keyId: a.key.id, day: '2026-01-01', count: 4, lastUsedAt: 300 },
        { keyId: a.key.id, day: '2026-01-02', count: 1, lastUsedAt: 600 },
      ]);
      expect(await store.countUsage('2026-01-01', {})).toBe(9);
      expect(await store.countUsage('2026-01-01', { keyId: a.key.id })).toBe(7);
      expect(await store.countUsage('2026-01-01', { userId: user.id })).toBe(7);
      expect(await store.countUsage('2026-01-01', { orgId: org.id })).toBe(2);
      expect(await store.countUsage('2025-12-31', {})).toBe(0);
      expect(await store.usageByDay('2026-01-01', '2026-01-31', { keyId: a.key.id })).toEqual([
        { day: '2026-01-01', count: 7 },
        { day: '2026-01-02', count: 1 },
      ]);
      const moved = store.recordsLastUsedTimes !== false;
      expect((await store.findKeyById(a.key.id))?.lastUsedAt).toBe(moved ? 600 : null);
      expect((await store.findKeyById(b.key.id))?.lastUsedAt).toBe(moved ? 400 : null);
    });
  });
}

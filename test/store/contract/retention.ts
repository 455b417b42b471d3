import { randomUUID } from 'node:crypto';
import type { Store } from '../../../src/core/store';
import { aKey } from '../../support/fixtures';
import { t, type CurrentStore } from './context';

/** Retention deletes (in batches of at most `limit`) and table sizes. */
export function describeRetentionRecords(current: CurrentStore): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });

  describe('retention', () => {
    it('deletes archived keys archived before the cut-off, a batch at a time', async () => {
      const keys = [aKey(), aKey(), aKey(), aKey()];
      for (const k of keys) await store.insertKey(k.key, 0, t());
      await store.archiveKey(keys[0]!.key.id, 100);
      await store.archiveKey(keys[1]!.key.id, 150);
      await store.archiveKey(keys[2]!.key.id, 300);
      expect(await store.deleteArchivedKeys(200, 1)).toBe(1);
      expect(await store.deleteArchivedKeys(200, 10)).toBe(1);
      expect(await store.deleteArchivedKeys(200, 10)).toBe(0);
      expect(await store.findKeyById(keys[0]!.key.id)).toBeNull();
      expect(await store.findKeyByDigest(keys[1]!.key.digest)).toBeNull();
      expect(await store.findKeyForValidation(keys[1]!.key.digest)).toBeNull();
      expect(await store.findKeyById(keys[2]!.key.id)).not.toBeNull();
      expect(await store.findKeyById(keys[3]!.key.id)).not.toBeNull();
    });

    it('deletes usage rows of days before the cut-off and old audit events', async () => {
      const { key } = aKey();
      await store.insertKey(key, 0, t());
      await store.recordUsage([
        { keyId: key.id, day: '2025-01-01', count: 1, lastUsedAt: 1 },
        { keyId: key.id, day: '2025-01-02', count: 1, lastUsedAt: 2 },
        { keyId: key.id, day: '2026-01-01', count: 5, lastUsedAt: 3 },
      ]);
      expect(await store.deleteUsageBefore('2025-06-01', 10)).toBe(2);
      expect(await store.countUsage('2026-01-01', {})).toBe(5);
      for (const at of [10, 20, 500]) {
        await store.appendAudit({
          id: randomUUID(),
          at,
          actor: 'cli',
          action: 'key.created',
          targetType: 'key',
          targetId: 'k',
          ip: null,
          details: {},
        });
      }
      expect(await store.deleteAuditBefore(100, 1)).toBe(1);
      expect(await store.deleteAuditBefore(100, 5)).toBe(1);
      const sizes = await store.tableSizes();
      expect(Object.values(sizes).every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
      expect(Object.keys(sizes).length).toBeGreaterThanOrEqual(5);
    });
  });
}

import { randomUUID } from 'node:crypto';
import type { OutboxEvent, Store, WebhookEndpoint } from '../../../src/core/store';
import { aKey } from '../../support/fixtures';
import { page, t, type CurrentStore } from './context';

const anEvent = (at: number): OutboxEvent => ({
  id: `evt_${randomUUID()}`,
  type: 'api_key.created',
  at,
  data: {},
});

const anEndpoint = (): WebhookEndpoint => ({
  id: `whe_${randomUUID()}`,
  url: 'https://hooks.example.com/in',
  events: ['*'],
  enabled: true,
  secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
  createdAt: t(),
  disabledReason: null,
  failingSince: null,
});

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

    it('deletes outbox events fanned out and deliveries finished before the cut-off', async () => {
      const endpoint = anEndpoint();
      await store.insertEndpoint(endpoint);
      await store.insertEvents([anEvent(100), anEvent(110), anEvent(120)]);
      await store.fanOutEvents(200, 10);
      await store.insertEvents([anEvent(130)]);
      const [done, failed, pending] = await store.claimDueDeliveries(200, 30, 10);
      const attempt = (status: 'delivered' | 'failed' | 'pending', at: number, next = at) => ({
        status,
        attempts: 1,
        nextAttemptAt: next,
        statusCode: 200,
        latencyMs: 1,
        error: null,
        at,
      });
      await store.recordAttempt(done!.id, attempt('delivered', 210));
      await store.recordAttempt(failed!.id, attempt('failed', 220));
      await store.recordAttempt(pending!.id, attempt('pending', 210, 215));
      // Not yet fanned out: stays whatever its age.
      expect(await store.deleteDispatchedEventsBefore(1_000, 2)).toBe(2);
      expect(await store.deleteDispatchedEventsBefore(1_000, 10)).toBe(1);
      expect(await store.countUndispatchedEvents()).toBe(1);
      expect(await store.deleteFinishedDeliveriesBefore(215, 10)).toBe(1);
      expect(await store.deleteFinishedDeliveriesBefore(1_000, 10)).toBe(1);
      expect(await store.deleteFinishedDeliveriesBefore(1_000, 10)).toBe(0);
      const left = await store.listDeliveries(endpoint.id, page);
      expect(left.items.map((d) => [d.id, d.status])).toEqual([[pending!.id, 'pending']]);
    });

    it('deletes expiry claims for expiries before the cut-off, of keys gone or not', async () => {
      const { key } = aKey({ expiresAt: 500 });
      await store.insertKey(key, 0, t());
      await store.claimExpiryReminder(key.id, 0, 500, t());
      await store.claimExpiryReminder(key.id, 1, 500, t());
      await store.claimExpiryReminder('gone'.repeat(8), 7, 600, t());
      await store.claimExpiryReminder('later'.repeat(6), 7, 2_000, t());
      expect(await store.deleteExpiryClaimsBefore(1_000, 2)).toBe(2);
      expect(await store.deleteExpiryClaimsBefore(1_000, 10)).toBe(1);
      expect(await store.deleteExpiryClaimsBefore(1_000, 10)).toBe(0);
      // Deleted claims can be taken again; the one after the cut-off still stands.
      expect(await store.claimExpiryReminder(key.id, 0, 500, t())).toBe(true);
      expect(await store.claimExpiryReminder('later'.repeat(6), 7, 2_000, t())).toBe(false);
    });
  });
}

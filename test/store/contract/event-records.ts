import { randomUUID } from 'node:crypto';
import type { OutboxEvent, Store, WebhookEndpoint } from '../../../src/core/store';
import { aKey, anOrg, aUser } from '../../support/fixtures';
import { page, t, type CurrentStore } from './context';

const anEvent = (type = 'api_key.created', at = t()): OutboxEvent => ({
  id: `evt_${randomUUID()}`,
  type,
  at,
  data: { apiKeyId: 'k1' },
});

const anEndpoint = (overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id: `whe_${randomUUID()}`,
  url: 'https://hooks.example.com/in',
  events: ['*'],
  enabled: true,
  secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
  createdAt: t(),
  disabledReason: null,
  failingSince: null,
  ...overrides,
});

/** Webhooks: the outbox written with the change, fan-out, claims and endpoints. */
export function describeEventRecords(current: CurrentStore): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });

  describe('event records', () => {
    it('fans an event out once to each enabled endpoint subscribed to its type', async () => {
      const all = anEndpoint();
      const onlyRevoked = anEndpoint({ events: ['api_key.revoked'] });
      const off = anEndpoint({ enabled: false });
      for (const e of [all, onlyRevoked, off]) await store.insertEndpoint(e);
      const event = anEvent('api_key.created');
      await store.insertEvents([event]);
      expect(await store.countUndispatchedEvents()).toBe(1);
      expect(await store.fanOutEvents(t(), 10)).toBe(1);
      expect(await store.fanOutEvents(t(), 10)).toBe(0);
      expect(await store.countUndispatchedEvents()).toBe(0);
      const delivered = await store.listDeliveries(all.id, page);
      expect(delivered.items.map((d) => [d.eventId, d.status, d.attempts])).toEqual([
        [event.id, 'pending', 0],
      ]);
      expect((await store.listDeliveries(onlyRevoked.id, page)).total).toBe(0);
      expect((await store.listDeliveries(off.id, page)).total).toBe(0);
    });

    it('sends an event that names an endpoint to that endpoint alone', async () => {
      const named = anEndpoint({ events: ['api_key.revoked'], enabled: false });
      const other = anEndpoint();
      await store.insertEndpoint(named);
      await store.insertEndpoint(other);
      await store.insertEvents([{ ...anEvent('webhook.test'), endpointId: named.id }]);
      await store.fanOutEvents(t(), 10);
      expect((await store.listDeliveries(named.id, page)).total).toBe(1);
      expect((await store.listDeliveries(other.id, page)).total).toBe(0);
    });

    it('lets one claimer hold a due delivery until its lease ends', async () => {
      await store.insertEndpoint(anEndpoint());
      await store.insertEvents([anEvent()]);
      const now = t();
      await store.fanOutEvents(now, 10);
      const [first, second] = await Promise.all([
        store.claimDueDeliveries(now, 30, 10),
        store.claimDueDeliveries(now, 30, 10),
      ]);
      // Exactly one where updates are atomic; at least one (a delivery sent twice with the
      // same webhook-id, which receivers dedupe) where not.
      const claimed = first.length + second.length;
      if (store.atomicUpdates === false) expect(claimed).toBeGreaterThanOrEqual(1);
      else expect(claimed).toBe(1);
      expect(await store.claimDueDeliveries(now + 10, 30, 10)).toEqual([]);
      expect(await store.claimDueDeliveries(now + 31, 30, 10)).toHaveLength(1);
    });

    it('records an attempt and makes a delivery due again on resend', async () => {
      const endpoint = anEndpoint();
      await store.insertEndpoint(endpoint);
      await store.insertEvents([anEvent()]);
      const now = t();
      await store.fanOutEvents(now, 10);
      const [claimed] = await store.claimDueDeliveries(now, 30, 10);
      await store.recordAttempt(claimed!.id, {
        status: 'failed',
        attempts: 3,
        nextAttemptAt: now + 100,
        statusCode: 500,
        latencyMs: 12,
        error: 'HTTP 500',
        at: now,
      });
      const failed = await store.findDeliveryById(claimed!.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 500 });
      expect(await store.claimDueDeliveries(now + 1000, 30, 10)).toEqual([]);
      expect(await store.resendDelivery(claimed!.id, now + 1)).toMatchObject({ status: 'pending' });
      expect(await store.claimDueDeliveries(now + 1, 30, 10)).toHaveLength(1);
      expect(await store.resendDelivery('nope', now)).toBeNull();
    });

    it('stores, updates, lists and deletes endpoints with their deliveries', async () => {
      const endpoint = anEndpoint({ events: ['api_key.created', 'api_key.revoked'] });
      await store.insertEndpoint(endpoint);
      expect(await store.findEndpointById(endpoint.id)).toEqual(endpoint);
      const off = await store.updateEndpoint(endpoint.id, {
        enabled: false,
        disabledReason: 'failing for 5 days',
        failingSince: 100,
      });
      expect(off).toMatchObject({ enabled: false, disabledReason: 'failing for 5 days' });
      expect(await store.listEndpoints()).toEqual([off]);
      expect(await store.updateEndpoint('nope', { enabled: true })).toBeNull();
      expect(await store.deleteEndpoint(endpoint.id)).toBe(true);
      expect(await store.deleteEndpoint(endpoint.id)).toBe(false);
      expect(await store.findEndpointById(endpoint.id)).toBeNull();
    });

    it('writes the events a key change carries, and none when the change does not happen', async () => {
      const { key } = aKey();
      const created = anEvent('api_key.created');
      expect(await store.insertKey(key, 0, t(), [created])).toBe('inserted');
      expect(await store.insertKey(key, 0, t(), [anEvent()])).toBe('duplicate');
      await store.updateKey(key.id, { displayName: 'x' }, [anEvent('api_key.updated')]);
      const next = aKey().key;
      const roll = { digest: next.digest, hint: next.hint };
      await store.rollKey(key.id, roll, t(), [anEvent('api_key.rolled')]);
      await store.archiveKey(key.id, t(), [anEvent('api_key.revoked')]);
      await store.archiveKey(key.id, t(), [anEvent('api_key.revoked')]);
      await store.updateKey(key.id, { displayName: 'y' }, [anEvent('api_key.updated')]);
      await store.rollKey(key.id, roll, t(), [anEvent('api_key.rolled')]);
      expect(await store.countUndispatchedEvents()).toBe(4);
    });

    it('hands a cascade the keys it archives and writes the events built from them', async () => {
      const user = aUser();
      const org = anOrg();
      await store.insertUser(user);
      await store.insertOrg(org);
      const { key } = aKey({ kind: 'personal', userId: user.id, orgId: null });
      await store.insertKey(key, 0, t());
      const seen: string[][] = [];
      await store.deleteUserAndArchiveKeys(user.id, t(), true, (archived) => {
        seen.push(archived.map((k) => `${k.id}:${k.kind}:${k.hint}`));
        return archived.map(() => anEvent('api_key.revoked'));
      });
      expect(seen).toEqual([[`${key.id}:personal:${key.hint}`]]);
      await store.deleteOrgAndArchiveKeys(org.id, t(), () => [anEvent('org.deleted')]);
      expect(await store.countUndispatchedEvents()).toBe(2);
    });
  });
}

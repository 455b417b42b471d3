import type { Store } from '../../../src/core/store';
import { aKey, aMembership, anOrg, aUser } from '../../support/fixtures';
import { page, t, type CurrentStore } from './context';

/** API keys: issuing under the active-key limit, finding, listing, updating and archiving. */
export function describeKeyRecords(current: CurrentStore): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });

  describe('api keys', () => {
    it('inserts and finds a key by id and by digest, with every field intact', async () => {
      const { key } = aKey({
        metadata: { nested: { a: [1, 'two', null] } },
        expiresAt: t() + 100,
      });
      expect(await store.insertKey(key, 0, t())).toBe('inserted');
      expect(await store.findKeyById(key.id)).toEqual(key);
      expect(await store.findKeyByDigest(key.digest)).toEqual(key);
      expect(await store.findKeyById('0'.repeat(32))).toBeNull();
      expect(await store.findKeyByDigest('f'.repeat(64))).toBeNull();
    });

    it('keeps a per-key rate limit, changes it and clears it', async () => {
      const { key } = aKey({ rateLimit: { limit: 5, periodSeconds: 60 } });
      await store.insertKey(key, 0, t());
      expect((await store.findKeyByDigest(key.digest))?.rateLimit).toEqual({
        limit: 5,
        periodSeconds: 60,
      });
      const changed = { limit: 100, periodSeconds: 86400 };
      expect((await store.updateKey(key.id, { rateLimit: changed }))?.rateLimit).toEqual(changed);
      expect((await store.updateKey(key.id, { rateLimit: null }))?.rateLimit).toBeNull();
      expect((await store.findKeyById(key.id))?.rateLimit).toBeNull();
    });

    it('keeps scopes and an IP allowlist, changes them and clears them', async () => {
      const { key } = aKey({
        scopes: ['projects:read'],
        allowedIps: ['10.0.0.0/8', '2001:db8::1'],
      });
      await store.insertKey(key, 0, t());
      expect(await store.findKeyByDigest(key.digest)).toMatchObject({
        scopes: ['projects:read'],
        allowedIps: ['10.0.0.0/8', '2001:db8::1'],
      });
      const changed = await store.updateKey(key.id, { scopes: [], allowedIps: ['192.0.2.1'] });
      expect(changed).toMatchObject({ scopes: [], allowedIps: ['192.0.2.1'] });
      await store.updateKey(key.id, { scopes: null, allowedIps: null });
      expect(await store.findKeyById(key.id)).toMatchObject({ scopes: null, allowedIps: null });
      const { key: plain } = aKey();
      await store.insertKey(plain, 0, t());
      expect(await store.findKeyById(plain.id)).toMatchObject({ scopes: null, allowedIps: null });
    });

    it('stores no key whose owner is gone', async () => {
      const user = aUser();
      const org = anOrg();
      await store.insertUser(user);
      await store.insertOrg(org);
      const ghost = aUser();
      const elsewhere = anOrg();
      const cases = [
        aKey({ kind: 'personal', userId: ghost.id }),
        aKey({ kind: 'org', orgId: elsewhere.id }),
        aKey({ kind: 'org', orgId: org.id, userId: ghost.id }),
        // A user who is not a member of the key's org.
        aKey({ kind: 'org', orgId: org.id, userId: user.id }),
      ];
      for (const { key } of cases) {
        expect(await store.insertKey(key, 0, t())).toBe('owner_gone');
        expect(await store.findKeyById(key.id)).toBeNull();
      }
      await store.upsertMembership(aMembership(user, org));
      for (const { key } of [
        aKey({ kind: 'personal', userId: user.id }),
        aKey({ kind: 'org', orgId: org.id }),
        aKey({ kind: 'org', orgId: org.id, userId: user.id }),
      ])
        expect(await store.insertKey(key, 0, t())).toBe('inserted');
    });

    it('refuses a duplicate digest or id', async () => {
      const { key } = aKey();
      await store.insertKey(key, 0, t());
      expect(await store.insertKey({ ...key, id: '1'.repeat(32) }, 0, t())).toBe('duplicate');
      expect(await store.insertKey({ ...key, digest: 'a'.repeat(64) }, 0, t())).toBe('duplicate');
    });

    it('enforces the max active keys per user, not counting archived or expired ones', async () => {
      const user = aUser();
      await store.insertUser(user);
      const now = t();
      const a = aKey({ kind: 'personal', userId: user.id });
      const b = aKey({ kind: 'personal', userId: user.id, expiresAt: now - 1 });
      expect(await store.insertKey(a.key, 1, now)).toBe('inserted');
      expect(await store.insertKey(b.key, 0, now)).toBe('inserted');
      expect(await store.insertKey(aKey({ kind: 'personal', userId: user.id }).key, 1, now)).toBe(
        'limit_reached',
      );
      await store.archiveKey(a.key.id, now);
      expect(await store.insertKey(aKey({ kind: 'personal', userId: user.id }).key, 1, now)).toBe(
        'inserted',
      );
    });

    it('enforces the max active keys per org', async () => {
      const org = anOrg();
      await store.insertOrg(org);
      expect(await store.insertKey(aKey({ kind: 'org', orgId: org.id }).key, 2, t())).toBe(
        'inserted',
      );
      expect(await store.insertKey(aKey({ kind: 'org', orgId: org.id }).key, 2, t())).toBe(
        'inserted',
      );
      expect(await store.insertKey(aKey({ kind: 'org', orgId: org.id }).key, 2, t())).toBe(
        'limit_reached',
      );
      expect(await store.countKeys({ orgId: org.id, now: t() })).toBe(2);
    });

    it('never exceeds the limit under parallel inserts', async () => {
      const user = aUser();
      await store.insertUser(user);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          store.insertKey(aKey({ kind: 'personal', userId: user.id }).key, 3, t()),
        ),
      );
      expect(results.filter((r) => r === 'inserted')).toHaveLength(3);
      expect(await store.countKeys({ userId: user.id, now: t() })).toBe(3);
    });

    it('updates a current key and refuses to update an archived one', async () => {
      const { key } = aKey();
      await store.insertKey(key, 0, t());
      const updated = await store.updateKey(key.id, {
        displayName: 'Renamed',
        expiresAt: null,
        metadata: { v: 2 },
      });
      expect(updated).toMatchObject({
        displayName: 'Renamed',
        expiresAt: null,
        metadata: { v: 2 },
      });
      expect(await store.updateKey(key.id, {})).toMatchObject({ displayName: 'Renamed' });
      await store.archiveKey(key.id, t());
      expect(await store.updateKey(key.id, { displayName: 'Again' })).toBeNull();
      expect((await store.findKeyById(key.id))?.displayName).toBe('Renamed');
      expect(await store.updateKey('0'.repeat(32), { displayName: 'x' })).toBeNull();
    });

    it('archives a key once; a second archive is a no-op that returns null', async () => {
      const { key } = aKey();
      await store.insertKey(key, 0, t());
      const archived = await store.archiveKey(key.id, 1234);
      expect(archived).toMatchObject({ id: key.id, archivedAt: 1234 });
      expect(await store.archiveKey(key.id, 9999)).toBeNull();
      expect((await store.findKeyById(key.id))?.archivedAt).toBe(1234);
    });

    it('lists keys by owner, kind, state and search, newest first and paged', async () => {
      const user = aUser();
      const org = anOrg();
      await store.insertUser(user);
      await store.insertOrg(org);
      await store.upsertMembership(aMembership(user, org));
      const now = t();
      const current = aKey({
        kind: 'personal',
        userId: user.id,
        createdAt: now - 30,
        displayName: 'Deploy bot',
      });
      const expired = aKey({
        kind: 'personal',
        userId: user.id,
        createdAt: now - 20,
        expiresAt: now - 5,
      });
      const archived = aKey({
        kind: 'personal',
        userId: user.id,
        createdAt: now - 10,
        archivedAt: now - 1,
      });
      const orgKey = aKey({ kind: 'org', orgId: org.id, userId: user.id, createdAt: now });
      for (const k of [current, expired, archived, orgKey]) await store.insertKey(k.key, 0, now);

      const ids = async (f: Parameters<Store['listKeys']>[0]) =>
        (await store.listKeys(f, page)).items.map((k) => k.id);
      expect(await ids({ userId: user.id, kind: 'personal', now })).toEqual([
        archived.key.id,
        expired.key.id,
        current.key.id,
      ]);
      expect(await ids({ userId: user.id, archived: false, now })).toEqual([
        orgKey.key.id,
        expired.key.id,
        current.key.id,
      ]);
      expect(await ids({ archived: true, now })).toEqual([archived.key.id]);
      expect(await ids({ state: 'current', userId: user.id, now })).toEqual([
        orgKey.key.id,
        current.key.id,
      ]);
      expect(await ids({ state: 'expired', now })).toEqual([expired.key.id]);
      expect(await ids({ state: 'archived', now })).toEqual([archived.key.id]);
      expect(await ids({ orgId: org.id, now })).toEqual([orgKey.key.id]);
      expect(await ids({ search: 'deploy', now })).toEqual([current.key.id]);
      expect(await ids({ search: current.key.id.slice(0, 10), now })).toEqual([current.key.id]);
      expect(await ids({ search: current.key.hint.slice(-4), now })).toContain(current.key.id);
      const paged = await store.listKeys({ userId: user.id, now }, { limit: 2, offset: 2 });
      expect(paged.total).toBe(4);
      expect(paged.items).toHaveLength(2);
      expect(await store.countKeys({ userId: user.id, state: 'current', now })).toBe(2);
    });

    it('lists keys created in the same second newest first, in the order they were made', async () => {
      const user = aUser();
      await store.insertUser(user);
      const now = t();
      const made = Array.from({ length: 12 }, () =>
        aKey({ kind: 'personal', userId: user.id, createdAt: now }),
      );
      for (const { key } of made) await store.insertKey(key, 0, now);
      const listed = (await store.listKeys({ userId: user.id, now }, page)).items.map((k) => k.id);
      expect(listed).toEqual(made.map(({ key }) => key.id).reverse());
      const secondPage = await store.listKeys({ userId: user.id, now }, { limit: 5, offset: 5 });
      expect(secondPage.items.map((k) => k.id)).toEqual(listed.slice(5, 10));
    });
  });

  describe('validation revision (adapters that offer one)', () => {
    it('moves with a change a validation observes and not with usage or display names', async () => {
      if (!store.validationRevisionSync) return;
      const revision = () => store.validationRevisionSync!();
      const user = aUser();
      await store.insertUser(user);
      const { key } = aKey({ userId: user.id, kind: 'personal' });
      let before = revision();
      expect(await store.insertKey(key, 0, t())).toBe('inserted');
      expect(revision()).not.toBe(before);

      before = revision();
      await store.recordUsage([{ keyId: key.id, day: '2026-01-01', count: 3, lastUsedAt: t() }]);
      await store.updateKey(key.id, { displayName: 'renamed' });
      expect(revision()).toBe(before);

      await store.updateUser(user.id, { locked: true });
      expect(revision()).not.toBe(before);
      before = revision();
      await store.saveSettings(await store.getSettings());
      expect(revision()).not.toBe(before);
      before = revision();
      await store.archiveKey(key.id, t());
      expect(revision()).not.toBe(before);
    });

    it('moves with scopes, allowlists and a quota gained or dropped, not with quota leases', async () => {
      if (!store.validationRevisionSync) return;
      const revision = () => store.validationRevisionSync!();
      const { key } = aKey();
      await store.insertKey(key, 0, t());
      let before = revision();
      await store.updateKey(key.id, { scopes: ['projects:read'] });
      expect(revision()).not.toBe(before);
      before = revision();
      await store.updateKey(key.id, { allowedIps: ['10.0.0.0/8'] });
      expect(revision()).not.toBe(before);
      before = revision();
      await store.updateKey(key.id, { remaining: 100 });
      expect(revision()).not.toBe(before);

      before = revision();
      expect((await store.leaseUses(key.id, 1, 10, t()))?.granted).toBe(10);
      await store.returnUses(key.id, 4, null);
      await store.updateKey(key.id, { remaining: 50 });
      expect(revision()).toBe(before);

      await store.updateKey(key.id, { remaining: null });
      expect(revision()).not.toBe(before);
    });
  });
}

import { randomUUID } from 'node:crypto';
import type { Store } from '../../../src/core/store';
import { aKey, aMembership, anOrg, aUser } from '../../support/fixtures';
import { page, t, type CurrentStore } from './context';

/** Users, orgs and memberships, and the cascades that archive keys with them. */
export function describeDirectoryRecords(current: CurrentStore): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });

  describe('users', () => {
    it('inserts and finds a user by id and by email, ignoring case', async () => {
      const user = aUser({ email: 'Mixed.Case@Example.com', metadata: { plan: 'pro' } });
      expect(await store.insertUser(user)).toBe(true);
      expect(await store.findUserById(user.id)).toEqual(user);
      expect(await store.findUserByEmail('mixed.case@example.COM')).toEqual(user);
    });

    it('refuses a second user with the same email in another case', async () => {
      await store.insertUser(aUser({ email: 'same@example.com' }));
      expect(await store.insertUser(aUser({ email: 'SAME@example.com' }))).toBe(false);
      expect((await store.listUsers({}, page)).total).toBe(1);
    });

    it('returns null for unknown users', async () => {
      expect(await store.findUserById(randomUUID())).toBeNull();
      expect(await store.findUserByEmail('nobody@example.com')).toBeNull();
      expect(await store.updateUser(randomUUID(), { locked: true })).toBeNull();
      expect(await store.deleteUserAndArchiveKeys(randomUUID(), t(), false)).toBeNull();
    });

    it('updates fields and reports an email collision without changing anything', async () => {
      const a = aUser({ email: 'a@example.com' });
      const b = aUser({ email: 'b@example.com' });
      await store.insertUser(a);
      await store.insertUser(b);
      const updated = await store.updateUser(a.id, { locked: true, firstName: 'Ada' });
      expect(updated).toMatchObject({
        id: a.id,
        locked: true,
        firstName: 'Ada',
        email: 'a@example.com',
      });
      expect(await store.updateUser(b.id, { email: 'A@example.com', locked: true })).toBe(
        'email_taken',
      );
      expect(await store.findUserById(b.id)).toEqual(b);
    });

    it('lists users filtered by email and paged', async () => {
      for (let i = 0; i < 5; i++) await store.insertUser(aUser({ email: `list${i}@acme.test` }));
      await store.insertUser(aUser({ email: 'other@else.test' }));
      const first = await store.listUsers({ emailContains: 'ACME' }, { limit: 2, offset: 0 });
      expect(first.total).toBe(5);
      expect(first.items).toHaveLength(2);
      const last = await store.listUsers({ emailContains: 'acme' }, { limit: 2, offset: 4 });
      expect(last.items).toHaveLength(1);
      expect((await store.listUsers({ emailContains: '%' }, page)).total).toBe(0);
    });

    it('deleting a user removes memberships and archives their personal keys only', async () => {
      const user = aUser();
      const org = anOrg();
      await store.insertUser(user);
      await store.insertOrg(org);
      await store.upsertMembership(aMembership(user, org));
      const personal = aKey({ kind: 'personal', userId: user.id });
      const orgKey = aKey({ kind: 'org', orgId: org.id, userId: user.id });
      await store.insertKey(personal.key, 0, t());
      await store.insertKey(orgKey.key, 0, t());
      const result = await store.deleteUserAndArchiveKeys(user.id, t(), false);
      expect(result?.archivedKeyIds).toEqual([personal.key.id]);
      expect(await store.findUserById(user.id)).toBeNull();
      expect(await store.listMembershipsOfUser(user.id)).toEqual([]);
      expect((await store.findKeyById(personal.key.id))?.archivedAt).not.toBeNull();
      expect((await store.findKeyById(orgKey.key.id))?.archivedAt).toBeNull();
    });

    it('deleting a user can also archive the org keys they created', async () => {
      const user = aUser();
      const org = anOrg();
      await store.insertUser(user);
      await store.insertOrg(org);
      await store.upsertMembership(aMembership(user, org));
      const orgKey = aKey({ kind: 'org', orgId: org.id, userId: user.id });
      await store.insertKey(orgKey.key, 0, t());
      const result = await store.deleteUserAndArchiveKeys(user.id, t(), true);
      expect(result?.archivedKeyIds).toEqual([orgKey.key.id]);
    });
  });

  describe('orgs and memberships', () => {
    it('inserts, finds, lists and renames orgs; url-safe names are unique', async () => {
      const org = anOrg({ name: 'Acme', urlSafeName: 'acme', metadata: { tier: 1 } });
      expect(await store.insertOrg(org)).toBe(true);
      expect(await store.insertOrg(anOrg({ urlSafeName: 'acme' }))).toBe(false);
      expect(await store.findOrgById(org.id)).toEqual(org);
      expect(await store.findOrgsByIds([org.id, randomUUID()])).toEqual([org]);
      expect(await store.findOrgsByIds([])).toEqual([]);
      expect((await store.listOrgs({ nameContains: 'acm' }, page)).items).toEqual([org]);
      const other = anOrg({ urlSafeName: 'other' });
      await store.insertOrg(other);
      expect(await store.updateOrg(other.id, { urlSafeName: 'acme' })).toBe('name_taken');
      expect(await store.updateOrg(org.id, { name: 'Acme Inc' })).toMatchObject({
        name: 'Acme Inc',
        urlSafeName: 'acme',
      });
      expect(await store.updateOrg(randomUUID(), { name: 'x' })).toBeNull();
    });

    it('adds a member, changes their role in place, and lists both ways', async () => {
      const user = aUser();
      const org = anOrg();
      await store.insertUser(user);
      await store.insertOrg(org);
      const m = aMembership(user, org, { role: 'Member', joinedAt: 1000 });
      await store.upsertMembership(m);
      await store.upsertMembership({ ...m, role: 'Admin', joinedAt: 2000 });
      expect(await store.findMembership(user.id, org.id)).toEqual({
        ...m,
        role: 'Admin',
        joinedAt: 1000,
      });
      expect(await store.listMembershipsOfUser(user.id)).toHaveLength(1);
      const members = await store.listMembershipsOfOrg(org.id, page);
      expect(members.total).toBe(1);
      expect(members.items[0]?.role).toBe('Admin');
      expect(await store.findMembership(randomUUID(), org.id)).toBeNull();
    });

    it('removing a member archives the org keys they created only when asked', async () => {
      const [alice, bob] = [aUser(), aUser()];
      const org = anOrg();
      await store.insertUser(alice);
      await store.insertUser(bob);
      await store.insertOrg(org);
      await store.upsertMembership(aMembership(alice, org));
      await store.upsertMembership(aMembership(bob, org));
      const byAlice = aKey({ kind: 'org', orgId: org.id, userId: alice.id });
      const byBob = aKey({ kind: 'org', orgId: org.id, userId: bob.id });
      const alicePersonal = aKey({ kind: 'personal', userId: alice.id });
      for (const k of [byAlice, byBob, alicePersonal]) await store.insertKey(k.key, 0, t());

      expect(await store.removeMemberAndArchiveTheirOrgKeys(org.id, bob.id, t(), false)).toEqual({
        archivedKeyIds: [],
      });
      expect((await store.findKeyById(byBob.key.id))?.archivedAt).toBeNull();

      const result = await store.removeMemberAndArchiveTheirOrgKeys(org.id, alice.id, t(), true);
      expect(result).toEqual({ archivedKeyIds: [byAlice.key.id] });
      expect((await store.findKeyById(alicePersonal.key.id))?.archivedAt).toBeNull();
      expect(await store.findMembership(alice.id, org.id)).toBeNull();
      expect(
        await store.removeMemberAndArchiveTheirOrgKeys(org.id, alice.id, t(), true),
      ).toBeNull();
    });

    it('deleting an org removes its memberships and archives all its keys', async () => {
      const user = aUser();
      const org = anOrg();
      const otherOrg = anOrg();
      await store.insertUser(user);
      await store.insertOrg(org);
      await store.insertOrg(otherOrg);
      await store.upsertMembership(aMembership(user, org));
      const k1 = aKey({ kind: 'org', orgId: org.id, userId: user.id });
      const k2 = aKey({ kind: 'org', orgId: org.id });
      const k3 = aKey({ kind: 'org', orgId: otherOrg.id });
      for (const k of [k1, k2, k3]) await store.insertKey(k.key, 0, t());
      const result = await store.deleteOrgAndArchiveKeys(org.id, t());
      expect(result?.archivedKeyIds.sort()).toEqual([k1.key.id, k2.key.id].sort());
      expect(await store.findOrgById(org.id)).toBeNull();
      expect(await store.listMembershipsOfUser(user.id)).toEqual([]);
      expect((await store.findKeyById(k3.key.id))?.archivedAt).toBeNull();
      expect(await store.deleteOrgAndArchiveKeys(org.id, t())).toBeNull();
    });
  });
}

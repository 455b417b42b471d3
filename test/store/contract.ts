import { randomUUID } from 'node:crypto';
import { DEFAULT_SETTINGS } from '../../src/core/types';
import { keyToValidate, userToValidate, type Store } from '../../src/core/store';
import { aKey, aMembership, anOrg, aUser } from '../support/fixtures';

/**
 * The store contract: every adapter runs this suite unchanged by passing a
 * factory that returns a fresh, empty store.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} store contract`, () => {
    let store: Store;
    const page = { limit: 50, offset: 0 };
    const t = () => Math.floor(Date.now() / 1000);

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
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
    });

    describe('reading a key for validation', () => {
      /** A user in two orgs, joined in the order b, a. */
      async function aUserInTwoOrgs() {
        const user = aUser({ metadata: { team: 'core' }, passwordHash: 'hash', locked: true });
        const a = anOrg({ metadata: { tier: 'gold', limits: [1, 2] } });
        const b = anOrg();
        await store.insertUser(user);
        await store.insertOrg(a);
        await store.insertOrg(b);
        const inA = aMembership(user, a, { role: 'Owner', joinedAt: 2000 });
        const inB = aMembership(user, b, { role: 'Member', joinedAt: 1000 });
        await store.upsertMembership(inA);
        await store.upsertMembership(inB);
        return { user, a, b, inA, inB };
      }

      async function aStoredKey(overrides: Parameters<typeof aKey>[0]) {
        const { key } = aKey(overrides);
        expect(await store.insertKey(key, 0, t())).toBe('inserted');
        return key;
      }

      /** findKeyForValidation, checked against the synchronous read where the adapter has one. */
      async function readForValidation(digest: string) {
        const found = await store.findKeyForValidation(digest);
        if (store.findKeyForValidationSync) {
          expect(store.findKeyForValidationSync(digest)).toEqual(found);
        }
        return found;
      }

      it('returns null for a digest no key has', async () => {
        expect(await readForValidation('f'.repeat(64))).toBeNull();
      });

      it('reads no password hash and no field a verdict does not use', async () => {
        const w = await aUserInTwoOrgs();
        await store.updateUser(w.user.id, { firstName: 'Ada', username: 'ada-l' });
        const key = await aStoredKey({ kind: 'personal', userId: w.user.id });
        const found = await readForValidation(key.digest);
        expect(found?.user?.hasPassword).toBe(true);
        expect(Object.keys(found?.user ?? {}).sort()).toEqual(
          [
            'canCreateOrgs',
            'createdAt',
            'email',
            'emailConfirmed',
            'enabled',
            'hasPassword',
            'id',
            'lastActiveAt',
            'locked',
            'mfaEnabled',
            'pictureUrl',
            'updatePasswordRequired',
          ].sort(),
        );
        const text = JSON.stringify(found);
        for (const held of ['hash', 'Ada', 'ada-l', 'core', key.digest, key.hint, key.displayName])
          expect(text).not.toContain(held);
      });

      it('returns a personal key with its user and their memberships in join order', async () => {
        const w = await aUserInTwoOrgs();
        const key = await aStoredKey({
          kind: 'personal',
          userId: w.user.id,
          metadata: { nested: { a: [1, 'two', null] } },
          rateLimit: { limit: 5, periodSeconds: 60 },
          expiresAt: t() + 100,
        });
        expect(await readForValidation(key.digest)).toEqual({
          key: keyToValidate(key),
          user: userToValidate(w.user),
          org: null,
          memberships: [
            { membership: w.inB, org: w.b },
            { membership: w.inA, org: w.a },
          ],
        });
      });

      it("returns an org key with its org, its creator and the creator's memberships", async () => {
        const user = aUser();
        const org = anOrg({ metadata: { region: 'eu' } });
        await store.insertUser(user);
        await store.insertOrg(org);
        const membership = aMembership(user, org, { role: 'Admin' });
        await store.upsertMembership(membership);
        const key = await aStoredKey({
          kind: 'org',
          orgId: org.id,
          userId: user.id,
          imported: true,
        });
        const found = await readForValidation(key.digest);
        expect(found).toEqual({
          key: keyToValidate(key),
          user: userToValidate(user),
          org,
          memberships: [{ membership, org }],
        });
        expect(found?.user?.hasPassword).toBe(false);
      });

      it('returns a generic key alone', async () => {
        const key = await aStoredKey({ kind: 'generic', metadata: { service: 'billing' } });
        expect(await readForValidation(key.digest)).toEqual({
          key: keyToValidate(key),
          user: null,
          org: null,
          memberships: [],
        });
      });

      it('returns an archived key as it is stored', async () => {
        const w = await aUserInTwoOrgs();
        const key = await aStoredKey({ kind: 'personal', userId: w.user.id });
        await store.archiveKey(key.id, 1234);
        const found = await readForValidation(key.digest);
        expect(found?.key).toEqual(keyToValidate({ ...key, archivedAt: 1234 }));
        expect(found?.user).toEqual(userToValidate(w.user));
        expect(found?.memberships).toHaveLength(2);
      });

      it('leaves out a deleted user and their memberships, for their own and their org keys', async () => {
        const w = await aUserInTwoOrgs();
        const key = await aStoredKey({ kind: 'personal', userId: w.user.id });
        const orgKey = await aStoredKey({ kind: 'org', orgId: w.a.id, userId: w.user.id });
        await store.deleteUserAndArchiveKeys(w.user.id, 1234, false);
        expect(await readForValidation(key.digest)).toEqual({
          key: keyToValidate({ ...key, archivedAt: 1234 }),
          user: null,
          org: null,
          memberships: [],
        });
        expect(await readForValidation(orgKey.digest)).toEqual({
          key: keyToValidate(orgKey),
          user: null,
          org: w.a,
          memberships: [],
        });
      });

      it("leaves out a deleted org, also from the creator's memberships", async () => {
        const w = await aUserInTwoOrgs();
        const key = await aStoredKey({ kind: 'org', orgId: w.a.id, userId: w.user.id });
        await store.deleteOrgAndArchiveKeys(w.a.id, 1234);
        expect(await readForValidation(key.digest)).toEqual({
          key: keyToValidate({ ...key, archivedAt: 1234 }),
          user: userToValidate(w.user),
          org: null,
          memberships: [{ membership: w.inB, org: w.b }],
        });
      });
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
        expect((await store.findKeyById(a.key.id))?.lastUsedAt).toBe(600);
        expect((await store.findKeyById(b.key.id))?.lastUsedAt).toBe(400);
      });
    });

    describe('settings', () => {
      it('returns the defaults until saved, then what was saved', async () => {
        expect(await store.getSettings()).toEqual(DEFAULT_SETTINGS);
        const next = {
          ...DEFAULT_SETTINGS,
          personalKeysEnabled: false,
          tokenPrefix: 'acme',
          expiryChoices: ['1y' as const],
          userRateLimit: { limit: 10, periodSeconds: 3600 },
        };
        await store.saveSettings(next);
        expect(await store.getSettings()).toEqual(next);
      });
    });

    describe('audit log', () => {
      it('appends events and lists them newest first, filtered and paged', async () => {
        for (let i = 0; i < 3; i++) {
          await store.appendAudit({
            id: randomUUID(),
            at: 100 + i,
            actor: i === 2 ? 'admin:1' : 'cli',
            action: i === 1 ? 'key.archived' : 'key.created',
            targetType: 'key',
            targetId: `k${i}`,
            ip: i === 0 ? null : '127.0.0.1',
            details: { i },
          });
        }
        const all = await store.listAudit({}, page);
        expect(all.total).toBe(3);
        expect(all.items.map((e) => e.targetId)).toEqual(['k2', 'k1', 'k0']);
        expect(all.items[2]).toMatchObject({ ip: null, details: { i: 0 }, actor: 'cli' });
        expect((await store.listAudit({ action: 'key.created' }, page)).total).toBe(2);
        expect((await store.listAudit({ actor: 'admin:1' }, page)).items[0]?.targetId).toBe('k2');
        expect((await store.listAudit({ targetType: 'key', targetId: 'k1' }, page)).total).toBe(1);
        expect((await store.listAudit({}, { limit: 1, offset: 1 })).items[0]?.targetId).toBe('k1');
      });
    });

    describe('admins and setup tokens', () => {
      it('stores admins with unique emails and refuses to delete the last one', async () => {
        const admin = {
          id: randomUUID(),
          email: 'Root@example.com',
          passwordHash: 'h',
          createdAt: 1,
          lastLoginAt: null,
        };
        expect(await store.insertAdmin(admin)).toBe(true);
        expect(
          await store.insertAdmin({ ...admin, id: randomUUID(), email: 'root@EXAMPLE.com' }),
        ).toBe(false);
        expect(await store.findAdminByEmail('root@example.com')).toEqual(admin);
        expect(await store.findAdminById(admin.id)).toEqual(admin);
        expect(await store.updateAdmin(admin.id, { lastLoginAt: 50 })).toMatchObject({
          lastLoginAt: 50,
          passwordHash: 'h',
        });
        expect(await store.deleteAdmin(admin.id)).toBe('last_admin');
        const second = { ...admin, id: randomUUID(), email: 'two@example.com' };
        await store.insertAdmin(second);
        expect(await store.listAdmins()).toHaveLength(2);
        expect(await store.deleteAdmin(admin.id)).toBe('deleted');
        expect(await store.deleteAdmin(admin.id)).toBe('not_found');
        expect(await store.updateAdmin(admin.id, { lastLoginAt: 1 })).toBeNull();
      });

      it('consumes a setup token once and only before it expires', async () => {
        await store.saveSetupToken({ digest: 'a'.repeat(64), expiresAt: 1000 });
        await store.saveSetupToken({ digest: 'b'.repeat(64), expiresAt: 10 });
        expect(await store.consumeSetupToken('a'.repeat(64), 500)).toBe(true);
        expect(await store.consumeSetupToken('a'.repeat(64), 500)).toBe(false);
        expect(await store.consumeSetupToken('b'.repeat(64), 500)).toBe(false);
        expect(await store.consumeSetupToken('c'.repeat(64), 500)).toBe(false);
      });
    });

    describe('integration keys', () => {
      it('stores, finds by digest, touches and archives integration keys', async () => {
        const key = {
          id: randomUUID(),
          digest: 'd'.repeat(64),
          name: 'CI',
          hint: 'lki_…abcd',
          createdAt: 1,
          lastUsedAt: null,
          archivedAt: null,
        };
        await store.insertIntegrationKey(key);
        expect(await store.findIntegrationKeyByDigest(key.digest)).toEqual(key);
        await store.touchIntegrationKey(key.id, 77);
        expect((await store.listIntegrationKeys())[0]?.lastUsedAt).toBe(77);
        expect(await store.archiveIntegrationKey(key.id, 88)).toMatchObject({ archivedAt: 88 });
        expect(await store.archiveIntegrationKey(key.id, 99)).toBeNull();
        expect(await store.findIntegrationKeyByDigest('e'.repeat(64))).toBeNull();
      });
    });

    describe('sessions', () => {
      it('stores, replaces, expires and destroys sessions', async () => {
        await store.setSession('s1', { data: '{"a":1}', expiresAt: 1000 });
        await store.setSession('s1', { data: '{"a":2}', expiresAt: 2000 });
        await store.setSession('s2', { data: '{}', expiresAt: 100 });
        expect(await store.getSession('s1', 500)).toEqual({ data: '{"a":2}', expiresAt: 2000 });
        expect(await store.getSession('s2', 500)).toBeNull();
        expect(await store.pruneSessions(500)).toBe(1);
        await store.destroySession('s1');
        expect(await store.getSession('s1', 500)).toBeNull();
      });
    });
  });
}

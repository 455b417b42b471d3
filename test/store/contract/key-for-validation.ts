import { keyToValidate, userToValidate, type Store } from '../../../src/core/store';
import { aKey, aMembership, anOrg, aUser } from '../../support/fixtures';
import { t, type CurrentStore } from './context';

/** The one read a validation makes: a key with its user, org and memberships. */
export function describeKeyForValidation(current: CurrentStore): void {
  let store: Store;
  beforeEach(() => {
    store = current();
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
        scopes: ['projects:read', 'projects:write'],
        allowedIps: ['10.0.0.0/8'],
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
}

import type { ApiKey } from '../../src/core/types';
import { keyToDoc, orgToDoc, userToDoc } from '../../src/store/mongo/mappers';
import { aKey, anOrg, aUser } from '../support/fixtures';
import { scriptedStore } from './mongo-offline';

/** The MongoDB validation read, offline: the parts it joins and what it leaves out. */

// Documents as the store writes them, from the same record builders as the other store tests.
const aStoredKey = (overrides: Partial<ApiKey> = {}) =>
  aKey({ id: 'k1', kind: 'personal', userId: 'u1', metadata: { plan: 'pro' }, ...overrides }).key;
const keyDoc = (overrides: Partial<ApiKey> = {}) => keyToDoc(aStoredKey(overrides));
const user = aUser({
  id: 'u1',
  email: 'ada@example.com',
  emailConfirmed: false,
  passwordHash: 'bcrypt-hash',
  pictureUrl: 'https://example.com/ada.png',
  mfaEnabled: true,
  canCreateOrgs: true,
  firstName: 'Ada',
  username: 'ada-l',
  metadata: { team: 'core' },
});
const userDoc = userToDoc(user);
const orgDoc = (id: string) =>
  orgToDoc(anOrg({ id, name: `Org ${id}`, urlSafeName: id, createdAt: 1 }));

describe('MongoDB findKeyForValidation', () => {
  it('joins the key with its user and their memberships, leaving out orgs that are gone', async () => {
    const { store, steps } = scriptedStore({
      'ApiKey.findOne': keyDoc(),
      'User.findOne': userDoc,
      'Membership.find': [
        { userId: 'u1', orgId: 'o1', role: 'Admin', joinedAt: 1 },
        { userId: 'u1', orgId: 'gone', role: 'Member', joinedAt: 2 },
      ],
      'Org.find': [orgDoc('o1')],
    });
    const found = await store.findKeyForValidation('d'.repeat(64));
    const key = aStoredKey();
    // Only what a verdict uses, as the SQLite read gives it: no hash, names or metadata.
    expect(found?.key).toEqual({
      id: 'k1',
      kind: 'personal',
      userId: 'u1',
      orgId: null,
      metadata: { plan: 'pro' },
      expiresAt: key.expiresAt,
      archivedAt: null,
      imported: false,
      rateLimit: null,
      scopes: null,
      allowedIps: null,
    });
    expect(found?.user).toEqual({
      id: 'u1',
      email: 'ada@example.com',
      emailConfirmed: false,
      hasPassword: true,
      pictureUrl: 'https://example.com/ada.png',
      locked: false,
      enabled: true,
      mfaEnabled: true,
      canCreateOrgs: true,
      updatePasswordRequired: false,
      createdAt: user.createdAt,
      lastActiveAt: user.lastActiveAt,
    });
    expect(found?.org).toBeNull();
    expect(found?.memberships).toEqual([
      {
        membership: { userId: 'u1', orgId: 'o1', role: 'Admin', joinedAt: 1 },
        org: { id: 'o1', name: 'Org o1', urlSafeName: 'o1', metadata: {}, createdAt: 1 },
      },
    ]);
    expect(steps).not.toContain('Org.findOne');
  });

  it('reads the org of an org key, and no memberships when its creator is gone', async () => {
    const { store } = scriptedStore({
      'ApiKey.findOne': keyDoc({ kind: 'org', orgId: 'o1' }),
      'Org.findOne': orgDoc('o1'),
      'Membership.find': [{ userId: 'u1', orgId: 'o1', role: 'Admin', joinedAt: 1 }],
      'Org.find': [orgDoc('o1')],
    });
    const found = await store.findKeyForValidation('d'.repeat(64));
    expect(found?.org).toMatchObject({ id: 'o1' });
    expect(found?.user).toBeNull();
    expect(found?.memberships).toEqual([]);
  });

  it('reads nothing more for an unknown digest or a generic key', async () => {
    const unknown = scriptedStore({});
    expect(await unknown.store.findKeyForValidation('d'.repeat(64))).toBeNull();
    expect(unknown.steps).toEqual(['ApiKey.findOne']);
    const generic = scriptedStore({ 'ApiKey.findOne': keyDoc({ kind: 'generic', userId: null }) });
    expect(await generic.store.findKeyForValidation('d'.repeat(64))).toMatchObject({
      user: null,
      org: null,
      memberships: [],
    });
    expect(generic.steps).toEqual(['ApiKey.findOne']);
  });
});

import { randomUUID } from 'node:crypto';
import {
  adminFromDoc,
  adminToDoc,
  auditFromDoc,
  auditToDoc,
  integrationKeyFromDoc,
  integrationKeyToDoc,
  keyFromDoc,
  keyToDoc,
  orgFromDoc,
  orgToDoc,
  pickSet,
  userFromDoc,
  userPatchToSet,
  userToDoc,
} from '../../src/store/mongo/mappers';
import type { ApiKeyDoc } from '../../src/store/mongo/models';
import { aKey, anOrg, aUser } from '../support/fixtures';

describe('MongoDB document mapping', () => {
  it('round-trips users, with the id as _id and a lower-cased email copy', () => {
    const user = aUser({ email: 'Ada@Example.COM', metadata: { plan: 'pro' }, firstName: 'Ada' });
    const doc = userToDoc(user);
    expect(doc).toMatchObject({ _id: user.id, emailLower: 'ada@example.com' });
    expect(doc).not.toHaveProperty('id');
    expect(userFromDoc(doc)).toEqual(user);
  });

  it('round-trips keys, orgs, admins, integration keys and audit events', () => {
    const { key } = aKey({ metadata: { nested: { a: [1, 'two', null] } }, expiresAt: 5 });
    expect(keyFromDoc(keyToDoc(key))).toEqual(key);
    const org = anOrg({ metadata: { tier: 1 } });
    expect(orgFromDoc(orgToDoc(org))).toEqual(org);
    const admin = {
      id: randomUUID(),
      email: 'Root@x.io',
      passwordHash: 'h',
      createdAt: 1,
      lastLoginAt: null,
    };
    expect(adminToDoc(admin).emailLower).toBe('root@x.io');
    expect(adminFromDoc(adminToDoc(admin))).toEqual(admin);
    const ik = {
      id: randomUUID(),
      digest: 'd'.repeat(64),
      name: 'CI',
      hint: 'h',
      createdAt: 1,
      lastUsedAt: null,
      archivedAt: 2,
    };
    expect(integrationKeyFromDoc(integrationKeyToDoc(ik))).toEqual(ik);
    const event = {
      id: randomUUID(),
      at: 1,
      actor: 'cli',
      action: 'key.created',
      targetType: 'key' as const,
      targetId: 'k',
      ip: null,
      details: { a: 1 },
    };
    expect(auditFromDoc(auditToDoc(event))).toEqual(event);
  });

  it('reads documents missing optional fields as null and metadata as {}', () => {
    const { key } = aKey();
    const partial = { ...keyToDoc(key) } as Partial<ApiKeyDoc>;
    delete partial.lastUsedAt;
    delete partial.expiresAt;
    delete partial.metadata;
    expect(keyFromDoc(partial as ApiKeyDoc)).toMatchObject({
      lastUsedAt: null,
      expiresAt: null,
      metadata: {},
    });
  });

  it('round-trips a key’s scopes and allowlist, and reads an older document without them as null', () => {
    const { key } = aKey({ scopes: ['projects:read'], allowedIps: ['10.0.0.0/8', '2001:db8::1'] });
    expect(keyFromDoc(keyToDoc(key))).toEqual(key);
    const { scopes: _s, allowedIps: _a, ...older } = keyToDoc(aKey().key);
    expect(keyFromDoc(older)).toMatchObject({ scopes: null, allowedIps: null });
  });

  it('builds a user $set from known fields only, keeping emailLower in step with email', () => {
    const patch = { email: 'New@Mail.io', locked: true, id: 'x', createdAt: 1, $where: 'evil' };
    expect(userPatchToSet(patch as never)).toEqual({
      email: 'New@Mail.io',
      emailLower: 'new@mail.io',
      locked: true,
    });
    expect(userPatchToSet({ firstName: undefined })).toEqual({});
  });

  it('picks the named fields of a patch, keeping explicit nulls', () => {
    const patch = { displayName: 'x', expiresAt: null, metadata: undefined, archivedAt: 5 };
    expect(pickSet(patch, ['displayName', 'expiresAt', 'metadata'] as const)).toEqual({
      displayName: 'x',
      expiresAt: null,
    });
  });
});

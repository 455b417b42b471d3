import { LatchkeyError } from '../../src/core/errors';
import { keyQuery } from '../../src/store/mongo/queries';
import {
  asId,
  asIds,
  assertStorableJson,
  containsRegex,
  prefixRegex,
} from '../../src/store/mongo/query-values';
import { aKey } from '../support/fixtures';
import { storeThatMustNotQuery } from './mongo-offline';

/** Values from requests reach MongoDB filters only as plain strings; no server needed to check. */

const operator = { $ne: null } as unknown as string;
const page = { limit: 10, offset: 0 };

describe('MongoDB query values', () => {
  it('accepts only non-empty strings as ids', () => {
    expect(asId('abc')).toBe('abc');
    for (const bad of [{ $ne: null }, ['a'], 1, null, undefined, '', 'x'.repeat(513)]) {
      expect(asId(bad)).toBeNull();
    }
    expect(asIds(['a', { $gt: '' }, 2, 'b'])).toEqual(['a', 'b']);
    expect(asIds({ $in: ['a'] })).toEqual([]);
  });

  it('matches search text literally, not as a regular expression', () => {
    expect(containsRegex('a.c').test('abc')).toBe(false);
    expect(containsRegex('a.c').test('xA.Cx')).toBe(true);
    expect(prefixRegex('.*').test('anything')).toBe(false);
    expect(prefixRegex('ab').test('xab')).toBe(false);
  });

  it('refuses metadata keys that MongoDB would read as operators or paths, at any depth', () => {
    expect(() =>
      assertStorableJson('metadata', { ok: { fine: [1, { also: true }] } }),
    ).not.toThrow();
    for (const bad of [{ $set: 1 }, { 'a.b': 1 }, { a: [{ $gt: 1 }] }, { a: { 'x\0': 1 } }]) {
      let error: unknown;
      try {
        assertStorableJson('metadata', bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LatchkeyError);
      expect((error as LatchkeyError).fields).toEqual({
        metadata: ['keys must not start with "$" or contain "."'],
      });
    }
  });

  it('builds key filters from strings only; an object in a filter matches nothing', () => {
    const now = 1000;
    expect(keyQuery({ userId: 'u1', kind: 'personal', now })).toEqual({
      $and: [{ kind: 'personal' }, { userId: 'u1' }],
    });
    expect(keyQuery({ userId: operator, now })).toBeNull();
    expect(keyQuery({ orgId: operator, now })).toBeNull();
    expect(keyQuery({ kind: operator as never, now })).toBeNull();
    expect(keyQuery({ search: operator, now })).toBeNull();
    expect(keyQuery({ now })).toEqual({});
  });
});

describe('MongoDB store with hostile ids', () => {
  it('answers "not found" for object ids without sending any query', async () => {
    const { store, calls } = storeThatMustNotQuery();
    const now = 1000;
    expect(await store.findUserById(operator)).toBeNull();
    expect(await store.findUserByEmail(operator)).toBeNull();
    expect(await store.updateUser(operator, { locked: true })).toBeNull();
    expect(await store.deleteUserAndArchiveKeys(operator, now, true)).toBeNull();
    expect(await store.findOrgById(operator)).toBeNull();
    expect(await store.findOrgsByIds([operator])).toEqual([]);
    expect(await store.updateOrg(operator, { name: 'x' })).toBeNull();
    expect(await store.deleteOrgAndArchiveKeys(operator, now)).toBeNull();
    expect(await store.findMembership(operator, 'o')).toBeNull();
    expect(await store.listMembershipsOfUser(operator)).toEqual([]);
    expect(await store.listMembershipsOfOrg(operator, page)).toEqual({ items: [], total: 0 });
    expect(await store.removeMemberAndArchiveTheirOrgKeys('o', operator, now, true)).toBeNull();
    expect(await store.findKeyById(operator)).toBeNull();
    expect(await store.findKeyByDigest(operator)).toBeNull();
    expect(await store.findKeyForValidation(operator)).toBeNull();
    expect(await store.listKeys({ userId: operator, now }, page)).toEqual({ items: [], total: 0 });
    expect(await store.countKeys({ orgId: operator, now })).toBe(0);
    expect(await store.updateKey(operator, { displayName: 'x' })).toBeNull();
    expect(await store.archiveKey(operator, now)).toBeNull();
    expect(await store.countUsage(operator, {})).toBe(0);
    expect(await store.countUsage('2026-01-01', { keyId: operator })).toBe(0);
    expect(await store.usageByDay('2026-01-01', '2026-01-02', { userId: operator })).toEqual([]);
    expect(await store.listUsers({ emailContains: operator }, page)).toEqual({
      items: [],
      total: 0,
    });
    expect(await store.listOrgs({ nameContains: operator }, page)).toEqual({ items: [], total: 0 });
    expect(await store.listAudit({ actor: operator }, page)).toEqual({ items: [], total: 0 });
    expect(await store.findAdminById(operator)).toBeNull();
    expect(await store.findAdminByEmail(operator)).toBeNull();
    expect(await store.updateAdmin(operator, { lastLoginAt: 1 })).toBeNull();
    expect(await store.deleteAdmin(operator)).toBe('not_found');
    expect(await store.consumeSetupToken(operator, now)).toBe(false);
    expect(await store.findIntegrationKeyByDigest(operator)).toBeNull();
    expect(await store.archiveIntegrationKey(operator, now)).toBeNull();
    expect(await store.getSession(operator, now)).toBeNull();
    await store.destroySession(operator);
    await store.touchIntegrationKey(operator, now);
    expect(calls).toEqual([]);
    // The same call with a string id does reach the (spied) database.
    await expect(store.findUserById('a-real-id')).rejects.toThrow('reached the database');
  });

  it('refuses to write metadata with operator-like keys before reaching MongoDB', async () => {
    const { store, calls } = storeThatMustNotQuery();
    const { key } = aKey({ metadata: { $where: 'sleep(1000)' } });
    await expect(store.insertKey(key, 0, 1)).rejects.toBeInstanceOf(LatchkeyError);
    await expect(store.updateKey(key.id, { metadata: { 'a.b': 1 } })).rejects.toBeInstanceOf(
      LatchkeyError,
    );
    expect(calls).toEqual([]);
  });
});

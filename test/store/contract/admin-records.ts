import { randomUUID } from 'node:crypto';
import { DEFAULT_SETTINGS } from '../../../src/core/types';
import type { Store } from '../../../src/core/store';
import { aKey, aMembership, anOrg, aUser } from '../../support/fixtures';
import { page, t, type CurrentStore } from './context';

/** Settings, the audit log, admins, setup tokens and integration keys. */
export function describeAdminRecords(current: CurrentStore): void {
  let store: Store;
  beforeEach(() => {
    store = current();
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

  describe('brand images', () => {
    it("keeps an image's bytes and type, and finds nothing for an unknown id", async () => {
      const id = randomUUID();
      const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 7]);
      await store.saveBrandAsset({ id, contentType: 'image/png', bytes, createdAt: 1234 });
      const found = await store.findBrandAsset(id);
      expect(found).toEqual({ id, contentType: 'image/png', bytes, createdAt: 1234 });
      expect(found!.bytes).toBeInstanceOf(Uint8Array);
      expect(await store.findBrandAsset(randomUUID())).toBeNull();
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

    it('lists the events about an id: its own, and memberships and admins naming it', async () => {
      const targets: [string, string][] = [
        ['org', 'o1'],
        ['user', 'u1'],
        ['membership', 'o1:u1'],
        ['membership', 'o2:u1'],
        ['settings', 'admin:u1'],
        ['user', 'u10'],
        ['user', 'u_1'],
        ['user', 'x%'],
      ];
      for (const [i, [targetType, targetId]] of targets.entries()) {
        await store.appendAudit({
          id: randomUUID(),
          at: 100 + i,
          actor: 'cli',
          action: 'a',
          targetType: targetType as 'user',
          targetId,
          ip: null,
          details: {},
        });
      }
      const about = async (...ids: string[]) =>
        (await store.listAudit({ involving: ids }, page)).items.map((e) => e.targetId);
      expect(await about('u1')).toEqual(['admin:u1', 'o2:u1', 'o1:u1', 'u1']);
      expect(await about('o1')).toEqual(['o1:u1', 'o1']);
      expect(await about('o1', 'u1')).toEqual(['o1:u1']);
      // Wildcards in an id are taken literally.
      expect(await about('%')).toEqual([]);
      expect(await about('x%')).toEqual(['x%']);
      expect((await store.listAudit({ involving: ['u1'], targetType: 'user' }, page)).total).toBe(
        1,
      );
    });

    it('finds the names audit events point at, leaving out unknown ids', async () => {
      const user = aUser({ email: 'named@example.com' });
      const org = anOrg({ name: 'Named Org' });
      await store.insertUser(user);
      await store.insertOrg(org);
      await store.upsertMembership(aMembership(user, org));
      const { key } = aKey({ kind: 'personal', userId: user.id, displayName: 'Deploy' });
      expect(await store.insertKey(key, 0, t())).toBe('inserted');
      const admin = { id: randomUUID(), email: 'boss@example.com', passwordHash: 'h' };
      await store.insertAdmin({ ...admin, createdAt: 1, lastLoginAt: null });
      const ik = { id: randomUUID(), digest: 'e'.repeat(64), name: 'CI', hint: 'lki_…x' };
      await store.insertIntegrationKey({ ...ik, createdAt: 1, lastUsedAt: null, archivedAt: null });
      const gone = randomUUID();
      const names = await store.findAuditNames({
        userIds: [user.id, user.id, gone],
        orgIds: [org.id, gone],
        keyIds: [key.id, gone],
        adminIds: [admin.id, gone],
        integrationKeyIds: [ik.id, gone],
      });
      expect(names).toEqual({
        users: [{ id: user.id, email: 'named@example.com' }],
        orgs: [{ id: org.id, name: 'Named Org' }],
        keys: [{ id: key.id, displayName: 'Deploy', hint: key.hint }],
        admins: [{ id: admin.id, email: 'boss@example.com' }],
        integrationKeys: [{ id: ik.id, name: 'CI' }],
      });
      const none = { userIds: [], orgIds: [], keyIds: [], adminIds: [], integrationKeyIds: [] };
      expect(await store.findAuditNames(none)).toEqual({
        users: [],
        orgs: [],
        keys: [],
        admins: [],
        integrationKeys: [],
      });
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
}

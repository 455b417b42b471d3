import { randomUUID } from 'node:crypto';
import { countsMatch, migrateSqliteToMongo, TABLES } from '../../src/cli/migrate-sqlite-to-mongo';
import { DEFAULT_SETTINGS } from '../../src/core/types';
import type { MongoStore } from '../../src/store/mongo';
import {
  createMongoStore,
  createPageSessionStore,
  watchKeyChanges,
  type KeyChange,
} from '../../src/store/mongo';
import { supportsTransactions } from '../../src/store/mongo/transactions';
import { createSqliteStore } from '../../src/store/sqlite';
import { aKey, aMembership, anOrg, aUser } from '../support/fixtures';
import { freshStore } from './mongo-target';

/** Behaviour only MongoDB has, on a live server: indexes, injection, change streams, migration. */
export function describeMongoExtras(name: string, uri: () => Promise<string>): void {
  describe(`${name} specifics`, () => {
    let store: MongoStore;
    const now = () => Math.floor(Date.now() / 1000);

    beforeEach(async () => {
      store = await freshStore(await uri());
    });
    afterEach(async () => {
      await store.close();
    });

    it('builds the unique indexes in the database', async () => {
      const unique = async (model: { collection: { indexes(): Promise<unknown[]> } }) =>
        ((await model.collection.indexes()) as { key: object; unique?: boolean }[])
          .filter((i) => i.unique)
          .map((i) => Object.keys(i.key).join('+'));
      const m = store.models;
      expect(await unique(m.ApiKey)).toContain('digest');
      expect(await unique(m.User)).toContain('emailLower');
      expect(await unique(m.Membership)).toContain('userId+orgId');
      expect(await unique(m.Org)).toContain('urlSafeName');
      expect(await unique(m.Admin)).toContain('emailLower');
      expect(await unique(m.IntegrationKey)).toContain('digest');
    });

    it('never turns an object where an id belongs into a query operator', async () => {
      const user = aUser();
      await store.insertUser(user);
      await store.insertKey(aKey({ kind: 'personal', userId: user.id }).key, 0, now());
      const operator = { $ne: null } as unknown as string;
      expect(await store.findKeyById(operator)).toBeNull();
      expect(await store.findKeyByDigest(operator)).toBeNull();
      expect(await store.findUserById(operator)).toBeNull();
      expect(await store.findUserByEmail({ $gt: '' } as unknown as string)).toBeNull();
      expect(await store.archiveKey(operator, now())).toBeNull();
      expect(
        (await store.listKeys({ userId: operator, now: now() }, { limit: 10, offset: 0 })).total,
      ).toBe(0);
      expect(await store.countUsage('2026-01-01', { keyId: operator })).toBe(0);
      expect(await store.deleteUserAndArchiveKeys(operator, now(), true)).toBeNull();
      expect(await store.findUserById(user.id)).toEqual(user);
    });

    it('uses transactions for cascades exactly when the deployment has them', async () => {
      expect(store.options.useTransactions).toBe(await supportsTransactions(store.connection));
    });

    it('tells another process at once when a key is archived (replica sets), else says why not', async () => {
      // A second store on the same database, as another Latchkey process would have.
      const other = await createMongoStore({ uri: await uri(), dbName: store.connection.name });
      const changes: KeyChange[] = [];
      const watch = await watchKeyChanges(other, (c) => changes.push(c));
      try {
        if (!(await supportsTransactions(store.connection))) {
          expect(watch.active).toBe(false);
          expect(watch.reason).toMatch(/replica set/);
          return;
        }
        expect(watch.active).toBe(true);
        const { key } = aKey();
        await store.insertKey(key, 0, now());
        await store.recordUsage([
          { keyId: key.id, day: '2026-01-01', count: 1, lastUsedAt: now() },
        ]);
        await store.archiveKey(key.id, now());
        const deadline = Date.now() + 5_000;
        while (changes.length < 2 && Date.now() < deadline) await sleep(50);
        // The insert and the archive; the usage flush (last-used only) is filtered out.
        expect(changes).toEqual([
          { scope: 'key', keyId: key.id, digest: key.digest },
          { scope: 'key', keyId: key.id, digest: key.digest },
        ]);
      } finally {
        await watch.close();
        await other.connection.close();
      }
    });

    it('keeps page sessions in the same database through connect-mongo', async () => {
      const sessions = createPageSessionStore({
        uri: await uri(),
        dbName: store.connection.name,
        ttlSeconds: 60,
        ttlIndexes: store.options.capabilities?.ttlIndexes,
      });
      try {
        const data = { cookie: { originalMaxAge: 60_000 }, userId: 'u1' } as never;
        await new Promise<void>((resolve, reject) =>
          sessions.set('sid-x', data, (e) => (e ? reject(e) : resolve())),
        );
        const got = await new Promise<unknown>((resolve, reject) =>
          sessions.get('sid-x', (e, s) => (e ? reject(e) : resolve(s))),
        );
        expect(got).toMatchObject({ userId: 'u1' });
        expect(await store.connection.db?.collection('page_sessions').countDocuments()).toBe(1);
      } finally {
        await sessions.close();
      }
    });

    it('copies an SQLite database idempotently, with every record intact', async () => {
      const sqlite = createSqliteStore(':memory:');
      const user = aUser({ metadata: { plan: 'pro' } });
      const org = anOrg();
      await sqlite.insertUser(user);
      await sqlite.insertOrg(org);
      await sqlite.upsertMembership(aMembership(user, org, { role: 'Admin' }));
      const { key } = aKey({ kind: 'personal', userId: user.id, metadata: { a: [1, { b: 2 }] } });
      await sqlite.insertKey(key, 0, now());
      await sqlite.recordUsage([{ keyId: key.id, day: '2026-01-01', count: 5, lastUsedAt: 99 }]);
      await sqlite.saveSettings({ ...DEFAULT_SETTINGS, tokenPrefix: 'acme' });
      for (let i = 0; i < 3; i++) {
        await sqlite.appendAudit({
          id: randomUUID(),
          at: 100,
          actor: 'cli',
          action: `a${i}`,
          targetType: 'key',
          targetId: key.id,
          ip: null,
          details: {},
        });
      }
      await sqlite.setSession('sid-1', { data: '{}', expiresAt: now() + 60 });

      const seen: string[] = [];
      const first = await migrateSqliteToMongo(sqlite.db, store, {
        batchSize: 2,
        onProgress: (table, done, total) => done === total && seen.push(table),
      });
      const second = await migrateSqliteToMongo(sqlite.db, store);
      expect(seen).toEqual(TABLES.map((t) => t.table));
      expect(second).toEqual(first);
      expect(countsMatch(second)).toBe(true);
      expect(second.find((r) => r.table === 'audit_events')).toEqual({
        table: 'audit_events',
        sqlite: 3,
        mongo: 3,
      });

      expect(await store.findUserById(user.id)).toEqual(user);
      expect(await store.findKeyByDigest(key.digest)).toEqual({ ...key, lastUsedAt: 99 });
      expect(await store.findMembership(user.id, org.id)).toMatchObject({ role: 'Admin' });
      expect(await store.countUsage('2026-01-01', { userId: user.id })).toBe(5);
      expect((await store.getSettings()).tokenPrefix).toBe('acme');
      expect(
        (await store.listAudit({}, { limit: 10, offset: 0 })).items.map((e) => e.action),
      ).toEqual(['a2', 'a1', 'a0']);
      expect(await store.getSession('sid-1', now())).not.toBeNull();
      await sqlite.close();
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

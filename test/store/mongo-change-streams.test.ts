import { LatchkeyError } from '../../src/core/errors';
import { isDuplicateKey, outagesAsUnavailable } from '../../src/store/mongo/mongo-errors';
import { applyKeyChange } from '../../src/store/mongo/follow-changes';
import {
  changeStreamPipeline,
  keyChangeOf,
  type WatchedCollections,
} from '../../src/store/mongo/watch-key-changes';

/** Cross-process cache invalidation and outage handling, without a server. */

const collections: WatchedCollections = {
  apiKeys: 'api_keys',
  settings: 'settings',
  directory: ['users', 'orgs', 'memberships'],
};

describe('change stream events', () => {
  it('drops the one cached lookup of a key that was created, changed or archived', () => {
    for (const operationType of ['insert', 'update', 'replace']) {
      expect(
        keyChangeOf(
          {
            operationType,
            ns: { coll: 'api_keys' },
            documentKey: { _id: 'k1' },
            fullDocument: { digest: 'd1' },
          },
          collections,
        ),
      ).toEqual({ scope: 'key', keyId: 'k1', digest: 'd1' });
    }
  });

  it('drops every cached lookup when a user, org or membership changes, or the digest is unknown', () => {
    for (const coll of ['users', 'orgs', 'memberships']) {
      expect(keyChangeOf({ operationType: 'update', ns: { coll } }, collections)).toEqual({
        scope: 'all',
      });
    }
    expect(
      keyChangeOf(
        { operationType: 'delete', ns: { coll: 'api_keys' }, documentKey: { _id: 'k1' } },
        collections,
      ),
    ).toEqual({ scope: 'key', keyId: 'k1', digest: null });
    expect(keyChangeOf({ operationType: 'invalidate' }, collections)).toEqual({ scope: 'all' });
  });

  it('reloads settings when the settings record changes', () => {
    expect(keyChangeOf({ operationType: 'update', ns: { coll: 'settings' } }, collections)).toEqual(
      { scope: 'settings' },
    );
  });

  it('ignores collections that cannot change a validation', () => {
    expect(keyChangeOf({ operationType: 'insert', ns: { coll: 'key_usage' } }, collections)).toBe(
      null,
    );
  });

  it('filters out usage flushes, which only move lastUsedAt, on the server side', () => {
    const [stage] = changeStreamPipeline(collections);
    expect(stage).toEqual({
      $match: {
        $or: expect.arrayContaining([
          {
            'ns.coll': 'api_keys',
            operationType: 'update',
            'updateDescription.updatedFields.lastUsedAt': { $exists: false },
          },
        ]),
      },
    });
    expect(JSON.stringify(stage)).not.toContain('key_usage');
  });
});

describe('applying changes from other processes', () => {
  const caches = () => ({
    validator: { forget: jest.fn(), forgetAll: jest.fn() },
    settingsHolder: { reload: jest.fn(async () => undefined) },
  });

  it('forgets only the changed key when its digest is known', () => {
    const c = caches();
    applyKeyChange(c, { scope: 'key', keyId: 'k1', digest: 'd1' });
    expect(c.validator.forget).toHaveBeenCalledWith('d1');
    expect(c.validator.forgetAll).not.toHaveBeenCalled();
  });

  it('forgets everything when the digest is unknown or the directory changed', () => {
    const c = caches();
    applyKeyChange(c, { scope: 'key', keyId: 'k1', digest: null });
    applyKeyChange(c, { scope: 'all' });
    expect(c.validator.forgetAll).toHaveBeenCalledTimes(2);
    expect(c.settingsHolder.reload).not.toHaveBeenCalled();
  });

  it('reloads settings and forgets everything when settings changed', () => {
    const c = caches();
    applyKeyChange(c, { scope: 'settings' });
    expect(c.settingsHolder.reload).toHaveBeenCalledTimes(1);
    expect(c.validator.forgetAll).toHaveBeenCalledTimes(1);
  });
});

describe('MongoDB outages', () => {
  const named = (name: string) => Object.assign(new Error('connection refused'), { name });

  it('turns an unreachable database into the "unavailable" error (503)', async () => {
    const store = outagesAsUnavailable({
      find: async () => {
        throw named('MongoServerSelectionError');
      },
    });
    const error = await store.find().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).status).toBe(503);
    expect((error as LatchkeyError).message).not.toContain('refused');
  });

  it('passes other errors, results and properties through unchanged', async () => {
    const bug = new TypeError('bug');
    const store = outagesAsUnavailable({
      kind: 'mongo',
      ok: async () => 42,
      fail: async () => {
        throw bug;
      },
    });
    expect(store.kind).toBe('mongo');
    expect(await store.ok()).toBe(42);
    await expect(store.fail()).rejects.toBe(bug);
  });

  it('recognises a duplicate key error by its code', () => {
    expect(isDuplicateKey(Object.assign(new Error('E11000'), { code: 11000 }))).toBe(true);
    expect(isDuplicateKey(new Error('other'))).toBe(false);
  });
});

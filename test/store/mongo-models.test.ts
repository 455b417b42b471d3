import { aKey, aUser } from '../support/fixtures';
import { keyToDoc, userToDoc } from '../../src/store/mongo/mappers';
import type { Models } from '../../src/store/mongo/models';
import { offlineModels } from './mongo-offline';

/** The mongoose schemas, read back from the models: no MongoDB server needed. */

const models: Models = offlineModels();

const indexes = (model: { schema: { indexes(): [object, object][] } }) =>
  model.schema.indexes().map(([fields, options]) => ({ fields, options }));
const uniqueFields = (model: Parameters<typeof indexes>[0]) =>
  indexes(model)
    .filter((i) => (i.options as { unique?: boolean }).unique)
    .map((i) => Object.keys(i.fields).join('+'));

async function validationErrors(doc: { validate(): Promise<void> }): Promise<string[]> {
  try {
    await doc.validate();
    return [];
  } catch (e) {
    return Object.keys((e as { errors?: object }).errors ?? {}).sort();
  }
}

describe('MongoDB indexes', () => {
  it('makes the key digest unique and keeps the key id as _id (unique by definition)', () => {
    expect(uniqueFields(models.ApiKey)).toEqual(['digest']);
    expect(models.ApiKey.schema.path('_id').instance).toBe('String');
  });

  it('makes user and admin emails unique through their lower-cased copy', () => {
    expect(uniqueFields(models.User)).toEqual(['emailLower']);
    expect(uniqueFields(models.Admin)).toEqual(['emailLower']);
  });

  it('makes memberships unique per user and org, org names unique and integration digests unique', () => {
    expect(uniqueFields(models.Membership)).toEqual(['userId+orgId']);
    expect(uniqueFields(models.Org)).toEqual(['urlSafeName']);
    expect(uniqueFields(models.IntegrationKey)).toEqual(['digest']);
    expect(uniqueFields(models.Usage)).toEqual(['keyId+day']);
    expect(uniqueFields(models.Audit)).toEqual(['id']);
  });

  it('indexes every list query: keys by user, by org and by state, audit by time', () => {
    const keyIndexes = indexes(models.ApiKey).map((i) => i.fields);
    expect(keyIndexes).toEqual(
      expect.arrayContaining([
        { userId: 1, archivedAt: 1 },
        { orgId: 1, archivedAt: 1 },
        { archivedAt: 1, createdAt: -1 },
        { createdAt: -1, seq: -1, _id: 1 },
      ]),
    );
    expect(indexes(models.Audit).map((i) => i.fields)).toContainEqual({ at: -1, _id: -1 });
    expect(indexes(models.Membership).map((i) => i.fields)).toContainEqual({
      orgId: 1,
      joinedAt: 1,
      userId: 1,
    });
    expect(indexes(models.Usage).map((i) => i.fields)).toContainEqual({ day: 1 });
  });

  it('lets MongoDB expire page sessions through a TTL index', () => {
    expect(indexes(models.Session)).toContainEqual({
      fields: { expireAt: 1 },
      options: { expireAfterSeconds: 0 },
    });
  });

  it('names collections like the SQLite tables, with an optional prefix', () => {
    expect(models.ApiKey.collection.collectionName).toBe('api_keys');
    expect(models.Usage.collection.collectionName).toBe('key_usage');
  });
});

describe('MongoDB schema validation', () => {
  it('accepts a complete key and a complete user', async () => {
    expect(await validationErrors(new models.ApiKey(keyToDoc(aKey().key)))).toEqual([]);
    expect(await validationErrors(new models.User(userToDoc(aUser())))).toEqual([]);
  });

  it('keeps a key’s scopes and allowlist as lists, and null when unset', async () => {
    const doc = new models.ApiKey(
      keyToDoc(aKey({ scopes: ['projects:read'], allowedIps: ['10.0.0.0/8'] }).key),
    );
    expect(await validationErrors(doc)).toEqual([]);
    expect(doc.toObject()).toMatchObject({ scopes: ['projects:read'], allowedIps: ['10.0.0.0/8'] });
    const plain = new models.ApiKey(keyToDoc(aKey().key));
    expect(plain.toObject()).toMatchObject({ scopes: null, allowedIps: null });
  });

  it('refuses a key with an unknown kind, a malformed id or digest, or missing fields', async () => {
    const doc = { ...keyToDoc(aKey().key), kind: 'root', _id: 'not-hex', digest: 'xyz' };
    delete (doc as Partial<typeof doc>).createdBy;
    expect(await validationErrors(new models.ApiKey(doc))).toEqual([
      '_id',
      'createdBy',
      'digest',
      'kind',
    ]);
  });

  it('refuses a membership with a role that does not exist', async () => {
    const m = new models.Membership({ userId: 'u', orgId: 'o', role: 'God', joinedAt: 1 });
    expect(await validationErrors(m)).toEqual(['role']);
  });

  it('refuses a usage row with a malformed day or a negative count', async () => {
    const u = new models.Usage({ keyId: 'k', day: '01/02/2026', count: -1 });
    expect(await validationErrors(u)).toEqual(['count', 'day']);
  });

  it('keeps empty metadata as {} instead of dropping it', () => {
    const doc = new models.ApiKey(keyToDoc(aKey({ metadata: {} }).key));
    expect(doc.toObject().metadata).toEqual({});
  });
});

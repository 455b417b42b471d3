import type { OutboxEvent } from '../../src/core/store';
import type { SqliteStore } from '../../src/store/sqlite';
import { makeLatchkey, type TestLatchkey } from '../support/harness';

/** What the outbox holds, oldest first. */
function outbox(lk: TestLatchkey): OutboxEvent[] {
  const rows = (lk.store as SqliteStore).db
    .prepare('SELECT id, type, at, data FROM webhook_events ORDER BY rowid')
    .all() as { id: string; type: string; at: number; data: string }[];
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as OutboxEvent['data'] }));
}

describe('key, user and org events', () => {
  let lk: TestLatchkey;
  beforeEach(async () => {
    lk = await makeLatchkey();
  });
  afterEach(async () => {
    await lk.close();
  });

  it('writes api_key.created with ids, kind, owner, hint and actor, and never the token', async () => {
    const user = await lk.createUser({ email: 'a@example.com' });
    const created = await lk.createApiKey({ userId: user.id }, { actor: `user:${user.id}` });
    const [event] = outbox(lk);
    expect(event).toMatchObject({
      type: 'api_key.created',
      data: {
        apiKeyId: created.apiKeyId,
        kind: 'personal',
        userId: user.id,
        orgId: null,
        hint: created.key.hint,
        actor: `user:${user.id}`,
      },
    });
    expect(event!.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(JSON.stringify(outbox(lk))).not.toContain(created.apiKeyToken);
  });

  it('writes api_key.updated and api_key.revoked with the cause read from the actor', async () => {
    const a = await lk.createApiKey({});
    const b = await lk.createApiKey({});
    const c = await lk.createApiKey({});
    await lk.updateApiKey(a.apiKeyId, { displayName: 'Renamed' });
    await lk.archiveApiKey(a.apiKeyId, { actor: 'user:u1' });
    await lk.archiveApiKey(b.apiKeyId, { actor: 'admin:x' });
    await lk.archiveApiKey(c.apiKeyId, { actor: 'integration:i' });
    await expect(lk.archiveApiKey(c.apiKeyId)).rejects.toThrow();
    const events = outbox(lk).filter((e) => e.type !== 'api_key.created');
    expect(events.map((e) => [e.type, e.data.cause ?? e.data.fields])).toEqual([
      ['api_key.updated', ['displayName']],
      ['api_key.revoked', 'user'],
      ['api_key.revoked', 'admin'],
      ['api_key.revoked', 'api'],
    ]);
  });

  it('writes api_key.rolled with the new hint and the old one, and neither token', async () => {
    const created = await lk.createApiKey({});
    const rolled = await lk.rollApiKey(
      created.apiKeyId,
      { expireOldInSeconds: 3600 },
      {
        actor: 'admin:x',
      },
    );
    const event = outbox(lk).find((e) => e.type === 'api_key.rolled');
    expect(event).toMatchObject({
      data: {
        apiKeyId: created.apiKeyId,
        hint: rolled.key.hint,
        previousHint: created.key.hint,
        actor: 'admin:x',
      },
    });
    expect(event!.data.previousTokenExpiresAt).toEqual(expect.any(Number));
    const all = JSON.stringify(outbox(lk));
    expect(all).not.toContain(created.apiKeyToken);
    expect(all).not.toContain(rolled.apiKeyToken);
  });

  it('writes the cascade event and api_key.revoked for each key a cascade archives', async () => {
    await lk.updateSettings({ revokeOrgKeysWhenCreatorLeaves: true });
    const user = await lk.createUser({ email: 'b@example.com' });
    const leaver = await lk.createUser({ email: 'c@example.com' });
    const org = await lk.createOrg({ name: 'Acme' });
    await lk.addUserToOrg(org.id, leaver.id, 'Member');
    const personal = await lk.createApiKey({ userId: user.id });
    const orgKey = await lk.createApiKey({ orgId: org.id, userId: leaver.id });
    const other = await lk.createApiKey({ orgId: org.id });

    await lk.disableUser(user.id, { actor: 'admin:x' });
    await lk.deleteUser(user.id);
    await lk.removeUserFromOrg(org.id, leaver.id);
    await lk.deleteOrg(org.id);

    const events = outbox(lk).filter((e) => e.type !== 'api_key.created');
    expect(events.map((e) => [e.type, e.data.apiKeyId ?? null, e.data.cause ?? null])).toEqual([
      ['user.updated', null, null],
      ['user.deleted', null, null],
      ['api_key.revoked', personal.apiKeyId, 'user_deleted'],
      ['org.member_removed', null, null],
      ['api_key.revoked', orgKey.apiKeyId, 'creator_left'],
      ['org.deleted', null, null],
      ['api_key.revoked', other.apiKeyId, 'org_deleted'],
    ]);
    expect(events[0]!.data).toMatchObject({ changes: { enabled: false }, actor: 'admin:x' });
    expect(events[1]!.data.revokedApiKeyIds).toEqual([personal.apiKeyId]);
  });
});

describe('leaked-key events', () => {
  let lk: TestLatchkey;
  beforeEach(async () => {
    lk = await makeLatchkey();
  });
  afterEach(async () => {
    await lk.close();
  });

  it('writes api_key.leaked to the outbox with where it was found, and never the token', async () => {
    const user = await lk.createUser({ email: 'leak@example.com' });
    const created = await lk.createApiKey({ userId: user.id });
    await lk.reportLeakedToken(created.apiKeyToken, {
      url: 'https://example.com/paste/1',
      source: 'test',
    });
    const leaked = outbox(lk).filter((e) => e.type === 'api_key.leaked');
    expect(leaked).toHaveLength(1);
    expect(leaked[0]!.data).toMatchObject({
      apiKeyId: created.apiKeyId,
      kind: 'personal',
      userId: user.id,
      url: 'https://example.com/paste/1',
      revoked: true,
    });
    const revoked = outbox(lk).filter((e) => e.type === 'api_key.revoked');
    expect(revoked.map((e) => [e.data.apiKeyId, e.data.cause])).toEqual([
      [created.apiKeyId, 'leaked'],
    ]);
    expect(JSON.stringify(outbox(lk))).not.toContain(created.apiKeyToken);
  });
});

import type { KeyEventName } from '../../../src/core/key-events';
import type { JsonObject } from '../../../src/core/types';
import { makeApp } from '../../support/harness';
import { aUserWithPassword, signedInAgent, submitForm } from '../../support/pages';

async function setup() {
  const events: [KeyEventName, JsonObject][] = [];
  const { app, latchkey } = await makeApp({
    onKeyEvent: (name, data) => events.push([name, data]),
  });
  const user = await aUserWithPassword(latchkey);
  const agent = await signedInAgent(app, user.email);
  const key = await latchkey.createApiKey({ userId: user.id, displayName: 'Deploy script' });
  return { latchkey, user, agent, key, events };
}

describe('reporting a leaked key on the hosted key page', () => {
  it('revokes the key, records where it was seen and raises api_key.leaked', async () => {
    const { latchkey, user, agent, key, events } = await setup();
    const list = await agent.get('/keys').expect(200);
    expect(list.text).toContain(`/keys/${key.apiKeyId}/report-leak`);
    const confirm = await agent.get(`/keys/${key.apiKeyId}/report-leak`).expect(200);
    expect(confirm.text).toContain('is revoked at once');
    const res = await submitForm(
      agent,
      `/keys/${key.apiKeyId}/report-leak`,
      `/keys/${key.apiKeyId}/report-leak`,
      {
        where: 'https://pastebin.example/abc',
      },
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/keys');
    expect((await agent.get('/keys')).text).toContain('as leaked');
    expect((await latchkey.validateApiKey(key.apiKeyToken)).valid).toBe(false);
    const audit = await latchkey.listAuditEvents({ action: 'key.leaked' });
    expect(audit.items[0]).toMatchObject({
      actor: `user:${user.id}`,
      targetId: key.apiKeyId,
      details: { url: 'https://pastebin.example/abc', revoked: true },
    });
    expect(events.map(([name]) => name)).toEqual(['api_key.leaked']);
    await latchkey.close();
  });

  it('only flags the key when the setting says so, and refuses a revoked key', async () => {
    const { latchkey, agent, key } = await setup();
    await latchkey.updateSettings({ leakedKeyAction: 'flag' });
    const path = `/keys/${key.apiKeyId}/report-leak`;
    expect((await agent.get(path)).text).toContain('keeps working until you revoke it');
    expect((await submitForm(agent, path, path, { where: '' })).status).toBe(303);
    expect((await latchkey.validateApiKey(key.apiKeyToken)).valid).toBe(true);
    await latchkey.archiveApiKey(key.apiKeyId);
    expect((await agent.get(path)).status).toBe(409);
    await latchkey.close();
  });

  it('finds no key of another user', async () => {
    const { latchkey, agent } = await setup();
    const other = await latchkey.createUser({ email: 'other@example.com' });
    const theirs = await latchkey.createApiKey({ userId: other.id });
    expect((await agent.get(`/keys/${theirs.apiKeyId}/report-leak`)).status).toBe(404);
    expect((await latchkey.validateApiKey(theirs.apiKeyToken)).valid).toBe(true);
    await latchkey.close();
  });
});

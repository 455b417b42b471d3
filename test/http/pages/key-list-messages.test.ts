import type { OrgRole } from '../../../src/core/types';
import { whomToAsk } from '../../../src/http/pages/key-scopes';
import { makeApp } from '../../support/harness';
import { aUserWithPassword, signedInAgent, submitForm } from '../../support/pages';

async function setup(role: OrgRole = 'Member') {
  const { app, latchkey } = await makeApp();
  const user = await aUserWithPassword(latchkey);
  const org = await latchkey.createOrg({ name: 'Acme' });
  await latchkey.addUserToOrg(org.id, user.id, role);
  const agent = await signedInAgent(app, user.email);
  return { latchkey, user, org, agent, orgKeys: `/orgs/${org.id}/keys` };
}

const rows = (html: string) => html.match(/<tr data-key-id=/g)?.length ?? 0;

describe('key page messages', () => {
  it('says "1 active API key" for a limit of one and "2 active API keys" for two', async () => {
    const { agent, latchkey } = await setup();
    const create = (name: string) =>
      submitForm(agent, '/keys/new', '/keys', { displayName: name, expiry: '1m' });
    await latchkey.updateSettings({ maxKeysPerUser: 1 });
    expect((await create('a')).status).toBe(303);
    const one = await create('b');
    expect(one.text).toContain('the maximum of 1 active API key. Revoke one first.');
    await latchkey.updateSettings({ maxKeysPerUser: 2 });
    expect((await create('b')).status).toBe(303);
    expect((await create('c')).text).toContain('the maximum of 2 active API keys. Revoke');
  });

  it('names the roles that may manage org keys in the read-only note', async () => {
    const { agent, latchkey, orgKeys } = await setup('Member');
    expect((await agent.get(orgKeys)).text).toContain(
      'Ask an owner or admin of the organization if you need a key.',
    );
    await latchkey.updateSettings({ orgKeyManagerRoles: ['Owner'] });
    const page = (await agent.get(orgKeys)).text;
    expect(page).toContain('Ask an owner of the organization if you need a key.');
    expect(page).not.toContain('owner or admin');
  });

  it('words the roles for any choice', () => {
    expect(whomToAsk(['Admin'])).toBe('Ask an admin of the organization if you need a key.');
    expect(whomToAsk(['Owner', 'Admin', 'Member'])).toBe(
      'Ask an owner, admin or member of the organization if you need a key.',
    );
    expect(whomToAsk([])).toMatch(/^No role in an organization can manage its keys/);
  });

  it('starts the title with "Error:" and focuses the summary when a form fails', async () => {
    const { agent } = await setup();
    const res = await submitForm(agent, '/keys/new', '/keys', { displayName: 'x', expiry: 'soon' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/<title>Error: Create an API key/);
    expect(res.text).toMatch(/<div class="errors"[^>]* tabindex="-1"[^>]* autofocus>/);
    const fine = await agent.get('/keys/new');
    expect(fine.text).toMatch(/<title>Create an API key/);
  });
});

describe('key list paging', () => {
  it('pages current keys by 100 and says when a page is past the end', async () => {
    const { agent, latchkey, user } = await setup();
    for (let i = 0; i < 103; i++)
      await latchkey.createApiKey({ userId: user.id, displayName: `k${i}` });
    const first = await agent.get('/keys').expect(200);
    expect(rows(first.text)).toBe(100);
    expect(first.text).toContain('Page 1 of 2 (103 keys)');
    expect(first.text).toContain('href="/keys?page=2" rel="next"');
    const second = await agent.get('/keys?page=2').expect(200);
    expect(rows(second.text)).toBe(3);
    expect(second.text).toContain('href="/keys" rel="prev"');
    const past = await agent.get('/keys?page=999').expect(200);
    expect(past.text).toContain('Page 999 of current keys is past the end: there are 2 pages.');
    expect(past.text).toContain('<a href="/keys?page=2">Go to the last page</a>');
    expect(past.text).not.toContain('No current keys.');
  });

  it('pages revoked keys on their own, keeping the current page', async () => {
    const { agent, latchkey, org, orgKeys } = await setup('Owner');
    for (let i = 0; i < 101; i++) {
      const { apiKeyId } = await latchkey.createApiKey({ orgId: org.id });
      await latchkey.archiveApiKey(apiKeyId);
    }
    const first = await agent.get(orgKeys).expect(200);
    expect(first.text).toContain(`href="${orgKeys}?revokedPage=2" rel="next"`);
    const second = await agent.get(`${orgKeys}?revokedPage=2`).expect(200);
    expect(rows(second.text)).toBe(1);
    expect(second.text).toContain('No current keys.');
  });
});

import request from 'supertest';
import { makeApp } from '../../support/harness';
import { PASSWORD, aUserWithPassword, formTokens, signedInAgent } from '../../support/pages';

/** Inputs a person fills in (not hidden) whose id no <label for> names. */
function unlabelledInputs(html: string): string[] {
  const labelled = new Set([...html.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]));
  return [...html.matchAll(/<(input|select|textarea)\b([^>]*)>/g)]
    .filter(([, , attrs]) => !/type="hidden"/.test(attrs!))
    .map(([tag, , attrs]) => /id="([^"]+)"/.exec(attrs!)?.[1] ?? tag)
    .filter((id) => !labelled.has(id));
}

/** Heading levels in document order; each may go at most one level deeper than the last. */
function headingJumps(html: string): string[] {
  const levels = [...html.matchAll(/<h([1-6])\b/g)].map((m) => Number(m[1]));
  const jumps: string[] = [];
  if (levels[0] !== 1) jumps.push(`first heading is h${levels[0]}`);
  levels.forEach((l, i) => {
    if (i > 0 && l > levels[i - 1]! + 1) jumps.push(`h${levels[i - 1]} then h${l}`);
  });
  if (levels.filter((l) => l === 1).length !== 1) jumps.push('not exactly one h1');
  return jumps;
}

describe('page markup', () => {
  it('has checks that notice an unlabelled input and a skipped heading level', () => {
    expect(unlabelledInputs('<label for="a">A</label><input id="a"><select id="b">')).toEqual([
      'b',
    ]);
    expect(headingJumps('<h1>x</h1><h3>y</h3>')).toEqual(['h1 then h3']);
  });

  it('labels every input and keeps headings in order on every page', async () => {
    const { app, latchkey } = await makeApp();
    await latchkey.updateSettings({ selfSignupEnabled: true });
    const user = await aUserWithPassword(latchkey);
    const org = await latchkey.createOrg({ name: 'Acme' });
    const second = await latchkey.createOrg({ name: 'Beta' });
    await latchkey.addUserToOrg(org.id, user.id, 'Owner');
    await latchkey.addUserToOrg(second.id, user.id, 'Member');
    const { apiKeyId } = await latchkey.createApiKey({ userId: user.id });
    const anonymous = request.agent(app);
    const agent = await signedInAgent(app, user.email);
    const form = await agent.get('/keys/new');
    await agent
      .post('/keys')
      .type('form')
      .send({ ...formTokens(form.text), displayName: 'x', expiry: '1m' });

    const pages = [
      await anonymous.get('/login'),
      await anonymous.get('/signup'),
      await anonymous
        .post('/login')
        .type('form')
        .send({ ...formTokens((await anonymous.get('/login')).text), email: '', password: '' }),
      await agent.get('/keys'), // with the new token shown once
      await agent.get('/keys'),
      await agent.get('/keys/new'),
      await agent
        .post('/keys')
        .type('form')
        .send({ ...formTokens(form.text), displayName: '' }),
      await agent.get(`/keys/${apiKeyId}/revoke`),
      await agent.get('/orgs'),
      await agent.get(`/orgs/${org.id}/keys`),
      await agent.get(`/orgs/${second.id}/keys`),
      await agent.get(`/orgs/${org.id}/keys/new`),
      await agent.get(`/keys/${'f'.repeat(32)}/revoke`),
    ];
    for (const [i, page] of pages.entries()) {
      const where = `page ${i} (${page.status})`;
      expect(page.headers['content-type']).toMatch(/html/);
      expect({ where, unlabelled: unlabelledInputs(page.text) }).toEqual({ where, unlabelled: [] });
      expect({ where, jumps: headingJumps(page.text) }).toEqual({ where, jumps: [] });
      expect(page.text).toMatch(/<html lang="en">/);
      expect(page.text).toMatch(/<main id="main">/);
    }
  });

  it('keeps passwords, session ids and tokens out of the logs', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const agent = request.agent(app);
    const page = await agent.get('/login');
    await agent
      .post('/login')
      .type('form')
      .send({ ...formTokens(page.text), email: user.email, password: 'not-the-password' });
    const signed = await signedInAgent(app, user.email);
    const form = await signed.get('/keys/new');
    await signed
      .post('/keys')
      .type('form')
      .send({ ...formTokens(form.text), displayName: 'x', expiry: '1m' });
    const list = await signed.get('/keys');
    const token = /<textarea id="new-key-token"[^>]*>([^<]+)</.exec(list.text)?.[1];
    const sid = /latchkey\.sid=([^;]+)/.exec(String(list.headers['set-cookie']))?.[1];
    expect(token).toBeTruthy();
    expect(sid).toBeTruthy();
    for (const secret of [PASSWORD, 'not-the-password', token!, decodeURIComponent(sid!)])
      expect(latchkey.logs.text).not.toContain(secret);
  });
});

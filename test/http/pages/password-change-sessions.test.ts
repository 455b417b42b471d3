import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { adminAgent, anAdmin } from '../../admin/support';
import { makeApp, makeLatchkey } from '../../support/harness';
import { aUserWithPassword, formTokens, signedInAgent } from '../../support/pages';

/** A password change ends every page session of that account, in every process. */

const NEW_PASSWORD = 'a brand new password';

const sessionIdOf = (agent: ReturnType<typeof request.agent>, name: string): string => {
  const cookie = agent.jar.getCookie(name, {
    domain: '127.0.0.1',
    path: '/',
    script: false,
    secure: false,
  });
  return /^s:([^.]+)\./.exec(decodeURIComponent(cookie?.value ?? ''))?.[1] ?? '';
};

describe('sessions after a password change', () => {
  it('ends every session of the user: no page, no new key, a clear message', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const phone = await signedInAgent(app, user.email);
    const laptop = await signedInAgent(app, user.email);
    const form = formTokens((await laptop.get('/keys/new').expect(200)).text);
    await latchkey.setUserPassword(user.id, NEW_PASSWORD);

    await laptop
      .post('/keys')
      .type('form')
      .set('Accept', 'application/json')
      .send({ ...form, displayName: 'after the change', expiry: '30d' });
    expect((await latchkey.listApiKeys({ userId: user.id })).keys).toHaveLength(0);
    const res = await phone.get('/keys').expect(303);
    expect(res.headers.location).toMatch(/^\/login/);
    expect((await phone.get('/login')).text).toMatch(/password of this account changed/);

    await signedInAgent(app, user.email, NEW_PASSWORD).then((a) => a.get('/keys').expect(200));
  });

  it('refuses the old session even when a request in flight writes its row back', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const agent = await signedInAgent(app, user.email);
    const sid = sessionIdOf(agent, 'latchkey.sid');
    const row = await latchkey.pageSessions.getSession(sid, 0);
    expect(row).not.toBeNull();
    await latchkey.setUserPassword(user.id, NEW_PASSWORD);
    await latchkey.pageSessions.setSession(sid, row!);
    await agent.get('/keys').expect(303);
  });

  it('ends the session in another process sharing the database', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-sessions-'));
    const databasePath = path.join(dir, 'latchkey.db');
    const one = await makeLatchkey({ databasePath });
    const other = await makeLatchkey({ databasePath });
    try {
      const app = createApp(one, { TRUST_PROXY: false, BODY_LIMIT: '100kb' });
      const user = await aUserWithPassword(one);
      const agent = await signedInAgent(app, user.email);
      await agent.get('/keys').expect(200);
      await other.setUserPassword(user.id, NEW_PASSWORD);
      await agent.get('/keys').expect(303);
    } finally {
      await one.close();
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves other users and the admin who changed it signed in', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const bystander = await aUserWithPassword(latchkey);
    const admin = await anAdmin(latchkey);
    const dashboard = await adminAgent(app, admin.email);
    const theirs = await signedInAgent(app, bystander.email);
    await latchkey.setUserPassword(user.id, NEW_PASSWORD, { actor: `admin:${admin.id}`, ip: null });
    await theirs.get('/keys').expect(200);
    await dashboard.get('/admin/users').expect(200);
  });

  it('ends an admin’s dashboard sessions when their stamp changes', async () => {
    const { app, latchkey } = await makeApp();
    const admin = await anAdmin(latchkey);
    const dashboard = await adminAgent(app, admin.email);
    await dashboard.get('/admin/settings').expect(200);
    await latchkey.store.setOwnerStamp(`admin:${admin.id}`, 'changed');
    await dashboard.get('/admin/settings').set('Accept', 'text/html').expect(303);
  });
});

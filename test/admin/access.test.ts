import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { runCli } from '../../src/cli/main';
import { makeApp, makeLatchkey } from '../support/harness';
import { aUserWithPassword, formTokens, signedInAgent } from '../support/pages';
import { adminAgent, anAdmin, post, signedInAdmin, ADMIN_PASSWORD } from './support';

/** The admin session cookie's value (the signed session id) a response sets, or ''. */
const adminSessionCookie = (res: request.Response): string =>
  /latchkey\.admin\.sid=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1] ?? '';

describe('admin access', () => {
  it('sends a browser without an admin session to the admin sign-in, and JSON clients get 401', async () => {
    const { app } = await makeApp();
    const page = await request(app).get('/admin/users').set('Accept', 'text/html').expect(303);
    expect(page.headers.location).toBe('/admin/login?next=%2Fadmin%2Fusers');
    const api = await request(app)
      .get('/admin/users')
      .set('Accept', 'application/json')
      .expect(401);
    expect(api.body.error).toBe('unauthorized');
  });

  it('signs an admin in with a fresh session id and out again', async () => {
    const { app, latchkey } = await makeApp();
    const admin = await anAdmin(latchkey);
    const agent = request.agent(app);
    const login = await agent.get('/admin/login').expect(200);
    const before = adminSessionCookie(login);
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ email: admin.email, password: ADMIN_PASSWORD, ...formTokens(login.text) })
      .expect(303);
    expect(res.headers.location).toBe('/admin/settings');
    expect(String(res.headers['set-cookie'])).toMatch(/latchkey\.admin\.sid=.*Path=\/admin/);
    expect(before).not.toBe('');
    expect(adminSessionCookie(res)).not.toBe('');
    expect(adminSessionCookie(res)).not.toBe(before);
    await agent.get('/admin/settings').expect(200);
    const out = await post(agent, '/admin/settings', '/admin/logout');
    expect(out.status).toBe(303);
    await agent.get('/admin/settings').set('Accept', 'text/html').expect(303);
  });

  it('refuses a wrong password without saying whether the email exists, and throttles guessing', async () => {
    const { app, latchkey } = await makeApp();
    const admin = await anAdmin(latchkey);
    const agent = request.agent(app);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const page = await agent.get('/admin/login');
      const res = await agent
        .post('/admin/login')
        .type('form')
        .send({ email: admin.email, password: 'wrong password', ...formTokens(page.text) });
      statuses.push(res.status);
      if (i === 0) expect(res.text).toContain('do not match an admin');
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    expect(latchkey.logs.text).not.toContain('wrong password');
    // Even the right password waits out the window.
    const page = await agent.get('/admin/login');
    await agent
      .post('/admin/login')
      .type('form')
      .send({ email: admin.email, password: ADMIN_PASSWORD, ...formTokens(page.text) })
      .expect(429);
  });

  it('opens the settings page from the dashboard root', async () => {
    const { agent } = await signedInAdmin();
    const res = await agent.get('/admin').expect(303);
    expect(res.headers.location).toBe('/admin/settings');
  });

  it('refuses a form without the CSRF token and changes nothing', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const res = await agent
      .post('/admin/settings')
      .type('form')
      .send({ personalKeysEnabled: '' })
      .expect(403);
    expect(res.text).toContain('did not come from this site');
    expect(latchkey.getSettings().personalKeysEnabled).toBe(true);
  });

  it('never opens admin pages with an end user’s session', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const endUser = await signedInAgent(app, user.email);
    await endUser.get('/keys').expect(200);
    await endUser.get('/admin/settings').set('Accept', 'text/html').expect(303);
    await endUser.get('/admin/users').set('Accept', 'application/json').expect(401);
  });

  it('never opens the hosted key pages with an admin session', async () => {
    const { app, latchkey } = await makeApp();
    const admin = await anAdmin(latchkey);
    const agent = await adminAgent(app, admin.email);
    await agent.get('/admin/settings').expect(200);
    const res = await agent.get('/keys').set('Accept', 'text/html').expect(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it('refuses an end user’s credentials on the admin sign-in', async () => {
    const { app, latchkey } = await makeApp();
    await anAdmin(latchkey);
    const user = await aUserWithPassword(latchkey);
    const agent = request.agent(app);
    const page = await agent.get('/admin/login');
    await agent
      .post('/admin/login')
      .type('form')
      .send({ email: user.email, password: 'correct horse battery', ...formTokens(page.text) })
      .expect(401);
  });
});

describe('first admin setup', () => {
  it('prints a setup link only while there is no admin', async () => {
    const { latchkey } = await makeApp();
    const link = await latchkey.adminSetupLinkIfNone('http://127.0.0.1:3000');
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/admin\/setup\?token=[A-Za-z0-9_-]{43}$/);
    await anAdmin(latchkey);
    expect(await latchkey.adminSetupLinkIfNone('http://127.0.0.1:3000')).toBeNull();
  });

  it('lets the first admin register once with the setup token, then signs them in', async () => {
    const { app, latchkey } = await makeApp();
    const token = await latchkey.issueAdminSetupToken();
    const agent = request.agent(app);
    const page = `/admin/setup?token=${token}`;
    const res = await post(agent, page, '/admin/setup', {
      token,
      email: 'first@example.com',
      password: 'first admin pw',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/settings');
    await agent.get('/admin/settings').expect(200);
    expect((await latchkey.store.listAdmins()).map((a) => a.email)).toEqual(['first@example.com']);
    expect(latchkey.logs.text).not.toContain(token);
  });

  it('accepts a setup token only once', async () => {
    const { latchkey } = await makeApp();
    const token = await latchkey.issueAdminSetupToken();
    expect(await latchkey.consumeAdminSetupToken(token)).toBe(true);
    expect(await latchkey.consumeAdminSetupToken(token)).toBe(false);
  });

  it('refuses a used setup token on the page, with the field named and no admin made', async () => {
    const { app, latchkey } = await makeApp();
    const token = await latchkey.issueAdminSetupToken();
    await latchkey.consumeAdminSetupToken(token);
    const agent = request.agent(app);
    const res = await post(agent, `/admin/setup?token=${token}`, '/admin/setup', {
      token,
      email: 'late@example.com',
      password: 'late admin pw',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('already used or expired');
    expect(res.text).toContain('value="late@example.com"');
    expect(await latchkey.store.listAdmins()).toEqual([]);
  });

  it('refuses an expired setup token', async () => {
    const { app, latchkey } = await makeApp();
    const token = await latchkey.issueAdminSetupToken(0);
    const res = await post(request.agent(app), `/admin/setup?token=${token}`, '/admin/setup', {
      token,
      email: 'slow@example.com',
      password: 'slow admin pw',
    });
    expect(res.status).toBe(400);
    expect(await latchkey.store.listAdmins()).toEqual([]);
  });

  it('keeps the token when the form has a mistake, so the link still works after fixing it', async () => {
    const { app, latchkey } = await makeApp();
    const token = await latchkey.issueAdminSetupToken();
    const agent = request.agent(app);
    const bad = await post(agent, `/admin/setup?token=${token}`, '/admin/setup', {
      token,
      email: 'not-an-email',
      password: 'short',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/Email: must be an email address/);
    const good = await post(agent, `/admin/setup?token=${token}`, '/admin/setup', {
      token,
      email: 'fixed@example.com',
      password: 'long enough pw',
    });
    expect(good.status).toBe(303);
  });

  it('closes the setup page once an admin exists', async () => {
    const { app, latchkey } = await makeApp();
    const token = await latchkey.issueAdminSetupToken();
    await anAdmin(latchkey);
    await request(app).get(`/admin/setup?token=${token}`).expect(409);
  });
});

describe('admins page', () => {
  it('adds an admin who can then sign in', async () => {
    const { app, agent } = await signedInAdmin();
    const res = await post(agent, '/admin/admins', '/admin/admins', {
      email: 'second@example.com',
      password: 'second admin pw',
    });
    expect(res.status).toBe(303);
    await adminAgent(app, 'second@example.com', 'second admin pw');
  });

  it('refuses to delete the last admin and keeps them', async () => {
    const { agent, admin, latchkey } = await signedInAdmin();
    const path = `/admin/admins/${admin.id}/delete`;
    const res = await post(agent, path, path);
    expect(res.status).toBe(409);
    expect(res.text).toContain('last admin');
    expect(await latchkey.store.findAdminById(admin.id)).not.toBeNull();
  });

  it('deletes another admin, who can no longer sign in', async () => {
    const { app, agent, latchkey } = await signedInAdmin();
    const other = await anAdmin(latchkey);
    const path = `/admin/admins/${other.id}/delete`;
    expect((await post(agent, path, path)).status).toBe(303);
    expect(await latchkey.store.findAdminById(other.id)).toBeNull();
    await expect(adminAgent(app, other.email)).rejects.toThrow();
  });
});

describe('create-admin command', () => {
  it('creates an admin and prints its id and email as JSON, never the password', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-cli-'));
    const databasePath = path.join(dir, 'cli.db');
    const previous = process.env.DATABASE_PATH;
    process.env.DATABASE_PATH = databasePath;
    const out: string[] = [];
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
    try {
      const code = await runCli([
        'create-admin',
        '--email',
        'cli@example.com',
        '--password',
        'cli admin pw',
        '--json',
      ]);
      expect(code).toBe(0);
    } finally {
      write.mockRestore();
      process.env.DATABASE_PATH = previous;
    }
    const printed = JSON.parse(out.join('')) as Record<string, string>;
    expect(printed.email).toBe('cli@example.com');
    expect(out.join('')).not.toContain('cli admin pw');
    const latchkey = await makeLatchkey({ databasePath });
    expect((await latchkey.store.findAdminByEmail('cli@example.com'))?.id).toBe(printed.adminId);
    await latchkey.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

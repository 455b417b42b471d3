import express from 'express';
import request from 'supertest';
import { createHostedPages } from '../../../src/http/pages/hosted-pages';
import { makeApp, makeLatchkey } from '../../support/harness';
import { PASSWORD, aUserWithPassword, formTokens, signedInAgent } from '../../support/pages';

async function postLogin(agent: ReturnType<typeof request.agent>, fields: Record<string, string>) {
  const page = await agent.get('/login').expect(200);
  return agent
    .post('/login')
    .type('form')
    .send({ ...formTokens(page.text), ...fields });
}

const sessionCookie = (res: request.Response): string =>
  /latchkey\.sid=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1] ?? '';

describe('signing in to the hosted pages', () => {
  it('signs in with the right password and lands on My API keys', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const agent = request.agent(app);
    const res = await postLogin(agent, { email: user.email, password: PASSWORD }).then((r) => r);
    expect(res.status).toBe(303);
    const home = await agent.get('/').expect(303);
    expect(home.headers.location).toBe('/keys');
    expect((await agent.get('/keys').expect(200)).text).toContain(user.email);
  });

  it('gives a new session id at sign-in', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const agent = request.agent(app);
    const page = await agent.get('/login');
    const before = sessionCookie(page);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ ...formTokens(page.text), email: user.email, password: PASSWORD })
      .expect(303);
    expect(before).not.toBe('');
    expect(sessionCookie(res)).not.toBe('');
    expect(sessionCookie(res)).not.toBe(before);
  });

  it('refuses a wrong password and an unknown email with the same message, keeping the email', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const wrong = await postLogin(request.agent(app), { email: user.email, password: 'nope-nope' });
    const unknown = await postLogin(request.agent(app), {
      email: 'nobody@example.com',
      password: 'nope-nope',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('That email and password do not match an account.');
    expect(unknown.text).toContain('That email and password do not match an account.');
    expect(wrong.text).toContain(`value="${user.email}"`);
    expect(wrong.text).not.toContain('nope-nope');
  });

  it('refuses a password over 72 bytes with a clear message', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const res = await postLogin(request.agent(app), {
      email: user.email,
      password: 'é'.repeat(40),
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Password: is longer than 72 bytes/);
  });

  it('names the empty fields', async () => {
    const { app } = await makeApp();
    const res = await postLogin(request.agent(app), { email: '', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Email: enter your email address');
    expect(res.text).toContain('Password: enter your password');
  });

  it.each([
    ['disabled', 'disableUser', /This account is disabled/],
    ['locked', 'lockUser', /This account is locked/],
  ] as const)('tells a %s user plainly and does not sign them in', async (_s, action, message) => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    await latchkey[action](user.id);
    const agent = request.agent(app);
    const res = await postLogin(agent, { email: user.email, password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toMatch(message);
    expect((await agent.get('/keys')).status).toBe(303);
  });

  it('signs out a user who is disabled after signing in, and says why', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const agent = await signedInAgent(app, user.email);
    await latchkey.disableUser(user.id);
    const res = await agent.get('/keys').expect(303);
    expect(res.headers.location).toMatch(/^\/login/);
    expect((await agent.get('/login')).text).toMatch(/This account is disabled/);
  });

  it('sends a visitor who is not signed in to the sign-in page, and back afterwards', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const agent = request.agent(app);
    const res = await agent.get('/keys/new').expect(303);
    expect(res.headers.location).toBe('/login?next=%2Fkeys%2Fnew');
    const page = await agent.get(res.headers.location!);
    const signIn = await agent
      .post('/login')
      .type('form')
      .send({ ...formTokens(page.text), email: user.email, password: PASSWORD, next: '/keys/new' })
      .expect(303);
    expect(signIn.headers.location).toBe('/keys/new');
  });

  it('never redirects to another site after sign-in', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    for (const next of ['//evil.example/keys', 'https://evil.example/', '/\\evil.example']) {
      const res = await postLogin(request.agent(app), {
        email: user.email,
        password: PASSWORD,
        next,
      });
      expect(res.headers.location).toBe('/');
    }
  });

  it('answers 401 JSON to a JSON client that is not signed in', async () => {
    const { app } = await makeApp();
    const res = await request(app).get('/keys').set('Accept', 'application/json').expect(401);
    expect(res.body.error).toBe('unauthorized');
  });

  it('signs out: the old session cookie no longer opens the pages', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const agent = request.agent(app);
    const signIn = await postLogin(agent, { email: user.email, password: PASSWORD });
    const cookie = `latchkey.sid=${sessionCookie(signIn)}`;
    const page = await request(app).get('/keys').set('Cookie', cookie).expect(200);
    const out = await agent.post('/logout').type('form').send(formTokens(page.text)).expect(303);
    expect(out.headers.location).toBe('/login?signedOut=1');
    expect((await agent.get(out.headers.location!)).text).toContain('You are signed out.');
    await request(app).get('/keys').set('Cookie', cookie).expect(303);
  });

  it('refuses sign-out without a CSRF token and stays signed in', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const agent = await signedInAgent(app, user.email);
    await agent.post('/logout').type('form').send({}).expect(403);
    await agent.get('/keys').expect(200);
  });
});

describe('sign-in throttling', () => {
  async function throttledApp(windowSeconds = 60) {
    const latchkey = await makeLatchkey();
    const app = express();
    app.use(
      createHostedPages(latchkey, { loginThrottle: { perAccount: 3, perIp: 6, windowSeconds } }),
    );
    return { app, latchkey };
  }

  it('refuses further tries for an account after repeated failures, even with the right password', async () => {
    const { app, latchkey } = await throttledApp();
    const user = await aUserWithPassword(latchkey);
    for (let i = 0; i < 3; i++)
      expect(
        (await postLogin(request.agent(app), { email: user.email, password: 'wrong-pass' })).status,
      ).toBe(401);
    const res = await postLogin(request.agent(app), { email: user.email, password: PASSWORD });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.text).toMatch(/Too many failed sign-in attempts/);
  });

  it('refuses further tries from one IP across many accounts', async () => {
    const { app, latchkey } = await throttledApp();
    const user = await aUserWithPassword(latchkey);
    for (let i = 0; i < 6; i++)
      await postLogin(request.agent(app), {
        email: `guess${i}@example.com`,
        password: 'wrong-pass',
      });
    const res = await postLogin(request.agent(app), { email: user.email, password: PASSWORD });
    expect(res.status).toBe(429);
  });

  it('lets the real user in again once the window has passed', async () => {
    const { app, latchkey } = await throttledApp(1);
    const user = await aUserWithPassword(latchkey);
    for (let i = 0; i < 3; i++)
      await postLogin(request.agent(app), { email: user.email, password: 'wrong-pass' });
    expect(
      (await postLogin(request.agent(app), { email: user.email, password: PASSWORD })).status,
    ).toBe(429);
    await new Promise((r) => setTimeout(r, 1100));
    expect(
      (await postLogin(request.agent(app), { email: user.email, password: PASSWORD })).status,
    ).toBe(303);
  });
});

describe('self sign-up', () => {
  it('is not there while the setting is off', async () => {
    const { app } = await makeApp();
    await request(app).get('/signup').expect(404);
    const page = await request.agent(app).get('/login');
    expect(page.text).not.toContain('/signup');
  });

  it('creates an account and sends the new user to sign in when the setting is on', async () => {
    const { app, latchkey } = await makeApp();
    await latchkey.updateSettings({ selfSignupEnabled: true });
    const agent = request.agent(app);
    const page = await agent.get('/signup').expect(200);
    await agent
      .post('/signup')
      .type('form')
      .send({
        ...formTokens(page.text),
        email: 'new@example.com',
        password: PASSWORD,
        passwordConfirm: PASSWORD,
      })
      .expect(303)
      .expect('Location', '/login');
    // Not signed in by signing up: an existing email must get the very same answer.
    await agent.get('/keys').expect(303);
    expect((await agent.get('/login').expect(200)).text).toContain('You can now sign in');
    expect(await latchkey.fetchUserByEmail('new@example.com')).not.toBeNull();
    expect((await (await signedInAgent(app, 'new@example.com')).get('/keys')).text).toContain(
      'new@example.com',
    );
  });

  it('names bad fields, keeps the email and creates nobody', async () => {
    const { app, latchkey } = await makeApp();
    await latchkey.updateSettings({ selfSignupEnabled: true });
    const agent = request.agent(app);
    const page = await agent.get('/signup');
    const res = await agent
      .post('/signup')
      .type('form')
      .send({
        ...formTokens(page.text),
        email: 'new@example.com',
        password: 'short',
        passwordConfirm: 'different',
      })
      .expect(400);
    expect(res.text).toContain('Password: must be at least 8 characters');
    expect(res.text).toContain('value="new@example.com"');
    expect(await latchkey.fetchUserByEmail('new@example.com')).toBeNull();
  });
});

import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { createHostedPages } from '../../../src/http/pages/hosted-pages';
import { makeLatchkey } from '../../support/harness';
import { formTokens, shownToken } from '../../support/pages';

/** A host app whose own "sign-in" is a header, standing in for its real session. */
async function hostApp(loginUrl?: string) {
  const latchkey = await makeLatchkey();
  const app = express();
  app.use(
    '/account',
    createHostedPages(latchkey, {
      resolveUser: (req) => req.get('X-Host-User') ?? null,
      ...(loginUrl ? { loginUrl } : {}),
    }),
  );
  app.post('/api/whoami', latchkey.requireApiKey(), (req, res) => {
    res.json(req.apiKey);
  });
  return { app, latchkey };
}

describe('hosted pages in embedded mode', () => {
  it('takes the user from resolveUser and serves the pages under the host’s path', async () => {
    const { app, latchkey } = await hostApp();
    const user = await latchkey.createUser({ email: 'host-user@example.com' });
    const agent = request.agent(app);
    const page = await agent.get('/account/keys').set('X-Host-User', user.id).expect(200);
    expect(page.text).toContain('host-user@example.com');
    expect(page.text).toContain('href="/account/keys/new"');
    expect(page.text).toContain('href="/account/assets/styles.css"');
    expect(page.text).not.toContain('Sign out');
    const form = await agent.get('/account/keys/new').set('X-Host-User', user.id).expect(200);
    await agent
      .post('/account/keys')
      .set('X-Host-User', user.id)
      .type('form')
      .send({ ...formTokens(form.text), displayName: 'from host', expiry: '1m' })
      .expect(303)
      .expect('Location', '/account/keys');
    const token = shownToken((await agent.get('/account/keys').set('X-Host-User', user.id)).text);
    const who = await request(app).post('/api/whoami').set('Authorization', `Bearer ${token}`);
    expect(who.body.user.email).toBe('host-user@example.com');
  });

  it('serves no Latchkey sign-in page', async () => {
    const { app } = await hostApp();
    await request(app).get('/account/login').set('Accept', 'application/json').expect(401);
  });

  it('answers 401, or redirects to the host’s login, when resolveUser finds nobody', async () => {
    const plain = await hostApp();
    const res = await request(plain.app).get('/account/keys').expect(401);
    expect(res.text).toContain('Sign in to manage your API keys.');
    const withLogin = await hostApp('/signin');
    await request(withLogin.app).get('/account/keys').expect(303).expect('Location', '/signin');
  });

  it('refuses a disabled user plainly', async () => {
    const { app, latchkey } = await hostApp();
    const user = await latchkey.createUser({ email: 'off@example.com' });
    await latchkey.disableUser(user.id);
    const res = await request(app).get('/account/keys').set('X-Host-User', user.id).expect(403);
    expect(res.text).toContain('This account is disabled');
  });

  it('works inside a host that already uses express-session, sharing its session', async () => {
    const latchkey = await makeLatchkey();
    const user = await latchkey.createUser({ email: 'shared@example.com' });
    const app = express();
    app.use(session({ secret: 'host-secret', resave: false, saveUninitialized: false }));
    app.get('/host-login', (req, res) => {
      (req.session as { hostUser?: string }).hostUser = user.id;
      res.send('ok');
    });
    app.use(
      '/account',
      createHostedPages(latchkey, {
        resolveUser: (req) => (req.session as { hostUser?: string }).hostUser ?? null,
      }),
    );
    const agent = request.agent(app);
    await agent.get('/host-login').expect(200);
    const form = await agent.get('/account/keys/new').expect(200);
    await agent
      .post('/account/keys')
      .type('form')
      .send({ ...formTokens(form.text), displayName: 'shared', expiry: '1m' })
      .expect(303);
    expect(shownToken((await agent.get('/account/keys')).text)).toMatch(/^lk_/);
    await agent.post('/account/keys').type('form').send({ displayName: 'x' }).expect(403);
  });

  it('leaves the host’s other routes alone', async () => {
    const { app } = await hostApp();
    await request(app).post('/api/whoami').expect(401);
    await request(app).get('/account/elsewhere').expect(404);
  });
});

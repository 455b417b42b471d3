import request from 'supertest';
import { makeApp } from '../../support/harness';
import { PASSWORD, aUserWithPassword, formTokens, signedInAgent } from '../../support/pages';

/** A form sent after the session timed out: back to sign-in, then to the same form. */

const HOST = 'pages.example';
const Agent = request.agent;

/** Moves the clock past the 30-minute idle timeout for the rest of the test. */
function idleTooLong(): void {
  const realNow = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 31 * 60_000);
}

async function staleKeyForm() {
  const { app, latchkey } = await makeApp();
  const user = await aUserWithPassword(latchkey);
  const agent = await signedInAgent(app, user.email);
  const tokens = formTokens((await agent.get('/keys/new').expect(200)).text);
  idleTooLong();
  const send = (referer: string | null, accept = 'text/html') => {
    const req = agent.post('/keys').type('form').set('Host', HOST).set('Accept', accept);
    return (referer ? req.set('Referer', referer) : req).send({
      ...tokens,
      displayName: 'CI deploy',
      expiry: '6m',
      password: 'typed-secret-password',
      token: 'lk_not-to-be-kept',
    });
  };
  return { app, latchkey, user, agent, send };
}

afterEach(() => jest.restoreAllMocks());

describe('a form sent after the session expired', () => {
  it('goes to sign-in with a clear message, then back to the form with the safe fields', async () => {
    const { latchkey, user, agent, send } = await staleKeyForm();
    const sent = await send(`http://${HOST}/keys/new`).expect(303);
    expect(sent.headers.location).toBe('/keys/new');
    expect((await latchkey.listApiKeys({ userId: user.id })).keys).toHaveLength(0);

    const toSignIn = await agent.get('/keys/new').set('Accept', 'text/html').expect(303);
    expect(toSignIn.headers.location).toBe('/login?next=%2Fkeys%2Fnew');
    const login = await agent.get(toSignIn.headers.location!).expect(200);
    expect(login.text).toMatch(/Your session ended before the form was sent/);
    const signedIn = await agent
      .post('/login')
      .type('form')
      .send({ ...formTokens(login.text), email: user.email, password: PASSWORD, next: '/keys/new' })
      .expect(303);
    expect(signedIn.headers.location).toBe('/keys/new');

    const form = (await agent.get('/keys/new').expect(200)).text;
    expect(form).toContain('value="CI deploy"');
    expect(form).toMatch(/<option value="6m" selected>/);
    expect(form).not.toContain('typed-secret-password');
    expect(form).not.toContain('lk_not-to-be-kept');
    // Shown once: a reload starts from an empty form.
    expect((await agent.get('/keys/new').expect(200)).text).not.toContain('value="CI deploy"');
  });

  it.each([
    ['another site', 'https://evil.com/keys/new'],
    ['a protocol-relative path', `http://${HOST}//evil.com/keys`],
    ['a backslash path', `http://${HOST}/\\evil.com`],
    ['no Referer at all', null],
  ])('returns only to a same-site path: %s goes to the home page', async (_case, referer) => {
    const { send } = await staleKeyForm();
    const sent = await send(referer).expect(303);
    expect(sent.headers.location).toBe('/');
  });

  it('keeps the 403 for a client asking for JSON', async () => {
    const { send } = await staleKeyForm();
    const res = await send(`http://${HOST}/keys/new`, 'application/json').expect(403);
    expect(res.body.error).toBe('forbidden');
  });

  it('keeps the 403 for a live session whose form token is wrong', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const agent = await signedInAgent(app, user.email);
    const tokens = formTokens((await agent.get('/keys/new').expect(200)).text);
    await agent
      .post('/keys')
      .type('form')
      .set('Referer', `http://${HOST}/keys/new`)
      .send({ ...tokens, _csrf: 'forged', displayName: 'x', expiry: '6m' })
      .expect(403);
  });
});

describe('where sign-in returns to', () => {
  it.each(['//evil.com', 'https://evil.com', '/\\evil.com', '/keys?next=//evil.com'])(
    'never leaves the site for next=%s',
    async (next) => {
      const { app, latchkey } = await makeApp();
      const user = await aUserWithPassword(latchkey);
      const agent = Agent(app);
      const page = await agent.get('/login').expect(200);
      const res = await agent
        .post('/login')
        .type('form')
        .send({ ...formTokens(page.text), email: user.email, password: PASSWORD, next })
        .expect(303);
      expect(res.headers.location).toBe('/');
    },
  );

  it('keeps a plain query string of a page inside the site', async () => {
    const { app, latchkey } = await makeApp();
    const user = await aUserWithPassword(latchkey);
    const agent = Agent(app);
    const page = await agent.get('/login').expect(200);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ ...formTokens(page.text), email: user.email, password: PASSWORD, next: '/keys?a=1' })
      .expect(303);
    expect(res.headers.location).toBe('/keys?a=1');
  });
});

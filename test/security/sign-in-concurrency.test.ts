import bcrypt from 'bcrypt';
import express from 'express';
import request from 'supertest';
import { createAdminPages } from '../../src/http/admin/admin-pages';
import { createHostedPages } from '../../src/http/pages/hosted-pages';
import { ADMIN_PASSWORD, anAdmin } from '../admin/support';
import { makeLatchkey } from '../support/harness';
import { PASSWORD, aUserWithPassword, formTokens } from '../support/pages';

/** Many guesses sent at once: the sign-in limits must hold however they interleave. */

const LIMITS = { perAccount: 3, perIp: 5, windowSeconds: 60 };

async function guessesAtOnce(
  app: express.Express,
  loginPath: string,
  guesses: { email: string; password: string }[],
) {
  const agent = request.agent(app);
  const tokens = formTokens((await agent.get(loginPath).expect(200)).text);
  return Promise.all(
    guesses.map((g) =>
      agent
        .post(loginPath)
        .type('form')
        .send({ ...tokens, ...g }),
    ),
  );
}

describe('sign-in limits under concurrent guesses', () => {
  let compares: jest.SpyInstance;
  beforeEach(() => {
    compares = jest.spyOn(bcrypt, 'compare');
  });
  afterEach(() => compares.mockRestore());

  it('checks at most the per-account limit of 20 guesses sent at once for one user', async () => {
    const latchkey = await makeLatchkey();
    const app = express().use(createHostedPages(latchkey, { loginThrottle: LIMITS }));
    const user = await aUserWithPassword(latchkey);
    const guesses = Array.from({ length: 19 }, (_, i) => ({
      email: user.email,
      password: `wrong guess ${i}`,
    }));
    compares.mockClear();
    const answers = await guessesAtOnce(app, '/login', [
      ...guesses,
      { email: user.email, password: PASSWORD },
    ]);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(LIMITS.perAccount);
    expect(compares.mock.calls.length).toBeLessThanOrEqual(LIMITS.perAccount);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(17);
  });

  it('checks at most the per-address limit of 25 admin guesses across accounts', async () => {
    const latchkey = await makeLatchkey();
    const app = express().use('/admin', createAdminPages(latchkey, { loginThrottle: LIMITS }));
    const admin = await anAdmin(latchkey);
    const guesses = Array.from({ length: 24 }, (_, i) => ({
      email: `guess${i}@example.com`,
      password: 'wrong guess',
    }));
    compares.mockClear();
    const answers = await guessesAtOnce(app, '/admin/login', [
      ...guesses,
      { email: admin.email, password: ADMIN_PASSWORD },
    ]);
    expect(answers.filter((a) => a.status !== 429).length).toBeLessThanOrEqual(LIMITS.perIp);
    expect(compares.mock.calls.length).toBeLessThanOrEqual(LIMITS.perIp);
  });

  it('gives a right password its try back, so signing in does not use up the address', async () => {
    const latchkey = await makeLatchkey();
    const app = express().use(createHostedPages(latchkey, { loginThrottle: LIMITS }));
    const user = await aUserWithPassword(latchkey);
    for (let i = 0; i < LIMITS.perIp + 2; i++) {
      const [answer] = await guessesAtOnce(app, '/login', [
        { email: user.email, password: PASSWORD },
      ]);
      expect(answer!.status).toBe(303);
    }
  });
});

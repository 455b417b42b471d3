import express from 'express';
import request from 'supertest';
import { createHostedPages } from '../../../src/http/pages/hosted-pages';
import { makeApp, makeLatchkey } from '../../support/harness';
import { PASSWORD, aUserWithPassword, formTokens, signedInAgent } from '../../support/pages';

/** Self sign-up must not reveal which emails have accounts, nor hash passwords without end. */

async function signUp(agent: ReturnType<typeof request.agent>, email: string, password: string) {
  const page = await agent.get('/signup').expect(200);
  return agent
    .post('/signup')
    .type('form')
    .send({ ...formTokens(page.text), email, password, passwordConfirm: password });
}

describe('self sign-up answers', () => {
  it('answers the same for a taken email and a free one, and signs nobody in', async () => {
    const { app, latchkey } = await makeApp();
    await latchkey.updateSettings({ selfSignupEnabled: true });
    const existing = await aUserWithPassword(latchkey);
    const taken = request.agent(app);
    const free = request.agent(app);
    const onTaken = await signUp(taken, existing.email, 'another password 1');
    const onFree = await signUp(free, 'free@example.com', 'another password 1');
    expect([onTaken.status, onTaken.headers.location]).toEqual([303, '/login']);
    expect([onFree.status, onFree.headers.location]).toEqual([303, '/login']);
    const takenPage = (await taken.get('/login').expect(200)).text;
    const freePage = (await free.get('/login').expect(200)).text;
    const message = (html: string) => /<div class="flash[^>]*>([^<]*)<\/div>/.exec(html)?.[1];
    expect(message(takenPage)).toBeDefined();
    expect(message(takenPage)).toBe(message(freePage));
    expect(takenPage).not.toMatch(/already exists/);
    // Nobody was signed in as the existing user, whose password is unchanged.
    await taken.get('/keys').expect(303);
    await signedInAgent(app, existing.email, PASSWORD);
  });
});

describe('self sign-up limit per address', () => {
  it('refuses sign-ups from one address past the hourly limit, with Retry-After', async () => {
    const latchkey = await makeLatchkey();
    await latchkey.updateSettings({ selfSignupEnabled: true });
    const app = express().use(createHostedPages(latchkey, { signupLimitPerHour: 3 }));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await signUp(request.agent(app), `n${i}@example.com`, PASSWORD)).status);
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
    expect(await latchkey.fetchUserByEmail('n3@example.com')).toBeNull();
    const refused = await signUp(request.agent(app), 'n9@example.com', PASSWORD);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.text).toMatch(/Too many accounts were created from this address/);
  });

  it('holds the default limit of 10 under concurrent sign-ups', async () => {
    const { app, latchkey } = await makeApp();
    await latchkey.updateSettings({ selfSignupEnabled: true });
    const agent = request.agent(app);
    const tokens = formTokens((await agent.get('/signup').expect(200)).text);
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        agent
          .post('/signup')
          .type('form')
          .send({
            ...tokens,
            email: `c${i}@example.com`,
            password: PASSWORD,
            passwordConfirm: PASSWORD,
          }),
      ),
    );
    expect(answers.filter((a) => a.status === 303)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(15);
  });
});

import express from 'express';
import request from 'supertest';
import { LatchkeyError } from '../../../src/core/errors';
import { pageMachinery } from '../../../src/http/pages/machinery';
import { flash, formatTime, pageErrorHandler, renderPage } from '../../../src/http/pages/render';
import { consumeFormId, csrfTokenFor, issueFormId } from '../../../src/http/pages/security';
import { makeLatchkey } from '../../support/harness';

/** A tiny page area built only from the shared machinery, as another area would use it. */
async function makeArea(options: { idleMinutes?: number; absoluteHours?: number } = {}) {
  const latchkey = await makeLatchkey();
  const changes: string[] = [];
  const router = express.Router();
  router.use(
    pageMachinery(latchkey.store, latchkey.logger, { secret: 'x'.repeat(32), ...options }),
  );
  router.get('/form', async (req, res) => {
    req.session.userId = 'someone';
    await renderPage(req, res, 'error', { title: 'Form', error: { message: 'hello' } });
  });
  router.get('/tokens', (req, res) => {
    res.json({
      csrf: csrfTokenFor(req),
      formId: issueFormId(req),
      userId: req.session.userId ?? null,
    });
  });
  router.post('/change', (req, res) => {
    consumeFormId(req);
    changes.push(String(req.body.value));
    flash(req, 'success', 'Changed.');
    res.redirect('/form');
  });
  router.get('/fail', () => {
    throw new LatchkeyError('not_found', 'No such thing.');
  });
  router.use(pageErrorHandler(latchkey.logger));
  const app = express();
  app.use(router);
  return { app, latchkey, changes };
}

async function signedIn(app: express.Express) {
  const agent = request.agent(app);
  const page = await agent.get('/form').expect(200);
  const { body } = await agent.get('/tokens');
  return { agent, csrf: body.csrf as string, formId: body.formId as string, page };
}

describe('page machinery', () => {
  it('keeps sessions in the Latchkey store with an httpOnly, sameSite=lax cookie', async () => {
    const { app, latchkey } = await makeArea();
    const { page, agent } = await signedIn(app);
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/latchkey\.sid=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const sid = /latchkey\.sid=s:([^.;]+)/.exec(decodeURIComponent(cookie))?.[1] ?? '';
    const record = await latchkey.store.getSession(sid, Math.floor(Date.now() / 1000));
    expect(JSON.parse(record?.data ?? '{}').userId).toBe('someone');
    expect((await agent.get('/tokens')).body.userId).toBe('someone');
  });

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    const { app } = await makeArea();
    const outer = express();
    outer.set('trust proxy', true);
    outer.use(app);
    const res = await request(outer).get('/form').set('X-Forwarded-Proto', 'https');
    expect(String(res.headers['set-cookie'])).toMatch(/Secure/);
  });

  it('sends a CSP that allows scripts only with this response’s nonce', async () => {
    const { app } = await makeArea();
    const res = await request(app).get('/form').expect(200);
    const csp = String(res.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).not.toMatch(/unsafe-inline/);
    expect(res.text).toContain(`nonce="${nonce}"`);
    const again = await request(app).get('/form');
    expect(String(again.headers['content-security-policy'])).not.toContain(nonce);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses a form without a CSRF token with 403 and changes nothing', async () => {
    const { app, changes } = await makeArea();
    const { agent, formId } = await signedIn(app);
    const res = await agent.post('/change').type('form').send({ value: 'a', formId }).expect(403);
    expect(res.text).toMatch(/Nothing was changed/);
    expect(changes).toEqual([]);
  });

  it('refuses a form with a wrong CSRF token with 403 and changes nothing', async () => {
    const { app, changes } = await makeArea();
    const { agent, formId, csrf } = await signedIn(app);
    await agent
      .post('/change')
      .type('form')
      .send({ value: 'a', formId, _csrf: csrf.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) })
      .expect(403);
    expect(changes).toEqual([]);
  });

  it('accepts a form once and refuses its second submit', async () => {
    const { app, changes } = await makeArea();
    const { agent, formId, csrf } = await signedIn(app);
    await agent.post('/change').type('form').send({ value: 'a', formId, _csrf: csrf }).expect(302);
    const again = await agent
      .post('/change')
      .type('form')
      .send({ value: 'a', formId, _csrf: csrf })
      .expect(409);
    expect(again.text).toMatch(/already submitted/);
    expect(changes).toEqual(['a']);
  });

  it('shows a flash message once, on the next page', async () => {
    const { app } = await makeArea();
    const { agent, formId, csrf } = await signedIn(app);
    await agent.post('/change').type('form').send({ value: 'a', formId, _csrf: csrf });
    expect((await agent.get('/form')).text).toContain('Changed.');
    expect((await agent.get('/form')).text).not.toContain('Changed.');
  });

  it('answers errors as HTML for browsers and as the error table’s JSON for JSON clients', async () => {
    const { app } = await makeArea();
    const html = await request(app).get('/fail').set('Accept', 'text/html').expect(404);
    expect(html.headers['content-type']).toMatch(/html/);
    expect(html.text).toContain('No such thing.');
    const json = await request(app).get('/fail').set('Accept', 'application/json').expect(404);
    expect(json.body).toEqual({ error: 'not_found', message: 'No such thing.', fields: {} });
  });

  it('ends a session after the idle timeout, and each request pushes it back', async () => {
    const { app, latchkey } = await makeArea({ idleMinutes: 10 });
    const { agent, page } = await signedIn(app);
    const expires = Date.parse(
      /Expires=([^;]+)/.exec(String(page.headers['set-cookie']))?.[1] ?? '',
    );
    expect(Math.abs(expires - (Date.now() + 10 * 60_000))).toBeLessThan(5_000);
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 8 * 60_000;
      expect((await agent.get('/tokens')).body.userId).toBe('someone');
      Date.now = () => realNow() + 16 * 60_000;
      expect((await agent.get('/tokens')).body.userId).toBe('someone');
      Date.now = () => realNow() + 27 * 60_000;
      expect((await agent.get('/tokens')).body.userId).toBeNull();
    } finally {
      Date.now = realNow;
    }
    expect(
      await latchkey.store.pruneSessions(Math.floor(Date.now() / 1000) + 3600),
    ).toBeGreaterThan(0);
  });

  it('ends a session after the absolute timeout even while it is in use', async () => {
    const { app } = await makeArea({ absoluteHours: 1 });
    const { agent } = await signedIn(app);
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 2 * 3600_000;
      expect((await agent.get('/tokens')).body.userId).toBeNull();
    } finally {
      Date.now = realNow;
    }
  });
});

describe('formatTime', () => {
  it('shows unix seconds as a UTC date and time, and the empty text for none', () => {
    expect(formatTime(1_795_887_600)).toBe('28 Nov 2026, 17:40 UTC');
    expect(formatTime(null, 'Never')).toBe('Never');
  });

  it('shows the last second of the year 9999 as a date', () => {
    expect(formatTime(253_402_300_799)).toBe('31 Dec 9999, 23:59 UTC');
  });

  it.each([253_402_300_800, 1e13, 1e16, Number.MAX_VALUE, Infinity])(
    'shows %d, later than any expiry a key may now have, as after the year 9999 without throwing',
    (seconds) => {
      expect(formatTime(seconds)).toBe('After the year 9999');
    },
  );

  it.each([-1e16, NaN])('shows %d, which no date can hold, as an unknown time', (seconds) => {
    expect(formatTime(seconds)).toBe('Unknown time');
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Latchkey } from '../../src/latchkey';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite';
import { adminAgent, anAdmin, type Agent } from '../admin/support';
import { LogCapture, makeApp } from '../support/harness';
import { formTokens } from '../support/pages';
import { createLogger } from '../../src/logger';

/**
 * The database file fails while the server runs (here: SQLite's `query_only`, which makes
 * every write fail as on a read-only file, SQLITE_READONLY). Pages, the dashboard, the REST
 * API and the middleware answer 503, as HTML to a browser, and never show a stack trace.
 */

let dir: string;
let store: SqliteStore;
let latchkey: Latchkey;
let app: Awaited<ReturnType<typeof makeApp>>['app'];
let admin: Agent;
let logs: LogCapture;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-failing-'));
  store = createSqliteStore(path.join(dir, 'latchkey.db'));
  logs = new LogCapture();
  ({ app, latchkey } = await makeApp({
    store,
    logger: createLogger({ level: 'error', destination: logs }),
  }));
  const { email } = await anAdmin(latchkey);
  admin = await adminAgent(app, email);
});
afterEach(async () => {
  await latchkey.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const failWrites = () => store.db.pragma('query_only = ON');

function expectNoStack(text: string): void {
  expect(text).not.toMatch(/SqliteError|\n\s+at /);
}

describe('a database that stops taking writes', () => {
  it('answers a hosted page 503 as an HTML page', async () => {
    failWrites();
    const res = await request(app).get('/login').set('Accept', 'text/html');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expectNoStack(res.text);
  });

  it('answers a dashboard change 503 as an HTML page', async () => {
    const page = await admin.get('/admin/users').expect(200);
    failWrites();
    const res = await admin
      .post('/admin/users')
      .type('form')
      .set('Accept', 'text/html')
      .send({ ...formTokens(page.text), email: 'new@example.com' });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expectNoStack(res.text);
  });

  it('answers the REST API 503 with the unavailable code', async () => {
    const { token } = await latchkey.createIntegrationKey('ci');
    failWrites();
    const res = await request(app)
      .post('/api/backend/v1/user/')
      .set('Authorization', `Bearer ${token}`)
      .send({ email: 'new@example.com' });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'unavailable' });
    expectNoStack(res.text);
  });

  it('logs the cause for the operator', async () => {
    failWrites();
    await request(app).get('/login').set('Accept', 'text/html');
    expect(logs.text).toContain('readonly');
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createApp } from '../../src/app';
import { migrate } from '../../src/store/sqlite/migrations';
import { adminAgent, anAdmin, post } from '../admin/support';
import { makeLatchkey } from '../support/harness';
import { aUserWithPassword, shownToken, signedInAgent, submitForm } from '../support/pages';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-one-time-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every byte of the database files (main, WAL, shared memory), as one string. */
const databaseBytes = () =>
  fs
    .readdirSync(dir)
    .map((name) => fs.readFileSync(path.join(dir, name)).toString('latin1'))
    .join('');

const TOKEN = /\b(lki?_[0-9A-Za-z]{49})\b/g;

describe('one-time token displays', () => {
  it('never write the new key token or integration key to the database', async () => {
    const latchkey = await makeLatchkey({ databasePath: path.join(dir, 'latchkey.db') });
    const app = createApp(latchkey, { TRUST_PROXY: false, BODY_LIMIT: '100kb' });
    const user = await aUserWithPassword(latchkey);
    const member = await signedInAgent(app, user.email);
    const admin = await adminAgent(app, (await anAdmin(latchkey)).email);

    const created = await submitForm(member, '/keys/new', '/keys', {
      displayName: 'Laptop',
      expiry: '1m',
    });
    expect(created.status).toBe(303);
    await post(admin, '/admin/integration-keys', '/admin/integration-keys', { name: 'billing' });
    // Between the create and the page that shows it, the token is held somewhere: not here.
    expect(databaseBytes().match(TOKEN)).toBeNull();

    const keysPage = await member.get('/keys').expect(200);
    const integrationPage = await admin.get('/admin/integration-keys').expect(200);
    const apiToken = shownToken(keysPage.text);
    const integrationToken = shownToken(integrationPage.text);
    expect(apiToken).toMatch(/^lk_/);
    expect(integrationToken).toMatch(/^lki_/);
    for (const page of [keysPage, integrationPage])
      expect(page.headers['cache-control']).toBe('no-store');
    // Shown once: a second load has no token and may be cached as usual.
    expect(shownToken((await member.get('/keys')).text)).toBeNull();
    expect(shownToken((await admin.get('/admin/integration-keys')).text)).toBeNull();

    for (const bytes of [databaseBytes(), (await latchkey.close(), databaseBytes())]) {
      expect(bytes).not.toContain(apiToken!);
      expect(bytes).not.toContain(integrationToken!);
      expect(bytes.match(TOKEN)).toBeNull();
    }
  });

  it('are removed from sessions stored by an earlier version, when the database is migrated', () => {
    const file = path.join(dir, 'old.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    migrate(db);
    const oldToken = `lk_${'A1b2'.repeat(12)}C`;
    const oldIntegration = `lki_${'Z9y8'.repeat(12)}X`;
    const insert = db.prepare('INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)');
    insert.run(
      'member',
      JSON.stringify({ userId: 'u1', newKey: { keyId: 'k', token: oldToken, scope: '/keys' } }),
      4_000_000_000,
    );
    insert.run(
      'admin',
      JSON.stringify({ adminId: 'a1', newIntegrationKey: { id: 'i', token: oldIntegration } }),
      4_000_000_000,
    );
    insert.run('plain', JSON.stringify({ userId: 'u2' }), 4_000_000_000);
    // Forget the step that cleans them (version 4), as if these rows predated it.
    db.prepare('DELETE FROM schema_migrations WHERE version = 4').run();
    db.close();

    const reopened = new Database(file);
    expect(migrate(reopened)).toBe(1);
    const sessions = reopened.prepare('SELECT sid, data FROM sessions ORDER BY sid').all();
    expect(sessions).toEqual([
      { sid: 'admin', data: JSON.stringify({ adminId: 'a1' }) },
      { sid: 'member', data: JSON.stringify({ userId: 'u1' }) },
      { sid: 'plain', data: JSON.stringify({ userId: 'u2' }) },
    ]);
    reopened.close();
    const bytes = databaseBytes();
    expect(bytes).not.toContain(oldToken);
    expect(bytes).not.toContain(oldIntegration);
  });
});

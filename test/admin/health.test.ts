import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { createApp, startupWarnings } from '../../src/app';
import type { Store } from '../../src/core/store';
import { nowSeconds } from '../../src/core/time';
import { formatDuration } from '../../src/http/admin/health';
import { ValidationTally } from '../../src/http/admin/validation-tally';
import { describeStore } from '../../src/store/describe-store';
import { backupRecordOf } from '../../src/store/sqlite/backup';
import { makeApp, makeLatchkey } from '../support/harness';
import { adminAgent, anAdmin, signedInAdmin, whoami } from './support';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const fact = (html: string, name: string) =>
  text(new RegExp(`data-(?:fact|count)="${name}">([\\s\\S]*?)</dd>`).exec(html)?.[1] ?? '').trim();
const outcomeRow = (html: string, outcome: string) =>
  text(new RegExp(`<tr data-outcome="${outcome}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '').trim();

describe('admin health page', () => {
  it('is linked from the dashboard nav', async () => {
    const { agent } = await signedInAdmin();
    const page = await agent.get('/admin/settings').expect(200);
    expect(page.text).toContain('href="/admin/health"');
    const health = await agent.get('/admin/health').expect(200);
    expect(health.text).toMatch(/href="\/admin\/health" aria-current="page"/);
  });

  it('shows the version, uptime, store and counts of users, orgs and keys by state', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const version = (
      JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const user = await latchkey.createUser({ email: 'one@example.com' });
    await latchkey.createUser({ email: 'two@example.com' });
    const org = await latchkey.createOrg({ name: 'Acme' });
    await latchkey.createApiKey({ userId: user.id });
    await latchkey.createApiKey({ orgId: org.id });
    const expiring = await latchkey.createApiKey({});
    await latchkey.store.updateKey(expiring.apiKeyId, { expiresAt: nowSeconds() - 60 });
    const archived = await latchkey.createApiKey({});
    await latchkey.archiveApiKey(archived.apiKeyId);

    const page = await agent.get('/admin/health').expect(200);
    expect(fact(page.text, 'version')).toBe(version);
    expect(fact(page.text, 'uptime')).toMatch(/^\d+ (d|h|min|s)/);
    expect(fact(page.text, 'store')).toBe('SQLite');
    expect(fact(page.text, 'location')).toBe(':memory:');
    expect(fact(page.text, 'mode')).toMatch(/in memory/);
    expect(fact(page.text, 'users')).toBe('2');
    expect(fact(page.text, 'orgs')).toBe('1');
    expect(fact(page.text, 'keys-current')).toBe('2');
    expect(fact(page.text, 'keys-expired')).toBe('1');
    expect(fact(page.text, 'keys-archived')).toBe('1');
  });

  it('shows validations of the last hour and day by outcome, and the cache hit ratio', async () => {
    const { app, agent, latchkey } = await signedInAdmin();
    const key = await latchkey.createApiKey({});
    await whoami(app, key.apiKeyToken).expect(200);
    await whoami(app, key.apiKeyToken).expect(200);
    await whoami(app, key.apiKeyToken).expect(200);
    await whoami(app, 'lk_not_a_real_key_at_all').expect(401);

    const page = await agent.get('/admin/health').expect(200);
    expect(outcomeRow(page.text, 'valid')).toBe('valid 3 3');
    expect(outcomeRow(page.text, 'malformed')).toBe('malformed 1 1');
    expect(outcomeRow(page.text, 'total')).toBe('All 4 4');
    // One store read for the key, then two lookups from the cache.
    expect(page.text).toMatch(/data-fact="cache-hour">66\.7%</);
    expect(page.text).toMatch(/<svg[^>]+role="img"/);
    expect(page.text).toContain('3 valid</title>');
    expect(page.text).not.toMatch(/<script(?![^>]*nonce)/);
    expect(page.text).not.toMatch(/ style="/);
  });

  it('shows table sizes and the last backup recorded beside the database file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-health-'));
    const databasePath = path.join(dir, 'latchkey.db');
    const { app, latchkey } = await makeApp({ databasePath });
    try {
      await latchkey.createUser({ email: 'sized@example.com' });
      const at = nowSeconds() - 3_600;
      fs.writeFileSync(
        backupRecordOf(databasePath),
        JSON.stringify({ at, file: '/backups/nightly.db', bytes: 123_456 }),
      );
      const admin = await anAdmin(latchkey);
      const agent = await adminAgent(app, admin.email);
      const page = await agent.get('/admin/health').expect(200);
      expect(fact(page.text, 'location')).toBe(databasePath);
      expect(fact(page.text, 'mode')).toBe('file, WAL journal');
      expect(fact(page.text, 'last-backup')).toContain('/backups/nightly.db');
      expect(fact(page.text, 'last-backup')).toContain('123,456 bytes');
      const sizes = await latchkey.fetchTableSizes();
      expect(Object.keys(sizes).length).toBeGreaterThan(3);
      for (const [table, rows] of Object.entries(sizes))
        expect(page.text).toMatch(
          new RegExp(
            `data-table="${table}"><th scope="row"><code>${table}</code></th><td>${rows}<`,
          ),
        );
      expect(sizes.users).toBe(1);
    } finally {
      await latchkey.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows start-up warnings passed from the configuration', async () => {
    const latchkey = await makeLatchkey();
    const app = createApp(latchkey, {
      TRUST_PROXY: true,
      BODY_LIMIT: '100kb',
      METRICS_ENABLED: true,
      HOST: '0.0.0.0',
    });
    const admin = await anAdmin(latchkey);
    const agent = await adminAgent(app, admin.email);
    const page = await agent.get('/admin/health').expect(200);
    expect(page.text).toContain('Start-up warnings');
    expect(page.text).toContain('TRUST_PROXY=true');
    expect(page.text).toContain('/metrics is open to anyone');
    expect(page.text).toContain('SESSION_SECRET is not set');
  });

  it('lists no warning for a careful configuration', () => {
    const careful = {
      TRUST_PROXY: false,
      METRICS_ENABLED: true,
      HOST: '0.0.0.0',
      METRICS_TOKEN: 'a-long-enough-metrics-token',
      SESSION_SECRET: 's'.repeat(32),
    };
    expect(startupWarnings(careful)).toEqual([]);
    expect(startupWarnings({ ...careful, METRICS_TOKEN: undefined, HOST: '127.0.0.1' })).toEqual(
      [],
    );
    expect(startupWarnings({ ...careful, METRICS_TOKEN: undefined })).toHaveLength(1);
  });

  describe('on MongoDB', () => {
    const PASSWORD = 'pa55-w0rd-never-shown';
    const URI = `mongodb://alice:${PASSWORD}@127.0.0.1:1,127.0.0.1:2/latchkey_prod?replicaSet=rs0&authSource=admin`;
    let connection: mongoose.Connection;
    let mongoStore: Store;

    beforeAll(() => {
      // Never reaches a server: only the address the driver parsed from the URI is read.
      connection = mongoose.createConnection(URI, { serverSelectionTimeoutMS: 100 });
      connection.asPromise().catch(() => undefined);
      mongoStore = {
        kind: 'mongo',
        connection,
        options: { useTransactions: true, capabilities: { changeStreams: true } },
      } as unknown as Store;
    });
    afterAll(async () => {
      await connection.close().catch(() => undefined);
    });

    it('describes the hosts and database without the user name or password', () => {
      expect(describeStore(mongoStore)).toEqual({
        kind: 'mongo',
        location: 'mongodb://***@127.0.0.1:1,127.0.0.1:2/latchkey_prod',
        mode: 'transactions, change streams',
        lastBackup: null,
      });
    });

    it('never shows the password of the MongoDB URI on the page', async () => {
      const { agent, latchkey } = await signedInAdmin();
      latchkey.describeStore = () => describeStore(mongoStore);
      const page = await agent.get('/admin/health').expect(200);
      expect(fact(page.text, 'store')).toBe('MongoDB');
      expect(fact(page.text, 'location')).toBe(
        'mongodb://***@127.0.0.1:1,127.0.0.1:2/latchkey_prod',
      );
      expect(page.text).not.toContain(PASSWORD);
      expect(page.text).not.toContain('alice');
    });
  });
});

describe('validation tally', () => {
  it('counts by minute and forgets what is older than a day', () => {
    let now = Date.UTC(2026, 4, 1, 12, 0, 0);
    const tally = new ValidationTally(() => now);
    tally.onValidation('valid');
    tally.onCacheLookup(true);
    now += 30 * 60_000;
    tally.onValidation('expired');
    tally.onCacheLookup(false);
    expect(tally.span(60).total).toBe(2);
    now += 45 * 60_000;
    expect(tally.span(60).byOutcome.get('expired')).toBe(1);
    expect(tally.span(60).byOutcome.get('valid')).toBeUndefined();
    expect(tally.span(1_440)).toMatchObject({ total: 2, cacheHits: 1, cacheMisses: 1 });
    expect(tally.hourly(24).slice(-2)).toEqual([
      { hoursAgo: 1, valid: 1, refused: 0 },
      { hoursAgo: 0, valid: 0, refused: 1 },
    ]);
    now += 24 * 3_600_000;
    tally.onValidation('valid');
    expect(tally.span(1_440).total).toBe(1);
  });

  it('formats durations with their two largest units', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(3_600 * 2 + 300)).toBe('2 h 5 min');
    expect(formatDuration(86_400 * 3 + 3_600 * 4 + 59)).toBe('3 d 4 h');
  });
});

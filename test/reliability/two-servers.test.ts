import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerChild } from '../support/child';
import { makeLatchkey } from '../support/harness';
import { freshStore } from '../store/mongo-target';
import { api, msUntil, serverEnv, signIn, startTwo, summary, whoami } from './two-servers';

/**
 * Two real server processes (src/server.ts) on one database, driven over HTTP: what
 * process A changes, process B must apply within the documented bound. Prints the figures.
 *
 * - SQLite: B caches lookups for CACHE_TTL_MS (300 ms here) and re-reads the settings every
 *   max(CACHE_TTL_MS, 1 s): a revocation reaches B within CACHE_TTL_MS, settings within 1 s.
 * - MongoDB without change streams (FerretDB): B polls the change counter every 500 ms and
 *   caches for 10 minutes, so only the counter can tell it: both bounds are 500 ms plus one
 *   round trip (asserted as 1 s).
 */
const TRIES = 20;
const SETTINGS_TRIES = 4;
const LIMIT = 15;
const PASSWORD = 'correct horse battery';

interface Deployment {
  env: NodeJS.ProcessEnv;
  revokeBoundMs: number;
  settingsBoundMs: number;
  /** Sets up the database (integration key, org allowance); resolves to the key and a cleanup. */
  prepare(): Promise<{ integrationKey: string; cleanup(): Promise<void> }>;
  /** Concurrent usage flushes can lose counts (a server that loses concurrent updates). */
  usageMayUndercount?: boolean;
}

async function prepareWith(lk: Awaited<ReturnType<typeof makeLatchkey>>) {
  await lk.updateSettings({ orgRateLimit: { limit: LIMIT, periodSeconds: 600 } });
  return (await lk.createIntegrationKey('two-servers test')).token;
}

function sqliteDeployment(): Deployment {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-two-servers-'));
  const file = path.join(dir, 'shared.db');
  return {
    env: serverEnv({ DATABASE_PATH: file, CACHE_TTL_MS: '300' }),
    revokeBoundMs: 300 + 200,
    settingsBoundMs: 1_000 + 200,
    async prepare() {
      const lk = await makeLatchkey({ databasePath: file });
      const integrationKey = await prepareWith(lk);
      await lk.close();
      return { integrationKey, cleanup: async () => fs.rmSync(dir, { recursive: true }) };
    },
  };
}

function mongoDeployment(uri: string): Deployment {
  const dbName = `latchkey_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(uri);
  url.pathname = `/${dbName}`;
  return {
    env: serverEnv({ MONGODB_URI: url.toString(), CACHE_TTL_MS: '600000' }),
    revokeBoundMs: 1_000,
    settingsBoundMs: 1_000,
    async prepare() {
      // Kept open until the end: closing this store drops the database.
      const store = await freshStore(uri, { dbName });
      const lk = await makeLatchkey({ store });
      const integrationKey = await prepareWith(lk);
      this.usageMayUndercount = store.options.capabilities?.atomicUpdates === false;
      return { integrationKey, cleanup: () => lk.close() };
    },
  };
}

function twoServerSuite(name: string, deployment: () => Deployment): void {
  describe(`two server processes on one ${name}`, () => {
    let d: Deployment;
    let a: ServerChild;
    let b: ServerChild;
    let integrationKey: string;
    let cleanup: () => Promise<void>;
    let userId: string;
    const email = `two-servers-${randomBytes(4).toString('hex')}@example.com`;

    beforeAll(async () => {
      d = deployment();
      ({ integrationKey, cleanup } = await d.prepare());
      ({ a, b } = await startTwo(d.env, d.env));
      const user = await api(a, integrationKey, 'POST', '/user/', { email, password: PASSWORD });
      expect(user.status).toBe(200);
      userId = String(user.body.user_id);
    }, 60_000);

    afterAll(async () => {
      const exits = await Promise.all([a?.stop(), b?.stop()]);
      await cleanup?.();
      expect(exits).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
    });

    const newKey = async (owner: Record<string, string | number>) => {
      const created = await api(a, integrationKey, 'POST', '/end_user_api_keys', owner);
      expect(created.status).toBe(200);
      return { id: String(created.body.api_key_id), token: String(created.body.api_key_token) };
    };

    it(`refuses in B a key revoked through A within the bound (${TRIES} tries)`, async () => {
      const lags: number[] = [];
      for (let i = 0; i < TRIES; i++) {
        const key = await newKey({ user_id: userId });
        expect(await whoami(b, key.token)).toBe(200); // now cached in B
        const deleted = await api(a, integrationKey, 'DELETE', `/end_user_api_keys/${key.id}`);
        expect(deleted.status).toBe(200);
        const revokedAt = Date.now();
        expect(await whoami(a, key.token)).toBe(401); // at once where it was revoked
        lags.push(
          await msUntil(
            revokedAt,
            () => whoami(b, key.token),
            (s) => s === 401,
            5_000,
          ),
        );
      }
      const { worst, median } = summary(lags);
      console.log(
        `${name}: revocation A→B over ${TRIES} tries: worst ${worst} ms, median ${median} ms (bound ${d.revokeBoundMs} ms)`,
      );
      expect(worst).toBeLessThanOrEqual(d.revokeBoundMs);
    }, 30_000);

    it('applies in B a settings change made in A within the bound', async () => {
      const key = await newKey({ user_id: userId });
      const lags: number[] = [];
      for (let i = 0; i < SETTINGS_TRIES; i++) {
        const enabled = i % 2 === 1;
        expect(await whoami(b, key.token)).toBe(enabled ? 401 : 200);
        await a.command({ updateSettings: { personalKeysEnabled: enabled } });
        const changedAt = Date.now();
        const want = enabled ? 200 : 401;
        lags.push(
          await msUntil(
            changedAt,
            () => whoami(b, key.token),
            (s) => s === want,
            5_000,
          ),
        );
      }
      const { worst, median } = summary(lags);
      console.log(
        `${name}: settings A→B over ${SETTINGS_TRIES} changes: worst ${worst} ms, median ${median} ms (bound ${d.settingsBoundMs} ms)`,
      );
      expect(worst).toBeLessThanOrEqual(d.settingsBoundMs);
    }, 30_000);

    it('shares rate limits and usage counts between A and B', async () => {
      const org = await api(a, integrationKey, 'POST', '/org/', { name: 'Two servers' });
      expect(org.status).toBe(200);
      const key = await newKey({ org_id: String(org.body.org_id) });
      // A burst from both processes at once: 2 x LIMIT validations, LIMIT allowed in all.
      const servers = Array.from({ length: 2 * LIMIT }, (_, i) => (i % 2 ? b : a));
      const statuses = await Promise.all(servers.map((s) => whoami(s, key.token)));
      const admitted = statuses.filter((s) => s === 200).length;
      const refused = statuses.filter((s) => s === 429).length;
      await new Promise((r) => setTimeout(r, 500)); // a few usage flushes in each process
      const usage = await api(
        b,
        integrationKey,
        'GET',
        `/end_user_api_keys/usage?api_key_id=${key.id}`,
      );
      console.log(
        `${name}: ${2 * LIMIT} validations of one org key split over A and B, allowance ${LIMIT}: ${admitted} admitted, ${refused} refused; usage count ${String(usage.body.count)}`,
      );
      expect(refused).toBe(2 * LIMIT - admitted);
      expect(admitted).toBe(LIMIT);
      // Documented in docs/mongodb.md: there two flushes of one key at once can lose one.
      if (d.usageMayUndercount) expect(usage.body.count).toBeLessThanOrEqual(admitted);
      else expect(usage.body.count).toBe(admitted);
    }, 30_000);

    it("never admits more than a key's usage quota between A and B", async () => {
      const QUOTA = 25;
      const key = await newKey({ user_id: userId, remaining_uses: QUOTA });
      const servers = Array.from({ length: 3 * QUOTA }, (_, i) => (i % 2 ? b : a));
      const statuses = await Promise.all(servers.map((s) => whoami(s, key.token)));
      const admitted = statuses.filter((s) => s === 200).length;
      console.log(
        `${name}: ${3 * QUOTA} validations of a ${QUOTA}-use key over A and B: ${admitted} admitted`,
      );
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      expect(admitted).toBeLessThanOrEqual(QUOTA);
      // Each process may still hold up to one lease (10 uses) it has not spent.
      expect(admitted).toBeGreaterThanOrEqual(QUOTA - 2 * 10);
    }, 30_000);

    it('opens the key page on B with a session cookie made by signing in on A', async () => {
      const signedIn = await signIn(a, email, PASSWORD);
      expect(signedIn.status).toBe(303);
      const page = await fetch(`${b.url}/keys`, { headers: { Cookie: signedIn.cookie } });
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toContain(email);
      const anonymous = await fetch(`${b.url}/keys`, { redirect: 'manual' });
      expect(anonymous.status).toBe(303); // to /login: the cookie is what signed B in
    }, 30_000);
  });
}

twoServerSuite('SQLite file', sqliteDeployment);

const mongoUri = process.env.TEST_MONGODB_URI;
if (mongoUri) twoServerSuite('MongoDB', () => mongoDeployment(mongoUri));
else
  describe('two server processes on one MongoDB', () => {
    it.skip('is skipped because MONGODB_URI is not set (npm run test:mongo sets it)', () => {});
  });

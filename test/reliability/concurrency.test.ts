import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CreatedKey } from '../../src/core/keys';
import { createSqliteStore } from '../../src/store/sqlite';
import { makeLatchkey } from '../support/harness';
import { withoutSyncReads, withSlowValidationReads } from '../support/world';
import { spawnTs, waitForLine } from '../support/child';

describe('concurrency', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-concurrency-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('never lets parallel creates in one process exceed the max keys per user', async () => {
    const lk = await makeLatchkey();
    await lk.updateSettings({ maxKeysPerUser: 5 });
    const user = await lk.createUser({ email: 'parallel@example.com' });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, () => lk.createApiKey({ userId: user.id })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    for (const o of outcomes.filter((o) => o.status === 'rejected')) {
      expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 'limit_reached' });
    }
    expect((await lk.listApiKeys({ userId: user.id })).total).toBe(5);
    await lk.close();
  });

  it('never lets parallel creates from several processes on one file exceed the max keys per user', async () => {
    const file = path.join(dir, 'shared.db');
    const setup = await makeLatchkey({ databasePath: file });
    await setup.updateSettings({ maxKeysPerUser: 7 });
    const user = await setup.createUser({ email: 'processes@example.com' });
    await setup.close();

    const children = Array.from({ length: 4 }, () =>
      spawnTs('test/reliability/children/create-keys.ts', [file, user.id, '10']),
    );
    const results = await Promise.all(
      children.map(async ({ lines, exited }) => {
        const line = await waitForLine(lines, (l) => l.startsWith('{'), 30_000);
        expect(await exited).toMatchObject({ code: 0 });
        return JSON.parse(line) as { created: number; refused: number };
      }),
    );
    expect(results.reduce((sum, r) => sum + r.created, 0)).toBe(7);
    expect(results.reduce((sum, r) => sum + r.refused, 0)).toBe(33);

    const check = await makeLatchkey({ databasePath: file });
    expect((await check.listApiKeys({ userId: user.id })).total).toBe(7);
    await check.close();
  }, 60_000);

  it('does not cache a lookup that was in flight while the key was revoked', async () => {
    // A store that waits on I/O, as MongoDB does: SQLite's synchronous read leaves no
    // moment in which a revoke could overlap a lookup.
    const lk = await makeLatchkey({ store: withoutSyncReads(createSqliteStore(':memory:')) });
    const user = await lk.createUser({ email: 'slow-lookup@example.com' });
    const key = await lk.createApiKey({ userId: user.id });
    // Hold the lookup after it has read the (still current) key.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const read = new Promise<void>((r) => (reached = r));
    const findKey = lk.store.findKeyForValidation.bind(lk.store);
    const lookups = jest
      .spyOn(lk.store, 'findKeyForValidation')
      .mockImplementationOnce(async (digest) => {
        const found = await findKey(digest);
        reached();
        await gate;
        return found;
      });
    const inFlight = lk.validateApiKey(key.apiKeyToken);
    await read;
    await lk.archiveApiKey(key.apiKeyId);
    release();
    await inFlight; // started before the revoke: either answer is acceptable
    expect(await lk.validateApiKey(key.apiKeyToken)).toMatchObject({ reason: 'archived' });
    expect(lookups).toHaveBeenCalledTimes(2);
    await lk.close();
  });

  it.each([
    ['SQLite, which reads in the same tick', () => createSqliteStore(':memory:')],
    // As MongoDB does: lookups are then in flight while revokes are acknowledged.
    [
      'a store that answers 2 ms later',
      () => withSlowValidationReads(createSqliteStore(':memory:'), 2),
    ],
  ])('never lets a key pass once its revocation was acknowledged (%s)', async (_name, store) => {
    // The validation cache is on (10 s), as in production.
    const lk = await makeLatchkey({ store: store() });
    const org = await lk.createOrg({ name: 'Racing' });
    const keys: CreatedKey[] = [];
    for (let i = 0; i < 20; i++) {
      const user = await lk.createUser({ email: `race${i}@example.com` });
      await lk.addUserToOrg(org.id, user.id, 'Member');
      const input = i % 2 ? { userId: user.id } : { userId: user.id, orgId: org.id };
      keys.push(await lk.createApiKey(input));
    }
    const revoked = new Set<string>();
    const violations: string[] = [];
    let validations = 0;
    let stop = false;

    const hammer = async (key: CreatedKey) => {
      while (!stop) {
        const revokedBefore = revoked.has(key.apiKeyId);
        const result = await lk.validateApiKey(key.apiKeyToken);
        validations++;
        if (revokedBefore && result.valid) violations.push(key.apiKeyId);
        await new Promise((r) => setImmediate(r));
      }
    };
    const revokeAll = async () => {
      for (const key of keys) {
        await new Promise((r) => setTimeout(r, 5));
        await lk.archiveApiKey(key.apiKeyId);
        revoked.add(key.apiKeyId);
      }
      await new Promise((r) => setTimeout(r, 50));
      stop = true;
    };
    // Settings changes empty the validation cache, so lookups start again and overlap
    // revokes; spaced out, so that a wrongly cached lookup would live long enough to pass.
    const changeSettings = async () => {
      for (let n = 1; !stop; n++) {
        await lk.updateSettings({ maxKeysPerOrg: 100 + (n % 2) });
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const hammers = keys.flatMap((key) => [hammer(key), hammer(key), hammer(key)]);
    await Promise.all([...hammers, revokeAll(), changeSettings()]);

    expect(validations).toBeGreaterThan(1000);
    expect(violations).toEqual([]);
    for (const key of keys) {
      expect(await lk.validateApiKey(key.apiKeyToken)).toMatchObject({ reason: 'archived' });
    }
    await lk.close();
  });
});

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMongoStore } from '../../src/store/mongo';
import { spawnTs } from '../support/child';
import { makeLatchkey } from '../support/harness';
import { mongoTarget } from './mongo-target';

/**
 * `npm run migrate:sqlite-to-mongo` for real: a child process copies an SQLite database
 * with every kind of record into a live MongoDB, twice; every old token then validates
 * on MongoDB as it did on SQLite.
 */
const target = mongoTarget();
const CLI = 'src/cli/migrate-sqlite-to-mongo.ts';

async function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  const { child, exited } = spawnTs(CLI, args);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const { code } = await exited;
  return { code, output };
}

if (target.kind !== 'uri') {
  describe('migrate:sqlite-to-mongo against a live server', () => {
    it.skip('is skipped because MONGODB_URI is not set (npm run test:mongo sets it)', () => {});
  });
} else {
  describe('migrate:sqlite-to-mongo against a live server', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-migrate-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('copies every record, keeps every token valid or refused as before, and reruns as a no-op', async () => {
      const file = path.join(dir, 'old.db');
      const old = await makeLatchkey({ databasePath: file });
      const user = await old.createUser({ email: 'migrating@example.com' });
      const org = await old.createOrg({ name: 'Migrating' });
      await old.addUserToOrg(org.id, user.id, 'Admin');
      const personal = await old.createApiKey({ userId: user.id, metadata: { plan: 'pro' } });
      const orgKey = await old.createApiKey({ orgId: org.id, rateLimit: null });
      const generic = await old.createApiKey({ displayName: 'generic' });
      const archived = await old.createApiKey({ userId: user.id });
      await old.archiveApiKey(archived.apiKeyId);
      const legacyToken = `legacy_${randomBytes(20).toString('hex')}`;
      await old.importApiKey({ token: legacyToken, userId: user.id });
      const tokens = [
        personal.apiKeyToken,
        orgKey.apiKeyToken,
        generic.apiKeyToken,
        archived.apiKeyToken,
        'not-a-key',
      ];
      const before: unknown[] = [];
      for (const t of tokens) before.push(await old.validateApiKey(t));
      before.push(await old.validateImportedApiKey(legacyToken));
      await old.close(); // flushes the usage counted by those validations

      const uri = `${target.uri.replace(/\/?$/, '/')}latchkey_migrate_${randomBytes(4).toString('hex')}`;
      const first = await runCli(['--from', file, '--to', uri]);
      expect(first.output).toContain('Count check passed');
      expect(first.code).toBe(0);
      const second = await runCli(['--from', file, '--to', uri]);
      expect(second.code).toBe(0);
      const table = (out: string) => out.slice(out.indexOf('Table'));
      expect(table(second.output)).toEqual(table(first.output));

      const store = await createMongoStore({ uri });
      const moved = await makeLatchkey({ store });
      try {
        const after: unknown[] = [];
        for (const t of tokens) after.push(await moved.validateApiKey(t));
        after.push(await moved.validateImportedApiKey(legacyToken));
        expect(after).toEqual(before);
        const valid = before.map((v) => (v as { valid: boolean }).valid);
        expect(valid).toEqual([true, true, true, false, false, true]);
      } finally {
        await moved.close();
        const cleanup = await createMongoStore({ uri });
        await cleanup.connection.dropDatabase();
        await cleanup.close();
      }
    }, 60_000);
  });
}

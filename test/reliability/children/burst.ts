/**
 * Child process for the crash-safety test: a burst of writes on an SQLite file.
 * Each line it prints acknowledges a write that has returned (so has committed);
 * the parent kills it with SIGKILL somewhere in the middle.
 */
import { randomInt } from 'node:crypto';
import { createLatchkey } from '../../../src/latchkey';
import { createLogger } from '../../../src/logger';

const ack = (...fields: string[]) => process.stdout.write(`${fields.join(' ')}\n`);

async function main(file: string): Promise<void> {
  const lk = await createLatchkey({
    databasePath: file,
    logger: createLogger({ level: 'silent' }),
    usageFlushIntervalMs: 50,
    bcryptCost: 4,
  });
  await lk.updateSettings({ revokeOrgKeysWhenCreatorLeaves: true });
  const org = await lk.createOrg({ name: `Burst ${Date.now()}` });
  const users: string[] = [];
  const keys: string[] = [];
  const newUser = async () => {
    const user = await lk.createUser({ email: `burst-${users.length}-${Date.now()}@example.com` });
    await lk.addUserToOrg(org.id, user.id, 'Admin');
    users.push(user.id);
    ack('user', user.id);
  };
  for (let i = 0; i < 5; i++) await newUser();
  ack('ready');
  for (let n = 0; ; n++) {
    const userId = users[randomInt(users.length)]!;
    const roll = n % 10;
    if (roll < 5) {
      const created = await lk.createApiKey(roll % 2 ? { userId } : { userId, orgId: org.id });
      keys.push(created.apiKeyId);
      ack('created', created.apiKeyId);
      // Validations make usage writes happen alongside the burst.
      await lk.validateApiKey(created.apiKeyToken);
    } else if (roll < 8 && keys.length) {
      const keyId = keys.splice(randomInt(keys.length), 1)[0]!;
      const archived = await lk.archiveApiKey(keyId).then(
        () => true,
        () => false, // already archived by a cascade
      );
      if (archived) ack('archived', keyId);
    } else if (roll === 8 && users.length > 2) {
      users.splice(users.indexOf(userId), 1);
      await lk.deleteUser(userId);
      ack('deleted', userId);
    } else if (n % 30 === 9) {
      // A short-lived org with members and keys, deleted as a whole.
      const doomed = await lk.createOrg({ name: `Doomed ${n} ${Date.now()}` });
      await lk.addUserToOrg(doomed.id, userId, 'Member');
      for (let i = 0; i < 3; i++) await lk.createApiKey({ orgId: doomed.id, userId });
      await lk.deleteOrg(doomed.id);
      ack('org-deleted', doomed.id);
    } else {
      await newUser();
    }
  }
}

main(process.argv[2] ?? 'data/burst.db').catch((err) => {
  console.error(err);
  process.exit(1);
});

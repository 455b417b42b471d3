import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLatchkey, type Latchkey, type LatchkeyOptions } from '../src/latchkey';
import { createLogger } from '../src/logger';

/** A temp dir holding one SQLite file; remove it with `fs.rmSync(dir, { recursive: true })`. */
export function makeTempDatabase(): { tempDir: string; databasePath: string } {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));
  return { tempDir, databasePath: path.join(tempDir, 'latchkey.db') };
}

/** A Latchkey that logs nothing, so log writes do not count against it. */
export function openBenchLatchkey(
  databasePath: string,
  options: LatchkeyOptions = {},
): Promise<Latchkey> {
  return createLatchkey({
    databasePath,
    logger: createLogger({ level: 'silent' }),
    bcryptCost: 4,
    // The bad-checksum scenario sends thousands of invalid keys from 127.0.0.1 on purpose.
    invalidKeyLimitPerMinute: 0,
    ...options,
  });
}

/**
 * The caller every scenario validates: a user who belongs to one org (so the
 * validation result carries `orgIdToOrgInfo`, as in the seed) with a personal key.
 */
export async function seedCaller(latchkey: Latchkey) {
  const user = await latchkey.createUser({ email: 'bench@example.com', firstName: 'Bench' });
  const org = await latchkey.createOrg({ name: 'Bench Org' });
  await latchkey.addUserToOrg(org.id, user.id, 'Admin');
  const created = await latchkey.createApiKey({ userId: user.id, displayName: 'bench' });
  return { userId: user.id, orgId: org.id, token: created.apiKeyToken };
}

/** The standalone server's settings where the bench serves it (defaults, a fixed session secret). */
export const BENCH_APP_CONFIG = {
  TRUST_PROXY: false,
  BODY_LIMIT: '100kb',
  SESSION_SECRET: 'bench-session-secret-bench-session-secret',
};

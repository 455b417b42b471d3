import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { makeLatchkey, type TestLatchkey } from '../support/harness';

const ROOT = path.resolve(__dirname, '../..');
const TRIES = 60;

/** The validating process: a strict and a bounded Latchkey over `file`, asked one token per line. */
function startValidator(file: string) {
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(ROOT, 'test/support/ts-register.js'),
      path.join(ROOT, 'test/reliability/children/validator.ts'),
      file,
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error('the validating process closed its output');
    return line.value;
  };
  return {
    ready: next(),
    /** Sent only now: the validation starts after whatever the caller awaited before. */
    async validate(token: string): Promise<{ strict: string; bounded: string }> {
      child.stdin.write(`${token}\n`);
      return JSON.parse(await next()) as { strict: string; bounded: string };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

describe('strict consistency across processes on one SQLite file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-strict-'));
  let writer: TestLatchkey;
  let validator: ReturnType<typeof startValidator>;

  beforeAll(async () => {
    const file = path.join(dir, 'shared.db');
    writer = await makeLatchkey({ databasePath: file });
    validator = startValidator(file);
    expect(await validator.ready).toBe('ready');
  }, 30_000);

  afterAll(async () => {
    await validator.stop();
    await writer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`refuses a key revoked in the other process on the next validation, ${TRIES} times out of ${TRIES}`, async () => {
    let boundedStillCached = 0;
    for (let i = 0; i < TRIES; i++) {
      const { apiKeyId, apiKeyToken } = await writer.createApiKey({});
      expect(await validator.validate(apiKeyToken)).toEqual({ strict: 'valid', bounded: 'valid' });
      await writer.archiveApiKey(apiKeyId);
      const after = await validator.validate(apiKeyToken);
      expect(after.strict).toBe('archived');
      if (after.bounded === 'valid') boundedStillCached++;
    }
    // The bounded Latchkey beside it still answers from its cache: the test can tell them apart.
    expect(boundedStillCached).toBe(TRIES);
  }, 60_000);

  it('sees owner and settings changes made by the other process at once', async () => {
    const user = await writer.createUser({ email: 'strict@example.com' });
    const { apiKeyToken } = await writer.createApiKey({ userId: user.id });
    expect((await validator.validate(apiKeyToken)).strict).toBe('valid');

    await writer.disableUser(user.id);
    expect((await validator.validate(apiKeyToken)).strict).toBe('user_disabled');
    await writer.enableUser(user.id);
    expect((await validator.validate(apiKeyToken)).strict).toBe('valid');

    await writer.updateSettings({ personalKeysEnabled: false });
    expect((await validator.validate(apiKeyToken)).strict).toBe('kind_disabled');
    await writer.updateSettings({ personalKeysEnabled: true });
    expect((await validator.validate(apiKeyToken)).strict).toBe('valid');
  }, 30_000);
});

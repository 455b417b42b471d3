import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../src/cli/main';
import { verifyPassword } from '../src/core/passwords';
import type { Store } from '../src/core/store';
import { createLatchkey, type Latchkey } from '../src/latchkey';
import { createLogger } from '../src/logger';
import { createSqliteStore } from '../src/store/sqlite';

let dir: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cli-'));
  process.env.DATABASE_PATH = path.join(dir, 'latchkey.db');
  process.env.BCRYPT_COST = '4';
});
afterEach(() => {
  process.env = { ...saved };
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process, capturing what it prints. */
async function cli(...argv: string[]) {
  return cliReading('', ...argv);
}

/** The same, with `input` as the CLI's standard input. */
async function cliReading(input: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(argv, Readable.from([input]));
    return { code, stdout, stderr };
  } finally {
    jest.restoreAllMocks();
  }
}

/** The one JSON object a --json command prints. */
async function json(...argv: string[]): Promise<Record<string, string>> {
  const { code, stdout, stderr } = await cli(...argv, '--json');
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, string>;
}

async function withLatchkey<T>(fn: (lk: Latchkey, store: Store) => Promise<T>) {
  const store = createSqliteStore(process.env.DATABASE_PATH!);
  const lk = await createLatchkey({ store, logger: createLogger({ level: 'silent' }) });
  try {
    return await fn(lk, store);
  } finally {
    await lk.close();
  }
}

describe('the CLI with --json', () => {
  it('creates a user, an org, a membership and keys whose tokens validate', async () => {
    const user = await json(
      'create-user',
      '--email',
      'ada@example.com',
      '--password',
      'long enough pw',
    );
    expect(user).toEqual({
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'ada@example.com',
    });

    const org = await json('create-org', '--name', 'Acme Inc');
    expect(org).toEqual({ orgId: expect.any(String), name: 'Acme Inc', urlSafeName: 'acme-inc' });

    const member = await json(
      'add-member',
      '--org',
      org.orgId!,
      '--user',
      'ADA@example.com',
      '--role',
      'Admin',
    );
    expect(member).toEqual({ orgId: org.orgId, userId: user.userId, role: 'Admin' });

    const personal = await json(
      'create-key',
      '--user',
      'ada@example.com',
      '--metadata',
      '{"plan":"pro"}',
    );
    expect(personal).toEqual({
      apiKeyId: expect.stringMatching(/^[0-9a-f]{32}$/),
      apiKeyToken: expect.stringMatching(/^lk_/),
      kind: 'personal',
    });
    const orgKey = await json(
      'create-key',
      '--org',
      org.orgId!,
      '--user',
      user.userId!,
      '--name',
      'CI',
    );
    expect(orgKey.kind).toBe('org');
    const generic = await json('create-key', '--expires-in-days', '30');
    expect(generic.kind).toBe('generic');

    await withLatchkey(async (lk) => {
      const p = await lk.validatePersonalApiKey(personal.apiKeyToken);
      expect(p.valid && p.apiKey.user.email).toBe('ada@example.com');
      expect(p.valid && p.apiKey.metadata).toEqual({ plan: 'pro' });
      const o = await lk.validateOrgApiKey(orgKey.apiKeyToken);
      expect(o.valid && o.apiKey.userInOrg?.userAssignedRole).toBe('Admin');
      const g = await lk.validateApiKey(generic.apiKeyToken);
      expect(g.valid).toBe(true);
      expect((await lk.fetchApiKey(generic.apiKeyId!)).expiresAt).toBeGreaterThan(
        Date.now() / 1000 + 29 * 86_400,
      );
    });
  });

  it('lists and revokes keys', async () => {
    const key = await json('create-key');
    const list = (await json('list-keys')) as unknown as { total: number; keys: { id: string }[] };
    expect(list.total).toBe(1);
    expect(list.keys[0]?.id).toBe(key.apiKeyId);
    expect(JSON.stringify(list)).not.toContain(key.apiKeyToken);
    const revoked = await json('revoke-key', '--id', key.apiKeyId!);
    expect(revoked).toEqual({ apiKeyId: key.apiKeyId, archivedAt: expect.any(Number) });
    await withLatchkey(async (lk) => {
      expect((await lk.validateApiKey(key.apiKeyToken)).valid).toBe(false);
    });
    const archived = (await json('list-keys', '--archived')) as unknown as { total: number };
    expect(archived.total).toBe(1);
  });
});

describe('the CLI with --password-stdin', () => {
  const passwordHashOf = (email: string, admin = false) =>
    withLatchkey(async (_lk, store) =>
      admin
        ? (await store.findAdminByEmail(email))?.passwordHash
        : (await store.findUserByEmail(email))?.passwordHash,
    );

  it('sets the password of a user or an admin from the first line of standard input', async () => {
    for (const [command, admin] of [
      ['create-user', false],
      ['create-admin', true],
    ] as const) {
      const email = `${command}@example.com`;
      const run = await cliReading(
        'correct horse battery\nignored\n',
        command,
        '--email',
        email,
        '--password-stdin',
      );
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).not.toContain('correct horse');
      const hash = (await passwordHashOf(email, admin)) ?? null;
      expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    }
  });

  it.each([
    [
      'with --password as well',
      'a long password\n',
      ['--password', 'another long one'],
      'give --password or --password-stdin, not both',
    ],
    ['from empty standard input', '', [], 'standard input held no password'],
  ])('refuses a password %s, storing nothing', async (_name, input, extra, message) => {
    const run = await cliReading(
      input,
      'create-admin',
      '--email',
      'ops@example.com',
      '--password-stdin',
      ...extra,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`password-stdin: ${message}`);
    expect(await passwordHashOf('ops@example.com', true)).toBeUndefined();
  });
});

describe('the CLI without --json', () => {
  it('prints one field a line and reminds that the token is shown once', async () => {
    const { code, stdout } = await cli('create-key', '--name', 'deploy');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^apiKeyId: [0-9a-f]{32}$/m);
    expect(stdout).toMatch(/^apiKeyToken: lk_/m);
    expect(stdout).toContain('it is not shown again');
  });

  it.each(['help', '--help', '-h'])('prints usage for %s, with exit code 0', async (arg) => {
    const { code, stderr } = await cli(arg);
    expect(code).toBe(0);
    expect(stderr).toContain('create-user');
    expect(stderr).toContain('--json');
  });
});

describe('the CLI refuses bad input with a clear message and a non-zero exit', () => {
  it.each([
    [['frobnicate'], 2, 'Unknown command "frobnicate"'],
    [[], 2, 'Usage:'],
    [['create-user', '--emial', 'a@b.co'], 2, '--emial'],
    [['create-user', 'a@b.co'], 2, 'a@b.co'],
    [['create-user'], 1, 'email: is required'],
    [['create-user', '--email', 'not-an-email'], 1, 'email: must be an email address'],
    [['create-user', '--email', 'a@b.co', '--password', 'short'], 1, 'password'],
    [['create-org'], 1, 'name: is required'],
    [
      ['add-member', '--org', 'x', '--user', 'nobody@example.com'],
      1,
      'user: no user has this email',
    ],
    [['create-key', '--org', 'not-a-uuid'], 1, 'orgId: must be a UUID'],
    [
      ['create-key', '--user', '6f1f0a0e-3b1c-4b7e-9a55-1c1a4a0c9d11'],
      1,
      'userId: no user has this id',
    ],
    [['create-key', '--metadata', '{oops'], 1, 'metadata: must be JSON'],
    [['create-key', '--metadata', '[1,2]'], 1, 'metadata'],
    [['create-key', '--expires-in-days', '0'], 1, 'expires-in-days'],
    [['create-key', '--expires-in-days', 'soon'], 1, 'expires-in-days'],
    [['create-key', '--expires-in-days', '3000000'], 1, 'expires-in-days: must be at most'],
    [['create-key', '--expires-in-days', '9'.repeat(20)], 1, 'expires-in-days: must be at most'],
    [['revoke-key'], 1, 'id: is required'],
    [
      ['revoke-key', '--id', '0123456789abcdef0123456789abcdef'],
      1,
      'apiKeyId: no API key has this id',
    ],
  ])('%j exits %i naming the problem', async (argv, exitCode, message) => {
    const { code, stdout, stderr } = await cli(...argv);
    expect(code).toBe(exitCode);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
  });

  it('names a bad role', async () => {
    await json('create-user', '--email', 'ada@example.com');
    const org = await json('create-org', '--name', 'Acme');
    const { code, stderr } = await cli(
      'add-member',
      '--org',
      org.orgId!,
      '--user',
      'ada@example.com',
      '--role',
      'Boss',
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Error: role: /);
  });

  it('refuses a second user with the same email in another case', async () => {
    await json('create-user', '--email', 'ada@example.com');
    const { code, stderr } = await cli('create-user', '--email', 'ADA@example.com');
    expect(code).toBe(1);
    expect(stderr).toContain('email: a user with this email already exists');
  });

  it('with --json, reports the error as one JSON object on stderr', async () => {
    const { code, stdout, stderr } = await cli('create-user', '--json');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toEqual({ error: 'invalid_input', message: 'email: is required' });
  });

  it.each(['MONGODB_URI', 'DATABASE_URL'])(
    'works on the MongoDB the server would use when %s is set, never on the SQLite file',
    async (variable) => {
      // Nothing listens on port 9 here: the connection fails fast and says where it went.
      process.env[variable] =
        'mongodb://alice:s3cret-pw@127.0.0.1:9/latchkey?serverSelectionTimeoutMS=300';
      const { code, stdout, stderr } = await cli(
        'create-user',
        '--email',
        'ada@example.com',
        '--json',
      );
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(JSON.parse(stderr)).toEqual({
        error: 'unavailable',
        message: expect.stringMatching(
          new RegExp(
            `^Could not connect to MongoDB at mongodb://\\*\\*\\*@127\\.0\\.0\\.1:9/latchkey \\(set by ${variable}\\)`,
          ),
        ),
      });
      expect(stderr).not.toContain('s3cret-pw');
      expect(fs.existsSync(process.env.DATABASE_PATH!)).toBe(false);
    },
  );

  it('names a bad environment variable', async () => {
    process.env.BCRYPT_COST = 'lots';
    const { code, stderr } = await cli('create-user', '--email', 'ada@example.com');
    expect(code).toBe(1);
    expect(stderr).toContain('BCRYPT_COST');
  });

  it('names DATABASE_PATH when the SQLite file cannot be opened', async () => {
    process.env.DATABASE_PATH = dir;
    const { code, stderr } = await cli('create-org', '--name', 'Acme', '--json');
    expect(code).toBe(1);
    expect(JSON.parse(stderr)).toEqual({
      error: 'config',
      message: expect.stringMatching(/^DATABASE_PATH: cannot open the SQLite database at "/),
    });
  });
});

import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  loadConfig,
  mongoConnectionOf,
  sqliteStartupError,
  StartupError,
  type Config,
} from '../config';
import { LatchkeyError } from '../core/errors';
import { LATEST_EXPIRY_SECONDS, nowSeconds } from '../core/time';
import { createLatchkey, type Latchkey } from '../latchkey';
import { createLogger } from '../logger';
import { createMongoStore } from '../store/mongo';
import type { Store } from '../core/store';

/**
 * `npm run -s latchkey -- <command> [options]`: works on the database the server uses,
 * MongoDB when MONGODB_URI (or a mongodb:// DATABASE_URL) is set, else the SQLite file
 * at DATABASE_PATH.
 */

type Flags = Record<string, string | boolean | undefined>;
type Command = {
  summary: string;
  options: Record<string, { type: 'string' | 'boolean'; description: string }>;
  run(lk: Latchkey, f: Flags, stdin: NodeJS.ReadableStream): Promise<Record<string, unknown>>;
};

const str = (f: Flags, name: string): string | undefined =>
  typeof f[name] === 'string' ? (f[name] as string) : undefined;
const need = (f: Flags, name: string): string => {
  const v = str(f, name);
  if (v === undefined) throw LatchkeyError.field(name, 'is required');
  return v;
};
const by = { actor: 'cli' };

function parseJsonFlag(
  value: string | undefined,
  name: string,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw LatchkeyError.field(name, 'must be JSON');
  }
}

const PASSWORD_STDIN = {
  type: 'boolean',
  description: 'read the password from standard input (kept out of ps and shell history)',
} as const;

/** --password, or with --password-stdin the first line of standard input. */
async function passwordOf(
  f: Flags,
  stdin: NodeJS.ReadableStream,
  required: boolean,
): Promise<string | undefined> {
  if (f['password-stdin'] !== true) return required ? need(f, 'password') : str(f, 'password');
  if (str(f, 'password') !== undefined)
    throw LatchkeyError.field('password-stdin', 'give --password or --password-stdin, not both');
  const [line = ''] = (await text(stdin)).split(/\r?\n/);
  if (line === '') throw LatchkeyError.field('password-stdin', 'standard input held no password');
  return line;
}

function expiryFlag(f: Flags): number | null | undefined {
  const days = str(f, 'expires-in-days');
  if (days === undefined) return undefined;
  if (!/^\d+$/.test(days) || Number(days) < 1)
    throw LatchkeyError.field('expires-in-days', 'must be a whole number of days, 1 or more');
  const now = nowSeconds();
  const maxDays = Math.floor((LATEST_EXPIRY_SECONDS - now) / 86_400);
  if (Number(days) > maxDays) {
    throw LatchkeyError.field(
      'expires-in-days',
      `must be at most ${maxDays}: a key cannot expire after the end of the year 9999`,
    );
  }
  return now + Number(days) * 86_400;
}

const COMMANDS: Record<string, Command> = {
  'create-user': {
    summary: 'Create an end user',
    options: {
      email: { type: 'string', description: 'email address (required)' },
      password: { type: 'string', description: 'password for the hosted pages (optional)' },
      'password-stdin': PASSWORD_STDIN,
    },
    async run(lk, f, stdin) {
      const user = await lk.createUser(
        { email: need(f, 'email'), password: await passwordOf(f, stdin, false) },
        by,
      );
      return { userId: user.id, email: user.email };
    },
  },
  'create-admin': {
    summary: 'Create a dashboard admin (also works when admins exist)',
    options: {
      email: { type: 'string', description: 'email address (required)' },
      password: { type: 'string', description: 'password, at least 8 characters (required)' },
      'password-stdin': PASSWORD_STDIN,
    },
    async run(lk, f, stdin) {
      const admin = await lk.createAdmin(
        { email: need(f, 'email'), password: (await passwordOf(f, stdin, true)) ?? '' },
        by,
      );
      return { adminId: admin.id, email: admin.email };
    },
  },
  'create-org': {
    summary: 'Create an organization',
    options: { name: { type: 'string', description: 'display name (required)' } },
    async run(lk, f) {
      const org = await lk.createOrg({ name: need(f, 'name') }, by);
      return { orgId: org.id, name: org.name, urlSafeName: org.urlSafeName };
    },
  },
  'add-member': {
    summary: 'Add a user to an organization (or change their role)',
    options: {
      org: { type: 'string', description: 'org id (required)' },
      user: { type: 'string', description: 'user id or email (required)' },
      role: { type: 'string', description: 'Owner, Admin or Member (default Member)' },
    },
    async run(lk, f) {
      const user = await userIdOf(lk, need(f, 'user'));
      const m = await lk.addUserToOrg(need(f, 'org'), user, str(f, 'role') ?? 'Member', by);
      return { orgId: m.orgId, userId: m.userId, role: m.role };
    },
  },
  'create-key': {
    summary:
      'Create an API key: personal (--user), org (--org [--user creator]) or generic (neither)',
    options: {
      user: { type: 'string', description: 'user id or email' },
      org: { type: 'string', description: 'org id' },
      name: { type: 'string', description: 'display name' },
      'expires-in-days': { type: 'string', description: 'days until it expires (default: never)' },
      metadata: { type: 'string', description: 'JSON object returned on validation' },
    },
    async run(lk, f) {
      const user = str(f, 'user');
      const created = await lk.createApiKey(
        {
          userId: user ? await userIdOf(lk, user) : undefined,
          orgId: str(f, 'org'),
          displayName: str(f, 'name'),
          expiresAt: expiryFlag(f),
          metadata: parseJsonFlag(str(f, 'metadata'), 'metadata'),
        },
        by,
      );
      return {
        apiKeyId: created.apiKeyId,
        apiKeyToken: created.apiKeyToken,
        kind: created.key.kind,
      };
    },
  },
  'list-keys': {
    summary: 'List current keys (filter with --user or --org; --archived for archived ones)',
    options: {
      user: { type: 'string', description: 'user id or email' },
      org: { type: 'string', description: 'org id' },
      archived: { type: 'boolean', description: 'list archived keys instead' },
    },
    async run(lk, f) {
      const user = str(f, 'user');
      const list = await lk.listApiKeys({
        userId: user ? await userIdOf(lk, user) : undefined,
        orgId: str(f, 'org'),
        archived: f.archived === true,
        pageSize: 1000,
      });
      return { total: list.total, keys: list.keys };
    },
  },
  'create-integration-key': {
    summary: 'Create an integration key for the backend REST API (shown once)',
    options: { name: { type: 'string', description: 'what it is for (required)' } },
    async run(lk, f) {
      const created = await lk.createIntegrationKey(need(f, 'name'), by);
      return {
        integrationKeyId: created.key.id,
        name: created.key.name,
        integrationKey: created.token,
      };
    },
  },
  'list-integration-keys': {
    summary: 'List integration keys (names and hints; the keys themselves are never shown again)',
    options: {},
    async run(lk) {
      return { integrationKeys: await lk.listIntegrationKeys() };
    },
  },
  'revoke-integration-key': {
    summary: 'Archive an integration key: it stops working at once',
    options: { id: { type: 'string', description: 'integration key id (required)' } },
    async run(lk, f) {
      const key = await lk.archiveIntegrationKey(need(f, 'id'), by);
      return { integrationKeyId: key.id, archivedAt: key.archivedAt };
    },
  },
  'revoke-key': {
    summary: 'Archive (revoke) an API key',
    options: { id: { type: 'string', description: 'key id (required)' } },
    async run(lk, f) {
      const key = await lk.archiveApiKey(need(f, 'id'), by);
      return { apiKeyId: key.id, archivedAt: key.archivedAt };
    },
  },
};

async function userIdOf(lk: Latchkey, idOrEmail: string): Promise<string> {
  if (!idOrEmail.includes('@')) return idOrEmail;
  const user = await lk.fetchUserByEmail(idOrEmail);
  if (!user) throw LatchkeyError.field('user', 'no user has this email');
  return user.id;
}

function usage(): string {
  const lines = ['Usage: npm run -s latchkey -- <command> [options] [--json]', '', 'Commands:'];
  for (const [name, cmd] of Object.entries(COMMANDS)) {
    lines.push(`  ${name.padEnd(22)} ${cmd.summary}`);
    for (const [opt, o] of Object.entries(cmd.options))
      lines.push(`      --${opt.padEnd(16)} ${o.description}`);
  }
  return lines.join('\n');
}

function print(result: Record<string, unknown>, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  for (const [k, v] of Object.entries(result)) {
    process.stdout.write(
      `${k}: ${typeof v === 'object' ? JSON.stringify(v, null, 2) : String(v)}\n`,
    );
  }
  if ('apiKeyToken' in result || 'integrationKey' in result)
    process.stdout.write('\nStore the token now: it is not shown again.\n');
}

export async function runCli(
  argv: string[],
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    // Asking for help succeeds; no command or an unknown one is a usage error for scripts.
    const help = name === 'help' || name === '--help' || name === '-h';
    process.stderr.write(`${name && !help ? `Unknown command "${name}".\n\n` : ''}${usage()}\n`);
    return help ? 0 : 2;
  }
  let flags: Flags;
  try {
    flags = parseArgs({
      args: rest,
      options: { ...command.options, json: { type: 'boolean' } },
      strict: true,
    }).values as Flags;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${usage()}\n`);
    return 2;
  }
  const json = flags.json === true;
  let lk: Latchkey | undefined;
  try {
    lk = await openLatchkey(loadConfig());
    print(await command.run(lk, flags, stdin), json);
    return 0;
  } catch (err) {
    const code = errorCodeOf(err);
    if (code !== undefined && err instanceof Error) {
      const out = json
        ? JSON.stringify({ error: code, message: err.message })
        : `Error: ${err.message}`;
      process.stderr.write(`${out}\n`);
      return 1;
    }
    throw err;
  } finally {
    await lk?.close();
  }
}

/** The store could not be opened; its message names the variable and has no credentials. */
class StoreUnreachable extends Error {}

/** The `error` code of a failure the CLI reports itself; undefined for anything else. */
function errorCodeOf(err: unknown): string | undefined {
  if (err instanceof LatchkeyError) return err.code;
  if (err instanceof ConfigError || err instanceof StartupError) return 'config';
  if (err instanceof StoreUnreachable) return 'unavailable';
  return undefined;
}

/** A Latchkey on the server's database, with no cache: each command sees the latest state. */
async function openLatchkey(config: Config): Promise<Latchkey> {
  const mongo = mongoConnectionOf(config);
  let store: Store | undefined;
  if (mongo) {
    try {
      store = await createMongoStore(mongo);
    } catch (err) {
      throw new StoreUnreachable(err instanceof Error ? err.message : String(err));
    }
  }
  try {
    return await createLatchkey({
      store,
      databasePath: config.DATABASE_PATH,
      logger: createLogger({ level: 'warn' }),
      bcryptCost: config.BCRYPT_COST,
      cacheTtlMs: 0,
    });
  } catch (err) {
    await store?.close();
    throw store ? err : sqliteStartupError(config.DATABASE_PATH, err);
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

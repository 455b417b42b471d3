import { text } from 'node:stream/consumers';
import { LatchkeyError } from '../core/errors';
import { LATEST_EXPIRY_SECONDS, nowSeconds } from '../core/time';
import type { Latchkey } from '../latchkey';
import { scanCommand, type StandaloneCommand } from './scan-command';
import { settingsCommand } from './settings-command';

/** The CLI's commands: their flags, and what each does through the public API. */

export type Flags = Record<string, string | boolean | undefined>;
export type Command = {
  summary: string;
  /** The words after the command, for one that takes them (shown in the help). */
  args?: string;
  options: Record<string, { type: 'string' | 'boolean'; description: string }>;
  run(
    lk: Latchkey,
    f: Flags,
    stdin: NodeJS.ReadableStream,
    args: string[],
  ): Promise<Record<string, unknown>>;
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

export const COMMANDS: Record<string, Command> = {
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
    summary: 'Archive an integration key: running servers refuse it within 1 second',
    options: { id: { type: 'string', description: 'integration key id (required)' } },
    async run(lk, f) {
      const key = await lk.archiveIntegrationKey(need(f, 'id'), by);
      return { integrationKeyId: key.id, archivedAt: key.archivedAt };
    },
  },
  settings: {
    summary: 'Show the settings, or change them as the dashboard form does (audited as "cli")',
    args: 'get [name ...] | set name=value [name=value ...]',
    options: {},
    async run(lk, _f, _stdin, args) {
      return settingsCommand(lk, args, by);
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

/** Commands on the SQLite file itself (backup, restore): they open no Latchkey. */
export { FILE_COMMANDS } from './backup-commands';

/** Commands that open no database: they read their own arguments and give the exit code. */
export const STANDALONE_COMMANDS: Record<string, StandaloneCommand> = { scan: scanCommand };

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../src/cli/main';
import { createLatchkey } from '../src/latchkey';

/** `latchkey settings get|set`: the dashboard's settings, validated and audited, from the CLI. */

let dir: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cli-settings-'));
  process.env.DATABASE_PATH = path.join(dir, 'latchkey.db');
});
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await runCli(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const json = async (...argv: string[]) => {
  const { code, stdout, stderr } = await cli(...argv, '--json');
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(stdout) as Record<string, unknown>;
};

describe('latchkey settings', () => {
  it('shows every setting, or the ones named', async () => {
    const all = await json('settings', 'get');
    expect(all).toMatchObject({ personalKeysEnabled: true, maxKeysPerUser: 0, tokenPrefix: 'lk' });
    expect(await json('settings', 'get', 'tokenPrefix')).toEqual({ tokenPrefix: 'lk' });
  });

  it('changes settings, read back by the server, and audits the CLI as the actor', async () => {
    expect(
      await json(
        'settings',
        'set',
        'maxKeysPerUser=5',
        'orgKeysEnabled=false',
        'userRateLimit=1000/3600',
        'expiryChoices=1m,1y',
        'defaultExpiry=1y',
      ),
    ).toEqual({
      maxKeysPerUser: 5,
      orgKeysEnabled: false,
      userRateLimit: { limit: 1000, periodSeconds: 3600 },
      expiryChoices: ['1m', '1y'],
      defaultExpiry: '1y',
    });
    expect(await json('settings', 'set', 'userRateLimit=none')).toEqual({ userRateLimit: null });
    const lk = await createLatchkey({ databasePath: process.env.DATABASE_PATH });
    try {
      expect(lk.getSettings()).toMatchObject({ maxKeysPerUser: 5, orgKeysEnabled: false });
      const events = await lk.listAuditEvents({ action: 'settings.updated' });
      expect(events.items.map((e) => e.actor)).toEqual(['cli', 'cli']);
    } finally {
      await lk.close();
    }
  });

  it('refuses bad values like the form, naming each, and changes nothing', async () => {
    const { code, stderr } = await cli(
      'settings',
      'set',
      'maxKeysPerUser=-1',
      'tokenPrefix=Not OK',
      'noSuchSetting=1',
      '--json',
    );
    expect(code).toBe(1);
    const error = JSON.parse(stderr) as { error: string; message: string };
    expect(error.error).toBe('invalid_input');
    expect(error.message).toMatch(/maxKeysPerUser/);
    expect(error.message).toMatch(/tokenPrefix/);
    expect(await json('settings', 'get', 'maxKeysPerUser', 'tokenPrefix')).toEqual({
      maxKeysPerUser: 0,
      tokenPrefix: 'lk',
    });
    expect((await cli('settings', 'get', 'nope')).code).toBe(1);
    expect((await cli('settings', 'set', 'maxKeysPerUser')).code).toBe(1);
    expect((await cli('settings', 'frobnicate')).code).toBe(1);
  });
});

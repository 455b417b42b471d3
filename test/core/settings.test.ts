import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SettingsHolder } from '../../src/core/settings';
import { DEFAULT_SETTINGS, type Settings } from '../../src/core/types';
import type { Store } from '../../src/core/store';
import { makeLatchkey } from '../support/harness';
import { aCountingStore } from '../support/world';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

/** Two processes on one SQLite file: `admin` changes the settings, `api` validates. */
async function withTwoProcesses(
  cacheTtlMs: number,
  work: (admin: Lk, api: Lk) => Promise<void>,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-settings-'));
  const databasePath = path.join(dir, 'db.sqlite');
  const admin = await makeLatchkey({ databasePath });
  const api = await makeLatchkey({ databasePath, cacheTtlMs });
  try {
    await work(admin, api);
  } finally {
    await admin.close();
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A holder whose store reads wait until the test answers them, in the order they started. */
async function holderWithHeldReads(): Promise<{
  holder: SettingsHolder;
  reads: ((s: Settings) => void)[];
}> {
  const reads: ((s: Settings) => void)[] = [];
  const store = {
    getSettings: () => new Promise<Settings>((resolve) => reads.push(resolve)),
  } as unknown as Store;
  const loading = SettingsHolder.load(store, 60_000);
  reads.shift()!(DEFAULT_SETTINGS);
  return { holder: await loading, reads };
}

let lk: Lk;
beforeEach(async () => {
  lk = await makeLatchkey();
});
afterEach(async () => {
  await lk.close();
});

describe('settings', () => {
  it('start as the defaults', () => {
    expect(lk.getSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('cannot be changed by mutating what getSettings returns', async () => {
    for (const settings of [lk.getSettings(), await lk.updateSettings({ maxKeysPerUser: 3 })]) {
      expect(() => {
        (settings as { personalKeysEnabled: boolean }).personalKeysEnabled = false;
      }).toThrow(TypeError);
      expect(() => (settings.orgKeyManagerRoles as string[]).push('Member')).toThrow(TypeError);
    }
    expect(lk.getSettings().personalKeysEnabled).toBe(true);
    expect(lk.getSettings().orgKeyManagerRoles).toEqual(['Owner', 'Admin']);
  });

  it('apply a partial change, keep it in the store, and record it in the audit log', async () => {
    await lk.updateSettings({ maxKeysPerOrg: 5, tokenPrefix: 'acme' }, { actor: 'admin:1' });
    expect(lk.getSettings()).toMatchObject({ maxKeysPerOrg: 5, tokenPrefix: 'acme' });
    expect(await lk.store.getSettings()).toMatchObject({ maxKeysPerOrg: 5, tokenPrefix: 'acme' });
    const audit = await lk.store.listAudit({ action: 'settings.updated' }, { limit: 5, offset: 0 });
    expect(audit.items[0]).toMatchObject({
      actor: 'admin:1',
      details: { maxKeysPerOrg: 5, tokenPrefix: 'acme' },
    });
  });

  it.each([
    ['an unknown setting', { darkMode: true }, 'darkMode'],
    ['a prefix scanners cannot match', { tokenPrefix: 'Has Spaces' }, 'tokenPrefix'],
    ['a negative limit', { maxKeysPerUser: -1 }, 'maxKeysPerUser'],
    ['no expiry choices', { expiryChoices: [] }, 'expiryChoices'],
    [
      'a default that is not offered',
      { defaultExpiry: 'never', expiryChoices: ['1m'] },
      'defaultExpiry',
    ],
    ['a role that does not exist', { orgKeyManagerRoles: ['Boss'] }, 'orgKeyManagerRoles.0'],
  ])('refuse %s, naming it, and change nothing', async (_name, patch, field) => {
    const counting = aCountingStore();
    const spied = await makeLatchkey({ store: counting.store });
    try {
      counting.reset();
      await expect(spied.updateSettings(patch as never)).rejects.toMatchObject({
        code: 'invalid_input',
        fields: { [field]: [expect.any(String)] },
      });
      expect(counting.calls.saveSettings).toBeUndefined();
      expect(spied.getSettings()).toEqual(DEFAULT_SETTINGS);
    } finally {
      await spied.close();
    }
  });

  it.each([
    ['the validation cache on', 1_000],
    ['the validation cache off (re-read every second)', 0],
  ])(
    'made by another process hold from the first validation after the refresh interval, with %s',
    (_name, cacheTtlMs) =>
      withTwoProcesses(cacheTtlMs, async (admin, api) => {
        const { apiKeyToken } = await api.createApiKey({
          userId: (await api.createUser({ email: 'a@example.com' })).id,
        });
        await admin.updateSettings({ personalKeysEnabled: false });
        // Nothing validates meanwhile: the process is idle until its first request.
        await new Promise((r) => setTimeout(r, (cacheTtlMs || 1_000) * 2 + 300));
        expect(await api.validateApiKey(apiKeyToken)).toMatchObject({
          valid: false,
          reason: 'kind_disabled',
        });
      }),
  );
});

describe('settings changed by another process', () => {
  it('drop the cached verdicts built with the old ones once re-read', () =>
    withTwoProcesses(60_000, async (admin, api) => {
      const user = await api.createUser({ email: 'a@example.com' });
      const org = await api.createOrg({ name: 'Acme' });
      await api.addUserToOrg(org.id, user.id, 'Admin');
      const { apiKeyToken } = await api.createApiKey({ userId: user.id });
      const permissions = async () => {
        const result = await api.validateApiKey(apiKeyToken);
        return result.valid && result.apiKey.kind === 'personal'
          ? result.apiKey.user.orgIdToOrgInfo[org.id]?.userPermissions
          : result;
      };
      expect(await permissions()).toEqual(['can_manage_api_keys']);
      await admin.updateSettings({ orgKeyManagerRoles: ['Owner'] });
      // What the timer (or MongoDB's change stream) does.
      await api.reloadSettings();
      expect(await permissions()).toEqual([]);
    }));
});

describe('the settings kept in memory', () => {
  it('are not put back by a re-read that started before a change made here', async () => {
    const { holder, reads } = await holderWithHeldReads();
    try {
      const reread = holder.reload();
      holder.set({ ...DEFAULT_SETTINGS, personalKeysEnabled: false });
      reads.shift()!(DEFAULT_SETTINGS);
      await reread;
      expect(holder.current().personalKeysEnabled).toBe(false);
    } finally {
      holder.close();
    }
  });

  it('keep the newest read when an older re-read finishes last', async () => {
    const { holder, reads } = await holderWithHeldReads();
    try {
      const slow = holder.reload();
      const fast = holder.reload();
      const [slowRead, fastRead] = [reads.shift()!, reads.shift()!];
      fastRead({ ...DEFAULT_SETTINGS, orgKeysEnabled: false });
      await fast;
      slowRead(DEFAULT_SETTINGS);
      await slow;
      expect(holder.current().orgKeysEnabled).toBe(false);
    } finally {
      holder.close();
    }
  });

  it('tell their listener of a new value once, and not of a re-read that found the same', async () => {
    const getSettings = jest
      .fn<Promise<Settings>, []>()
      .mockResolvedValueOnce(DEFAULT_SETTINGS)
      .mockResolvedValueOnce({ ...DEFAULT_SETTINGS })
      .mockResolvedValue({ ...DEFAULT_SETTINGS, personalKeysEnabled: false });
    const onChange = jest.fn();
    const holder = await SettingsHolder.load({ getSettings } as unknown as Store, 60_000);
    holder.whenChanged(onChange);
    try {
      await holder.reload();
      expect(onChange).not.toHaveBeenCalled();
      await holder.reload();
      await holder.reload();
      expect(onChange).toHaveBeenCalledTimes(1);
      holder.set(DEFAULT_SETTINGS);
      expect(onChange).toHaveBeenCalledTimes(2);
    } finally {
      holder.close();
    }
  });

  it.each([
    ['1 ms', 1, 1_000],
    ['0 (cache off)', 0, 1_000],
    ['more than an hour', Number.POSITIVE_INFINITY, 3_600_000],
  ])('re-read at most every second and at least every hour: %s', async (_name, ms, every) => {
    jest.useFakeTimers();
    const getSettings = jest.fn<Promise<Settings>, []>().mockResolvedValue(DEFAULT_SETTINGS);
    const holder = await SettingsHolder.load({ getSettings } as unknown as Store, ms);
    try {
      await jest.advanceTimersByTimeAsync(every - 1);
      expect(getSettings).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(getSettings).toHaveBeenCalledTimes(2);
    } finally {
      holder.close();
      jest.useRealTimers();
    }
  });

  it('keep the last value when a re-read fails, and re-read again on the next tick', async () => {
    jest.useFakeTimers();
    const getSettings = jest
      .fn<Promise<Settings>, []>()
      .mockResolvedValueOnce(DEFAULT_SETTINGS)
      .mockRejectedValueOnce(new Error('database is locked'))
      .mockResolvedValue({ ...DEFAULT_SETTINGS, orgKeysEnabled: false });
    const holder = await SettingsHolder.load({ getSettings } as unknown as Store, 1_000);
    try {
      await jest.advanceTimersByTimeAsync(1_000);
      expect(getSettings).toHaveBeenCalledTimes(2);
      expect(holder.current()).toEqual(DEFAULT_SETTINGS);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(holder.current().orgKeysEnabled).toBe(false);
    } finally {
      holder.close();
      jest.useRealTimers();
    }
  });
});

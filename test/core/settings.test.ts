import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SETTINGS } from '../../src/core/types';
import { makeLatchkey } from '../support/harness';
import { aCountingStore } from '../support/world';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

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

  it('made by another process are picked up, even with the validation cache off', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-settings-'));
    const databasePath = path.join(dir, 'db.sqlite');
    const admin = await makeLatchkey({ databasePath });
    const api = await makeLatchkey({ databasePath, cacheTtlMs: 0 });
    try {
      const { apiKeyToken } = await api.createApiKey({
        userId: (await api.createUser({ email: 'a@example.com' })).id,
      });
      await admin.updateSettings({ personalKeysEnabled: false });
      const deadline = Date.now() + 5_000;
      let reason = 'valid';
      while (reason !== 'kind_disabled' && Date.now() < deadline) {
        const result = await api.validateApiKey(apiKeyToken);
        reason = result.valid ? 'valid' : result.reason;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(reason).toBe('kind_disabled');
    } finally {
      await admin.close();
      await api.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

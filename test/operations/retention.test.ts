import { assembleLatchkey } from '../../src/latchkey';
import { createLogger } from '../../src/logger';
import { RETENTION_BATCH, runRetention } from '../../src/core/retention';
import { nowSeconds } from '../../src/core/time';

const make = (cacheTtlMs = 10_000) =>
  assembleLatchkey({
    databasePath: ':memory:',
    logger: createLogger({ level: 'silent' }),
    cacheTtlMs,
    retentionIntervalMs: 0,
  });

describe('retention', () => {
  it("never lets a deleted archived key's token validate, cached or not", async () => {
    for (const ttl of [0, 10_000]) {
      const { latchkey, parts } = await make(ttl);
      try {
        const { apiKeyId, apiKeyToken } = await latchkey.createApiKey({});
        expect((await latchkey.validateApiKey(apiKeyToken)).valid).toBe(true);
        await latchkey.archiveApiKey(apiKeyId);
        await latchkey.validateApiKey(apiKeyToken);
        await latchkey.updateSettings({ archivedKeyRetentionDays: 1 });
        // Two days on: the archived key is past its retention.
        const pass = await runRetention(
          parts.store,
          latchkey.getSettings(),
          nowSeconds() + 2 * 86_400,
        );
        expect(pass.archivedKeys).toBe(1);
        expect(await parts.store.findKeyById(apiKeyId)).toBeNull();
        expect(await latchkey.validateApiKey(apiKeyToken)).toMatchObject({ valid: false });
        latchkey.forgetCachedValidations();
        expect(await latchkey.validateApiKey(apiKeyToken)).toMatchObject({
          valid: false,
          reason: 'not_found',
        });
      } finally {
        await latchkey.close();
      }
    }
  });

  it('keeps archived keys forever by default and deletes old audit and usage in batches', async () => {
    const { latchkey, parts } = await make();
    try {
      const { apiKeyId } = await latchkey.createApiKey({});
      await latchkey.archiveApiKey(apiKeyId);
      const rows = Array.from({ length: RETENTION_BATCH * 2 + 7 }, (_, i) => ({
        keyId: `k${i}`,
        day: '2020-01-01',
        count: 1,
        lastUsedAt: 1,
      }));
      await parts.store.recordUsage(rows);
      await parts.store.recordUsage([{ keyId: 'k', day: '2999-01-01', count: 1, lastUsedAt: 1 }]);
      const deletes = jest.spyOn(parts.store, 'deleteUsageBefore');
      const pass = await latchkey.runRetention();
      expect(pass).toMatchObject({ usageRows: rows.length, archivedKeys: 0 });
      expect(deletes).toHaveBeenCalledTimes(3);
      expect(await parts.store.findKeyById(apiKeyId)).not.toBeNull();
      const far = await runRetention(
        parts.store,
        latchkey.getSettings(),
        nowSeconds() + 401 * 86_400,
      );
      expect(far.auditEvents).toBeGreaterThanOrEqual(2);
      expect((await latchkey.fetchTableSizes()).key_usage).toBe(1);
    } finally {
      await latchkey.close();
    }
  });

  it('deletes webhook history and expiry claims after 30 days, keeping what is pending', async () => {
    const { latchkey, parts } = await make();
    const { store } = parts;
    try {
      const now = nowSeconds();
      await store.insertEndpoint({
        id: 'whe_retention',
        url: 'https://hooks.example.com/in',
        events: ['*'],
        enabled: true,
        secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
        createdAt: now,
        disabledReason: null,
        failingSince: null,
      });
      await latchkey.createApiKey({});
      await latchkey.createApiKey({});
      await store.fanOutEvents(now, 10);
      const [sent, retrying] = await store.claimDueDeliveries(now, 30, 10);
      const attempt = { attempts: 1, statusCode: 200, latencyMs: 1, error: null, at: now };
      await store.recordAttempt(sent!.id, { ...attempt, status: 'delivered', nextAttemptAt: now });
      await store.recordAttempt(retrying!.id, {
        ...attempt,
        status: 'pending',
        nextAttemptAt: now + 60,
      });
      await store.claimExpiryReminder('k'.repeat(32), 0, now - 86_400, now);

      expect(await latchkey.runRetention()).toMatchObject({
        webhookEvents: 0,
        webhookDeliveries: 0,
        expiryClaims: 0,
      });
      const later = await runRetention(store, latchkey.getSettings(), now + 31 * 86_400);
      expect(later).toMatchObject({ webhookEvents: 2, webhookDeliveries: 1, expiryClaims: 1 });
      const left = await latchkey.fetchTableSizes();
      expect(left).toMatchObject({ webhook_events: 0, webhook_deliveries: 1, expiry_reminders: 0 });
    } finally {
      await latchkey.close();
    }
  });

  it('refuses retention settings below one day', async () => {
    const { latchkey } = await make();
    try {
      await expect(latchkey.updateSettings({ auditRetentionDays: 0 })).rejects.toThrow(
        /at least 1 day/,
      );
    } finally {
      await latchkey.close();
    }
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nowSeconds } from '../../src/core/time';
import { WebhookWorker } from '../../src/core/webhooks/delivery-worker';
import { createLatchkey } from '../../src/latchkey';
import { createLogger } from '../../src/logger';
import { createSqliteStore } from '../../src/store/sqlite';
import { spawnTs, waitForLine } from '../support/child';
import { startReceiver } from '../webhooks/receiver';

const CHILD = 'test/reliability/children/expiry-pass.ts';
const KEYS = 20;

/** Runs the expiry pass in `count` processes at once over the file; answers each one's count. */
async function passesInProcesses(file: string, go: string, count: number): Promise<number[]> {
  const children = Array.from({ length: count }, () => spawnTs(CHILD, [file, go]));
  await Promise.all(children.map((c) => waitForLine(c.lines, (l) => l === 'ready', 30_000)));
  fs.writeFileSync(go, '');
  const counts = await Promise.all(
    children.map(async (c) => {
      const line = await waitForLine(c.lines, (l) => l.startsWith('{'), 30_000);
      expect((await c.exited).code).toBe(0);
      return (JSON.parse(line) as { expired: number }).expired;
    }),
  );
  fs.rmSync(go);
  return counts;
}

describe('api_key.expired from two processes on one database, without email', () => {
  it('raises and delivers one event per key between them, and none after a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-expiry-processes-'));
    const file = path.join(dir, 'latchkey.db');
    const go = path.join(dir, 'go');
    const receiver = await startReceiver([200]);
    try {
      const lk = await createLatchkey({
        databasePath: file,
        logger: createLogger({ level: 'silent' }),
        expiryIntervalMs: 0,
        webhookDeliveryIntervalMs: 0,
        webhookAllowPrivateNetworks: true,
      });
      await lk.webhooks.addEndpoint({ url: receiver.url, events: ['api_key.expired'] });
      const ids: string[] = [];
      for (let i = 0; i < KEYS; i++)
        ids.push((await lk.createApiKey({ expiresAt: nowSeconds() + 3_600 })).apiKeyId);
      await lk.close();
      // Time passes: the keys' expiries are now behind them.
      const store = createSqliteStore(file);
      for (const [i, id] of ids.entries())
        await store.updateKey(id, { expiresAt: nowSeconds() - 60 - i });

      const counts = await passesInProcesses(file, go, 2);
      expect(counts[0]! + counts[1]!).toBe(KEYS);
      expect(await passesInProcesses(file, go, 1)).toEqual([0]);

      const worker = new WebhookWorker(store, createLogger({ level: 'silent' }), {
        allowPrivateNetworks: true,
      });
      while ((await worker.runOnce()) > 0);
      await store.close();
      const delivered = receiver.received.map(
        (r) => (JSON.parse(r.body) as { data: { apiKeyId: string } }).data.apiKeyId,
      );
      expect(delivered.sort()).toEqual([...ids].sort());
    } finally {
      await receiver.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

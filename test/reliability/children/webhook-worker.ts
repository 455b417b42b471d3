import { WebhookWorker } from '../../../src/core/webhooks/delivery-worker';
import { createLogger } from '../../../src/logger';
import { makeLatchkey } from '../../support/harness';

/**
 * `webhook-worker.ts <db file> emit|emit-and-deliver|deliver`
 *
 * emit: creates a key (its api_key.created event goes to the outbox with it), prints
 * "created <key id>" and waits to be killed. emit-and-deliver: the same, then runs a
 * webhook worker. deliver: runs a worker until the outbox and the due deliveries are
 * empty for a moment, printing "done <attempts>".
 */
async function main(): Promise<void> {
  const [file, mode] = process.argv.slice(2) as [string, string];
  const lk = await makeLatchkey({ databasePath: file });
  const worker = new WebhookWorker(lk.store, createLogger({ level: 'silent' }), {
    allowPrivateNetworks: true,
    pollIntervalMs: 10,
    timeoutMs: 30_000,
  });
  if (mode !== 'deliver') {
    const created = await lk.createApiKey({});
    console.log(`created ${created.apiKeyId}`);
    if (mode === 'emit-and-deliver') worker.start();
    setInterval(() => undefined, 1000);
    return;
  }
  let attempts = 0;
  let idle = 0;
  while (idle < 20) {
    const n = await worker.runOnce();
    attempts += n;
    idle = n === 0 && (await lk.store.countUndispatchedEvents()) === 0 ? idle + 1 : 0;
    await new Promise((r) => setTimeout(r, 10));
  }
  console.log(`done ${attempts}`);
  await lk.close();
}

void main();

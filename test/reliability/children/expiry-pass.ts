/**
 * `expiry-pass.ts <db file> <go file>`: opens a Latchkey on a shared SQLite file without
 * email, prints "ready", waits for the go file to exist (so two children start together),
 * runs three passes of the expiry job and prints their summed counts as JSON.
 */
import fs from 'node:fs';
import { createLatchkey } from '../../../src/latchkey';
import { createLogger } from '../../../src/logger';

async function main([file, go]: string[]): Promise<void> {
  const lk = await createLatchkey({
    databasePath: file!,
    logger: createLogger({ level: 'silent' }),
    expiryIntervalMs: 0,
    webhookDeliveryIntervalMs: 0,
    retentionIntervalMs: 0,
  });
  console.log('ready');
  while (!fs.existsSync(go!)) await new Promise((r) => setTimeout(r, 5));
  let expired = 0;
  for (let i = 0; i < 3; i++) expired += (await lk.runExpiryPass()).expired;
  console.log(JSON.stringify({ expired }));
  await lk.close();
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(1);
});

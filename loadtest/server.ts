/**
 * The server side of `npm run loadtest`: a host app embedding Latchkey on a fresh
 * SQLite file, with routes to validate, create and revoke keys, and one that
 * reports this process's memory. Started as a child process by run.ts.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { errorHandler } from '../src/http/error-handler';
import { createLatchkey } from '../src/latchkey';
import { createLogger } from '../src/logger';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-loadtest-'));
  const latchkey = await createLatchkey({
    databasePath: path.join(dir, 'loadtest.db'),
    logger: createLogger({ level: 'warn' }),
    bcryptCost: 4,
  });
  const users: string[] = [];
  for (let i = 0; i < 50; i++) {
    users.push((await latchkey.createUser({ email: `load${i}@example.com` })).id);
  }

  const app = express();
  // run.ts speaks for many clients from 127.0.0.1 and names each in X-Forwarded-For.
  app.set('trust proxy', 'loopback');
  app.use(express.json());
  app.get('/protected', latchkey.requireApiKey(), (req, res) => {
    res.json({ apiKeyId: req.apiKey?.apiKeyId });
  });
  app.post('/keys', async (req, res) => {
    const created = await latchkey.createApiKey(req.body);
    res.status(201).json({ id: created.apiKeyId, token: created.apiKeyToken });
  });
  app.delete('/keys/:id', async (req, res) => {
    await latchkey.archiveApiKey(req.params.id);
    res.json({ archived: true });
  });
  app.get('/memory', (_req, res) => {
    // With --expose-gc the sample is taken after a full collection, so it shows what is retained.
    (globalThis as { gc?: () => void }).gc?.();
    res.json(process.memoryUsage());
  });
  app.use(errorHandler(latchkey.logger));

  const server = app.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, users })}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    latchkey
      .close()
      .then(() => fs.rmSync(dir, { recursive: true, force: true }))
      .finally(() => process.exit(0));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { createLatchkey } from '../src/latchkey';
import { createLogger } from '../src/logger';
import { startServer } from '../src/server';
import { LogCapture } from './support/harness';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-server-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('startServer', () => {
  it('listens on a free port, and stop() writes buffered usage before closing the store', async () => {
    const databasePath = path.join(dir, 'db.sqlite');
    const config = loadConfig({
      PORT: '0',
      DATABASE_PATH: databasePath,
      USAGE_FLUSH_INTERVAL_MS: '3600000',
      BCRYPT_COST: '4',
    });
    const logs = new LogCapture();
    const running = await startServer(config, createLogger({ level: 'info', destination: logs }));
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { apiKeyId, apiKeyToken } = await running.latchkey.createApiKey({});
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${running.url}/api/whoami`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKeyToken}` },
      });
      expect(res.status).toBe(200);
    }
    await Promise.all([running.stop(), running.stop()]);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();

    const reopened = await createLatchkey({
      databasePath,
      logger: createLogger({ level: 'silent' }),
    });
    try {
      expect(await reopened.fetchApiKeyUsage({ apiKeyId })).toBe(3);
    } finally {
      await reopened.close();
    }
    expect(logs.text).not.toContain(apiKeyToken);
  });

  it('refuses a port that is taken, with the error, not a hang', async () => {
    const first = await startServer(
      loadConfig({ PORT: '0', DATABASE_PATH: ':memory:' }),
      createLogger({ level: 'silent' }),
    );
    try {
      const port = new URL(first.url).port;
      await expect(
        startServer(
          loadConfig({ PORT: port, DATABASE_PATH: ':memory:' }),
          createLogger({ level: 'silent' }),
        ),
      ).rejects.toMatchObject({
        code: 'EADDRINUSE',
        variable: 'PORT',
        message: expect.stringMatching(
          new RegExp(`^PORT: ${port} is already in use on 127\\.0\\.0\\.1`),
        ),
      });
    } finally {
      await first.stop();
    }
  });

  it('names DATABASE_PATH when the SQLite file cannot be opened', async () => {
    await expect(
      startServer(loadConfig({ PORT: '0', DATABASE_PATH: dir }), createLogger({ level: 'silent' })),
    ).rejects.toMatchObject({
      variable: 'DATABASE_PATH',
      message: expect.stringContaining(
        `DATABASE_PATH: cannot open the SQLite database at "${dir}"`,
      ),
    });
  });

  it('names HOST when it is not an address of this machine, and closes the store', async () => {
    const databasePath = path.join(dir, 'db.sqlite');
    // 192.0.2.1 is reserved for documentation: no interface has it, and no DNS is asked.
    await expect(
      startServer(
        loadConfig({ PORT: '0', HOST: '192.0.2.1', DATABASE_PATH: databasePath }),
        createLogger({ level: 'silent' }),
      ),
    ).rejects.toMatchObject({
      code: 'EADDRNOTAVAIL',
      variable: 'HOST',
      message: expect.stringContaining('HOST: "192.0.2.1" is not an address of this machine'),
    });
    // SQLite removes the write-ahead log when its last connection closes.
    expect(fs.existsSync(`${databasePath}-wal`)).toBe(false);
  });
});

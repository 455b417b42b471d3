import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nowSeconds } from '../../src/core/time';
import { createLatchkey } from '../../src/latchkey';
import { createLogger } from '../../src/logger';
import { spawnTs, waitForLine } from '../support/child';
import { startSmtpSink } from '../support/smtp-sink';

describe('expiry reminders from two processes on one database', () => {
  it('sends each reminder once between them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-reminder-processes-'));
    const file = path.join(dir, 'latchkey.db');
    const smtp = await startSmtpSink();
    try {
      const lk = await createLatchkey({
        databasePath: file,
        logger: createLogger({ level: 'silent' }),
      });
      const user = await lk.createUser({ email: 'ada@example.com' });
      for (let i = 0; i < 20; i++)
        await lk.createApiKey({ userId: user.id, expiresAt: nowSeconds() + 3_600 + i });
      await lk.close();

      const children = [0, 1].map(() =>
        spawnTs('test/reliability/children/send-reminders.ts', [file, smtp.url]),
      );
      const counts = await Promise.all(
        children.map(async (c) => {
          const line = await waitForLine(c.lines, (l) => l.startsWith('{'), 30_000);
          expect((await c.exited).code).toBe(0);
          return (JSON.parse(line) as { sent: number }).sent;
        }),
      );
      expect(counts[0]! + counts[1]!).toBe(20);
      await smtp.waitFor(20);
      await new Promise((r) => setTimeout(r, 200));
      expect(smtp.received).toHaveLength(20);
    } finally {
      await smtp.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

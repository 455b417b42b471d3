/**
 * Child process for the two-server tests: the standalone server (src/server.ts's
 * startServer, configured by the environment like `npm start`), plus a console on stdin
 * through which the parent can change the settings in this process, as an app embedding
 * Latchkey would. Prints one JSON line `{"url": ...}` once listening, and `{"done": n}`
 * after the n-th command; exits 0 on SIGTERM after a clean stop.
 */
import readline from 'node:readline';
import { loadConfig } from '../../../src/config';
import type { Settings } from '../../../src/core/types';
import { createLogger } from '../../../src/logger';
import { startServer } from '../../../src/server';

interface Command {
  updateSettings?: Partial<Settings>;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startServer(config, createLogger({ level: config.LOG_LEVEL }));
  process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
  let done = 0;
  const commands = readline.createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    const command = JSON.parse(line) as Command;
    void (async () => {
      if (command.updateSettings) await running.latchkey.updateSettings(command.updateSettings);
      process.stdout.write(`${JSON.stringify({ done: ++done })}\n`);
    })();
  });
  process.once('SIGTERM', () => {
    commands.close();
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * Child process for the strict-consistency test: validates on request, over the SQLite file
 * it is given, with a strict and a bounded Latchkey. Reads one token per stdin line and
 * answers each with `{ strict, bounded }`: the reason each gave (or "valid").
 */
import readline from 'node:readline';
import { createLatchkey, type Latchkey } from '../../../src/latchkey';
import { createLogger } from '../../../src/logger';
import type { Validation } from '../../../src/core/validation-result';

const open = (file: string, consistency: 'strict' | 'bounded'): Promise<Latchkey> =>
  createLatchkey({
    databasePath: file,
    consistency,
    cacheTtlMs: 60_000,
    usageFlushIntervalMs: 0,
    invalidKeyLimitPerMinute: 0,
    logger: createLogger({ level: 'silent' }),
  });

const outcome = (r: Validation): string => (r.valid ? 'valid' : r.reason);

async function main([file]: string[]): Promise<void> {
  const strict = await open(file!, 'strict');
  const bounded = await open(file!, 'bounded');
  process.stdout.write('ready\n');
  for await (const token of readline.createInterface({ input: process.stdin })) {
    const answer = {
      strict: outcome(await strict.validateApiKey(token)),
      bounded: outcome(await bounded.validateApiKey(token)),
    };
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
  await strict.close();
  await bounded.close();
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * Child process for the cross-process quota test: validates one quota key as fast as it
 * can on a shared SQLite file, then prints how many validations passed and closes (giving
 * back any uses it leased and did not spend).
 */
import { createLatchkey } from '../../../src/latchkey';
import { createLogger } from '../../../src/logger';

async function main(file: string, token: string, attempts: number): Promise<void> {
  const lk = await createLatchkey({
    databasePath: file,
    logger: createLogger({ level: 'silent' }),
    usageFlushIntervalMs: 0,
    cacheTtlMs: 0,
    quotaLeaseSize: 3,
  });
  process.stdout.write('ready\n');
  let passed = 0;
  const reasons: Record<string, number> = {};
  for (let i = 0; i < attempts; i++) {
    const result = await lk.validateApiKey(token);
    if (result.valid) passed++;
    else reasons[result.reason] = (reasons[result.reason] ?? 0) + 1;
  }
  await lk.close();
  process.stdout.write(`${JSON.stringify({ passed, reasons })}\n`);
}

const [file, token, attempts] = process.argv.slice(2);
main(file!, token!, Number(attempts)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

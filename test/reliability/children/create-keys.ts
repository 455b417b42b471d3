/** Child process for the concurrency test: tries to create `count` keys for one user. */
import { createLatchkey } from '../../../src/latchkey';
import { createLogger } from '../../../src/logger';

async function main([file, userId, count]: string[]): Promise<void> {
  const lk = await createLatchkey({
    databasePath: file!,
    logger: createLogger({ level: 'silent' }),
  });
  const outcomes = await Promise.allSettled(
    Array.from({ length: Number(count) }, () => lk.createApiKey({ userId })),
  );
  const created = outcomes.filter((o) => o.status === 'fulfilled').length;
  const refused = outcomes.filter(
    (o) => o.status === 'rejected' && (o.reason as { code?: string }).code === 'limit_reached',
  ).length;
  process.stdout.write(`${JSON.stringify({ created, refused })}\n`);
  await lk.close();
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(1);
});

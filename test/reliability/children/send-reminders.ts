/** Child process for the reminder test: one pass of expiry reminders over a shared SQLite file. */
import { createLatchkey } from '../../../src/latchkey';
import { createLogger } from '../../../src/logger';

async function main([file, smtpUrl]: string[]): Promise<void> {
  const lk = await createLatchkey({
    databasePath: file!,
    logger: createLogger({ level: 'silent' }),
    email: {
      smtpUrl,
      from: 'keys@acme.example',
      pagesUrl: 'https://acme.example',
      reminderIntervalMs: 0,
    },
  });
  const sent = await lk.sendExpiryReminders();
  process.stdout.write(`${JSON.stringify({ sent })}\n`);
  await lk.close();
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(1);
});

import type { Core } from './context';
import { startExpiryReminders, type KeyNotices } from './expiry-reminders';
import type { KeyEventListener } from './key-events';
import type { EmailOptions } from './mailer';
import { smtpMailer } from './smtp-mailer';

const DEFAULT_REMINDER_INTERVAL_MS = 3_600_000;

/**
 * What createLatchkey builds from its email options: the transport and, when email is
 * configured, the background job sending expiry reminders.
 */
export function startKeyNotices(
  core: Core,
  email: EmailOptions | undefined,
  onKeyEvent: KeyEventListener | undefined,
): { notices: KeyNotices; stop(): Promise<void> } {
  const mailer =
    email?.mailer ??
    (email?.smtpUrl ? smtpMailer(email.smtpUrl, email.from ?? 'latchkey@localhost') : null);
  const notices: KeyNotices = {
    email: email && mailer ? { mailer, pagesUrl: email.pagesUrl } : null,
    onKeyEvent,
  };
  const every = email?.reminderIntervalMs ?? DEFAULT_REMINDER_INTERVAL_MS;
  const job = notices.email && every > 0 ? startExpiryReminders(core, notices, every) : null;
  return {
    notices,
    async stop() {
      await job?.stop();
      mailer?.close?.();
    },
  };
}

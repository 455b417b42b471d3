import type { Core } from './context';
import type { KeyNotices } from './expiry-reminders';
import { startExpiryJob } from './key-expiry';
import type { KeyEventListener } from './key-events';
import type { EmailOptions } from './mailer';
import { smtpMailer } from './smtp-mailer';

/**
 * What createLatchkey builds from its email options: the transport (when email is
 * configured) and the background expiry job, which raises `api_key.expiring` and
 * `api_key.expired` with or without email and sends reminders when there is email.
 * `expiryIntervalMs` 0 leaves the job off.
 */
export function startKeyNotices(
  core: Core,
  email: EmailOptions | undefined,
  onKeyEvent: KeyEventListener | undefined,
  expiryIntervalMs: number,
): { notices: KeyNotices; stop(): Promise<void> } {
  const mailer =
    email?.mailer ??
    (email?.smtpUrl ? smtpMailer(email.smtpUrl, email.from ?? 'latchkey@localhost') : null);
  const notices: KeyNotices = {
    email: email && mailer ? { mailer, pagesUrl: email.pagesUrl } : null,
    onKeyEvent,
  };
  const job = expiryIntervalMs > 0 ? startExpiryJob(core, notices, expiryIntervalMs) : null;
  return {
    notices,
    async stop() {
      await job?.stop();
      mailer?.close?.();
    },
  };
}

import type { Mailer } from './mailer';

/**
 * A Mailer over SMTP with nodemailer, from a URL such as smtp://user:pass@host:587 or
 * smtps://host:465. nodemailer is loaded here, only when email is configured.
 */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodemailer = require('nodemailer') as typeof import('nodemailer');
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send({ to, subject, text, html }) {
      await transport.sendMail({ from, to, subject, text, html });
    },
    close: () => transport.close(),
  };
}

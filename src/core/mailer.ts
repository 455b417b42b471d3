/** What Latchkey needs to send email; the SMTP transport (smtp-mailer.ts) is one. */
export interface EmailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: EmailMessage): Promise<void>;
  close?(): void;
}

/** How the core emails key owners: the transport, and the page links the messages carry. */
export interface EmailContext {
  mailer: Mailer;
  /** The address the hosted pages are served at, e.g. https://example.com/account. */
  pagesUrl: string;
}

/** Email as createLatchkey takes it: an SMTP URL (or a ready Mailer) and the page address. */
export interface EmailOptions {
  /** smtp://user:pass@host:587 or smtps://host:465 */
  smtpUrl?: string;
  /** A ready transport instead of `smtpUrl`. */
  mailer?: Mailer;
  /** The sender, e.g. "Acme <keys@acme.example>"; needed with `smtpUrl`. */
  from?: string;
  /** The address the hosted pages are served at: links in the emails point there. */
  pagesUrl: string;
  /**
   * How often keys about to expire are looked for; when given, it is used instead of
   * createLatchkey's `expiryIntervalMs` (its earlier home). 0 = never.
   */
  reminderIntervalMs?: number;
}

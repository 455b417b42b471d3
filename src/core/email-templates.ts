import type { EmailMessage } from './mailer';
import type { ApiKey, Settings } from './types';

/** The emails sent to key owners, each as plain text and as HTML, in the product's name. */

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const productOf = (settings: Settings): string => settings.branding.productName || 'Latchkey';

/** The hosted page where the key's owners manage (and replace) it. */
export function keyPageUrl(pagesUrl: string, key: Pick<ApiKey, 'kind' | 'orgId'>): string {
  const base = pagesUrl.replace(/\/+$/, '');
  return key.kind === 'org' && key.orgId ? `${base}/orgs/${key.orgId}/keys` : `${base}/keys`;
}

const keyLabel = (key: ApiKey): string => `“${key.displayName}” (${key.hint})`;

function message(
  to: string[],
  subject: string,
  paragraphs: string[],
  link: { url: string; label: string },
  product: string,
): EmailMessage {
  const text = [...paragraphs, `${link.label}: ${link.url}`, `— ${product}`].join('\n\n');
  const html = [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`,
    `<p>— ${escapeHtml(product)}</p>`,
  ].join('\n');
  return { to, subject, text: `${text}\n`, html };
}

export function expiryReminderEmail(
  settings: Settings,
  pagesUrl: string,
  key: ApiKey,
  to: string[],
): EmailMessage {
  const product = productOf(settings);
  const when = new Date((key.expiresAt ?? 0) * 1000).toUTCString();
  return message(
    to,
    `${product}: API key ${key.displayName} expires ${when.slice(0, 16)}`,
    [
      `The ${product} API key ${keyLabel(key)} expires on ${when}.`,
      'After that, requests made with it are refused. Create a new key and switch to it before then.',
    ],
    { url: keyPageUrl(pagesUrl, key), label: 'Replace the key' },
    product,
  );
}

export function leakedKeyEmail(
  settings: Settings,
  pagesUrl: string,
  key: ApiKey,
  to: string[],
  found: { revoked: boolean; url: string | null },
): EmailMessage {
  const product = productOf(settings);
  return message(
    to,
    `${product}: API key ${key.displayName} was found exposed${found.revoked ? ' and revoked' : ''}`,
    [
      `The ${product} API key ${keyLabel(key)} was found where others can see it${found.url ? `: ${found.url}` : ''}.`,
      found.revoked
        ? 'It has been revoked: requests made with it are refused from now on. Create a new key and remove the exposed one from where it was found.'
        : 'It still works. Create a new key, switch to it, revoke this one and remove it from where it was found.',
    ],
    {
      url: keyPageUrl(pagesUrl, key),
      label: found.revoked ? 'Create a new key' : 'Replace the key',
    },
    product,
  );
}

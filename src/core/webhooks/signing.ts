import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new endpoint signing secret in the Standard Webhooks form: "whsec_" + base64 of 32 bytes. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The three Standard Webhooks headers for one message, signed with HMAC-SHA256. */
export function signedHeaders(
  secret: string,
  messageId: string,
  timestampSeconds: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const signature = new Webhook(secret).sign(messageId, new Date(timestampSeconds * 1000), body);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signature,
  };
}

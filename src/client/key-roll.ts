import { LatchkeyClientError, type Transport } from './transport';

/** A rolled key: its id and the new token, which the server shows this once. */
export interface RolledKey {
  apiKeyId: string;
  apiKeyToken: string;
}

/**
 * Rolls a key on the server (`POST …/{api_key_id}/roll`): a new token for the same key; the
 * old one validates for `expireOldInSeconds` more (default 0). A refusal (unknown or archived
 * key, a bad grace period) throws `refused` with the server's message.
 */
export async function rollKeyOverHttp(
  transport: Transport,
  keysPath: string,
  apiKeyId: string,
  options: { expireOldInSeconds?: number } = {},
): Promise<RolledKey> {
  const grace = options.expireOldInSeconds;
  const res = await transport.post(
    `${keysPath}/${encodeURIComponent(apiKeyId)}/roll`,
    grace === undefined ? {} : { expire_old_in_seconds: grace },
  );
  const body = res.body as Record<string, unknown> | null;
  if (res.status === 200 && typeof body?.api_key_token === 'string')
    return { apiKeyId: String(body.api_key_id), apiKeyToken: body.api_key_token };
  if (res.status === 401)
    throw new LatchkeyClientError(
      'unauthorized',
      'The Latchkey server refused the integration key',
    );
  if (res.status === 400 || res.status === 404)
    throw new LatchkeyClientError('refused', refusalOf(body) ?? `Latchkey refused the roll`);
  throw new LatchkeyClientError('server', `Latchkey answered ${res.status}`);
}

/** The first message of a 400 answer's field errors, or its `message`. */
function refusalOf(body: Record<string, unknown> | null): string | undefined {
  if (!body) return undefined;
  if (typeof body.message === 'string') return body.message;
  const first = Object.values(body).find((v) => Array.isArray(v) && typeof v[0] === 'string');
  return Array.isArray(first) ? (first[0] as string) : undefined;
}

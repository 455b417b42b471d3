import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import { keyEvent } from './events';
import { parseInput, rollKeyInput } from './inputs';
import { forgetKey, requireKey, viewOf, type CreatedKey } from './keys';
import { nowSeconds } from './time';
import { digestToken, generateToken, tokenHint } from './token';

/** What rollApiKey takes: how long the old token keeps validating (default 0: not at all). */
export interface RollKeyOptions {
  expireOldInSeconds?: number;
}

/**
 * Gives a key a new token: the same id, owner, metadata, limits and quota. The old token
 * validates until `expireOldInSeconds` have passed (0: it stops at once), then fails as
 * `expired`. Only the new token's digest is stored; the token itself is returned once.
 */
export async function rollApiKey(
  core: Core,
  keyId: unknown,
  options: unknown,
  by?: Actor,
): Promise<CreatedKey> {
  const key = await requireKey(core, keyId);
  const { expireOldInSeconds = 0 } = parseInput(rollKeyInput, options ?? {});
  if (key.imported)
    throw new LatchkeyError('conflict', 'An imported API key cannot be rolled; create a new key.');
  const token = generateToken(core.settings().tokenPrefix);
  const now = nowSeconds();
  const next = { digest: digestToken(token), hint: tokenHint(token) };
  const rolled = await core.store.rollKey(key.id, next, now + expireOldInSeconds, [
    keyEvent('api_key.rolled', { ...key, hint: next.hint }, by, {
      previousHint: key.hint,
      previousTokenExpiresAt: now + expireOldInSeconds,
    }),
  ]);
  forgetKey(core, key);
  if (!rolled)
    throw new LatchkeyError('conflict', 'This API key is archived and can no longer be rolled.');
  core.validator.forget(rolled.digest);
  await audit(core, by, 'key.rolled', 'key', key.id, { expireOldInSeconds });
  return { apiKeyId: key.id, apiKeyToken: token, key: viewOf(rolled) };
}

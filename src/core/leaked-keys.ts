import { audit, type Actor, type Core } from './context';
import { leakedKeyEmail } from './email-templates';
import type { KeyNotices } from './expiry-reminders';
import { emit, keyEvent } from './events';
import { forgetKey } from './keys';
import { tellListener } from './key-events';
import { recipientsOfKey } from './key-recipients';
import { digestToken, importedTokenOf } from './token';
import { nowSeconds } from './time';
import type { ApiKey } from './types';

/** Where a leaked key was found, as the report said (a URL, and what kind of place). */
export interface LeakLocation {
  url?: string | null;
  source?: string | null;
}

export interface LeakOutcome {
  keyId: string;
  /** Whether this report revoked it (false when flagging only, or it was revoked already). */
  revoked: boolean;
  /** It was archived before the report: nothing more is done. */
  alreadyArchived: boolean;
}

/** The key a token belongs to (native or imported), archived or not; null for none. */
export async function keyOfToken(core: Core, token: string): Promise<ApiKey | null> {
  return core.store.findKeyByDigest(digestToken(importedTokenOf(token)));
}

/**
 * Handles a key reported as leaked, as the leakedKeyAction setting says: revoked at once
 * ('revoke') or left working ('flag'). Either way the audit log records where it was
 * found, an `api_key.leaked` event goes to the webhook outbox (ids, kind, owner, hint, the
 * reporter as actor) and its owners are emailed. A key archived already is left as it is.
 */
export async function handleLeakedKey(
  core: Core,
  notices: KeyNotices,
  key: ApiKey,
  where: LeakLocation,
  by: Actor = { actor: 'system' },
): Promise<LeakOutcome> {
  if (key.archivedAt !== null) return { keyId: key.id, revoked: false, alreadyArchived: true };
  let revoked = false;
  if (core.settings().leakedKeyAction === 'revoke') {
    const revokedEvent = keyEvent('api_key.revoked', key, by, { cause: 'leaked' });
    revoked = (await core.store.archiveKey(key.id, nowSeconds(), [revokedEvent])) !== null;
    forgetKey(core, key);
    if (revoked)
      await audit(core, by, 'key.archived', 'key', key.id, { kind: key.kind, reason: 'leaked' });
  }
  const url = where.url ?? null;
  const source = where.source ?? null;
  await audit(core, by, 'key.leaked', 'key', key.id, { url, source, revoked });
  await emit(core, keyEvent('api_key.leaked', key, by, { url, source, revoked })).catch(
    (err: unknown) =>
      core.logger.error({ err, keyId: key.id }, 'writing api_key.leaked to the outbox failed'),
  );
  tellListener(notices.onKeyEvent, 'api_key.leaked', {
    keyId: key.id,
    kind: key.kind,
    userId: key.userId,
    orgId: key.orgId,
    url,
    source,
    revoked,
  });
  await emailOwners(core, notices, key, { revoked, url });
  return { keyId: key.id, revoked, alreadyArchived: false };
}

async function emailOwners(
  core: Core,
  notices: KeyNotices,
  key: ApiKey,
  found: { revoked: boolean; url: string | null },
): Promise<void> {
  if (!notices.email) return;
  try {
    const to = await recipientsOfKey(core, key);
    if (to.length === 0) return;
    const { mailer, pagesUrl } = notices.email;
    await mailer.send(leakedKeyEmail(core.settings(), pagesUrl, key, to, found));
  } catch (err) {
    // The key's revocation stands whether or not the owners could be told.
    core.logger.error({ err, keyId: key.id }, 'emailing the owners of a leaked key failed');
  }
}

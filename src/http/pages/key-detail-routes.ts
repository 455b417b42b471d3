import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { LatchkeyError } from '../../core/errors';
import { displayName, isKeyId, parseInput } from '../../core/inputs';
import type { ApiKeyView } from '../../core/keys';
import { dayOf, nowSeconds } from '../../core/time';
import type { Latchkey } from '../../latchkey';
import { barChart, lastDays } from '../admin/usage-chart';
import { keyOrNull } from '../lookups';
import { viewerOf } from './current-user';
import { requireManager, scopeOwns, type KeyScope } from './key-scopes';
import type { ScopeResolver } from './key-routes';
import { OneTimeSecrets } from './one-time-secrets';
import { basePathOf, flash, renderPage } from './render';
import { consumeFormId } from './security';

/** How long a rolled key's old token keeps working, as the pages offer it. */
export const GRACE_CHOICES = [
  { value: '0', seconds: 0, label: 'Stop the old key now' },
  { value: '1h', seconds: 3600, label: 'Keep the old key working for 1 hour' },
  { value: '24h', seconds: 86_400, label: 'Keep the old key working for 24 hours' },
  { value: '7d', seconds: 7 * 86_400, label: 'Keep the old key working for 7 days' },
] as const;

const USAGE_DAYS = 30;
const DAY = 86_400;

/** A token a roll just made, shown once on its key's page. */
interface RolledKey {
  keyId: string;
  token: string;
}

const renameForm = z.object({ displayName: z.preprocess((v) => v ?? '', displayName) });
const rollForm = z.object({
  grace: z.enum(GRACE_CHOICES.map((c) => c.value) as [string, ...string[]], {
    error: 'choose how long the old key keeps working',
  }),
});

async function ownedKey(latchkey: Latchkey, scope: KeyScope, keyId: unknown): Promise<ApiKeyView> {
  const key = isKeyId(keyId) ? await keyOrNull(latchkey, keyId) : null;
  if (!key || !scopeOwns(scope, key)) throw LatchkeyError.notFound('API key');
  return key;
}

/** Whole days until `expiresAt` when it falls within the warning window; null otherwise. */
export function expiresInDays(
  expiresAt: number | null,
  now: number,
  warningDays: number,
): number | null {
  if (expiresAt === null || expiresAt <= now || warningDays <= 0) return null;
  const days = Math.ceil((expiresAt - now) / DAY);
  return days <= warningDays ? days : null;
}

/**
 * A key's own page at `${prefix}/:keyId`: its state, quota, last use and 30-day usage, with
 * renaming and rolling for those who manage the scope's keys.
 */
export function registerKeyDetailRoutes(
  router: Router,
  latchkey: Latchkey,
  prefix: string,
  resolve: ScopeResolver,
): void {
  const rolledTokens = new OneTimeSecrets<RolledKey>();
  const keyPath = (req: Request, res: Response, scope: KeyScope, keyId: string) =>
    `${basePathOf(req, res)}${scope.path}/${keyId}`;
  const actorOf = (req: Request, res: Response) => ({
    actor: `user:${viewerOf(res).user.id}`,
    ip: req.ip ?? null,
  });

  router.get(`${prefix}/:keyId`, async (req, res) => {
    const scope = resolve(req, res);
    res.locals.backHref = `${basePathOf(req, res)}${scope.path}`;
    const key = await ownedKey(latchkey, scope, req.params.keyId);
    const rolled = rolledTokens.take(req, (r) => r.keyId === key.id);
    if (rolled) res.setHeader('Cache-Control', 'no-store');
    const now = nowSeconds();
    const today = dayOf(now);
    const from = lastDays(today, USAGE_DAYS, [])[0]!.day;
    const counts = await latchkey.fetchApiKeyUsageByDay({ apiKeyId: key.id, from, to: today });
    const days = lastDays(today, USAGE_DAYS, counts);
    await renderPage(req, res, 'key-detail', {
      title: key.displayName,
      scope,
      key,
      rolled,
      now,
      expiresIn: expiresInDays(key.expiresAt, now, latchkey.getSettings().expiryWarningDays),
      days,
      total: days.reduce((n, d) => n + d.count, 0),
      chart: barChart(days),
      graceChoices: GRACE_CHOICES,
      // Shown only when the product declares scopes.
      heldScopes: latchkey.scopes.isEmpty
        ? []
        : latchkey.scopes.heldBy(key, latchkey.getSettings()),
    });
  });

  router.post(`${prefix}/:keyId/rename`, async (req, res) => {
    const scope = resolve(req, res);
    requireManager(scope);
    consumeFormId(req);
    const key = await ownedKey(latchkey, scope, req.params.keyId);
    const form = parseInput(renameForm, req.body);
    await latchkey.updateApiKey(key.id, { displayName: form.displayName }, actorOf(req, res));
    flash(req, 'success', `Renamed the key to “${form.displayName}”.`);
    res.redirect(303, keyPath(req, res, scope, key.id));
  });

  router.post(`${prefix}/:keyId/roll`, async (req, res) => {
    const scope = resolve(req, res);
    requireManager(scope);
    consumeFormId(req);
    const key = await ownedKey(latchkey, scope, req.params.keyId);
    const form = parseInput(rollForm, req.body);
    const grace = GRACE_CHOICES.find((c) => c.value === form.grace)!;
    const rolled = await latchkey.rollApiKey(
      key.id,
      { expireOldInSeconds: grace.seconds },
      actorOf(req, res),
    );
    rolledTokens.hold(req, { keyId: key.id, token: rolled.apiKeyToken });
    res.redirect(303, keyPath(req, res, scope, key.id));
  });
}

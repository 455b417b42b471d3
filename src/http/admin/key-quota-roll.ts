import type { Request, Response, Router } from 'express';
import { LatchkeyError, type FieldErrors } from '../../core/errors';
import { isKeyId } from '../../core/inputs';
import type { ApiKeyView, KeyUpdate } from '../../core/keys';
import { dayOf, nowSeconds } from '../../core/time';
import type { Latchkey } from '../../latchkey';
import { keyOrNull } from '../lookups';
import { expiresInDays, GRACE_CHOICES } from '../pages/key-detail-routes';
import { OneTimeSecrets } from '../pages/one-time-secrets';
import { basePathOf, flash } from '../pages/render';
import { consumeFormId } from '../pages/security';
import { actorOf } from './admin-session';
import { throwProblems } from './settings-fields';
import { barChart, lastDays } from './usage-chart';

const USAGE_DAYS = 30;

async function findKey(latchkey: Latchkey, id: unknown): Promise<ApiKeyView> {
  const key = isKeyId(id) ? await keyOrNull(latchkey, id) : null;
  if (!key) throw LatchkeyError.notFound('API key');
  return key;
}

const wholeNumber = (v: unknown): number | null | 'bad' => {
  const text = typeof v === 'string' ? v.trim() : '';
  if (text === '') return null;
  return /^\d{1,10}$/.test(text) ? Number(text) : 'bad';
};

/** The quota form: uses left (empty: no quota) and a refill amount (empty: none) per interval. */
function readQuotaForm(body: unknown): Pick<KeyUpdate, 'remaining' | 'refill'> {
  const form = (body ?? {}) as Record<string, unknown>;
  const problems: FieldErrors = {};
  const remaining = wholeNumber(form.remaining);
  const amount = wholeNumber(form.refillAmount);
  const interval = form.refillInterval === 'month' ? 'month' : 'day';
  if (remaining === 'bad') problems.remaining = ['must be a whole number, or empty for no quota'];
  if (amount === 'bad' || amount === 0)
    problems.refillAmount = ['must be a whole number above 0, or empty for no refill'];
  throwProblems(problems);
  const refill = typeof amount === 'number' ? { amount, interval } : null;
  if (remaining === null && refill === null) return { remaining: null };
  return { remaining: remaining as number | null, refill } as Pick<
    KeyUpdate,
    'remaining' | 'refill'
  >;
}

/**
 * The dashboard key page's quota, usage chart, expiry notice and rolling: its extra
 * locals, and the routes that change the quota and roll the key.
 */
export function keyQuotaAndRoll(latchkey: Latchkey) {
  const rolledTokens = new OneTimeSecrets<{ keyId: string; token: string }>();
  const keyPath = (req: Request, res: Response, id: string) => `${basePathOf(req, res)}/keys/${id}`;

  return {
    /** What the key page shows besides the key; a rolled token only to the GET that shows it. */
    async locals(key: ApiKeyView, req: Request | null) {
      const now = nowSeconds();
      const today = dayOf(now);
      const from = lastDays(today, USAGE_DAYS, [])[0]!.day;
      const counts = await latchkey.fetchApiKeyUsageByDay({ apiKeyId: key.id, from, to: today });
      const days = lastDays(today, USAGE_DAYS, counts);
      return {
        rolled: req ? rolledTokens.take(req, (r) => r.keyId === key.id) : null,
        expiresIn: expiresInDays(key.expiresAt, now, latchkey.getSettings().expiryWarningDays),
        days,
        total: days.reduce((n, d) => n + d.count, 0),
        chart: barChart(days),
        graceChoices: GRACE_CHOICES,
      };
    },

    register(router: Router): void {
      router.post('/keys/:keyId/quota', async (req, res) => {
        consumeFormId(req);
        const key = await findKey(latchkey, req.params.keyId);
        await latchkey.updateApiKey(key.id, readQuotaForm(req.body), actorOf(req, res));
        flash(req, 'success', 'Quota saved.');
        res.redirect(303, keyPath(req, res, key.id));
      });

      router.post('/keys/:keyId/roll', async (req, res) => {
        consumeFormId(req);
        const key = await findKey(latchkey, req.params.keyId);
        const grace = GRACE_CHOICES.find((c) => c.value === req.body?.grace);
        if (!grace) throw LatchkeyError.field('grace', 'choose how long the old key keeps working');
        const rolled = await latchkey.rollApiKey(
          key.id,
          { expireOldInSeconds: grace.seconds },
          actorOf(req, res),
        );
        rolledTokens.hold(req, { keyId: key.id, token: rolled.apiKeyToken });
        res.redirect(303, keyPath(req, res, key.id));
      });
    },
  };
}

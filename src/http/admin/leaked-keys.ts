import type { Router } from 'express';
import { LatchkeyError } from '../../core/errors';
import { isKeyId } from '../../core/inputs';
import type { Latchkey } from '../../latchkey';
import { keyOrNull } from '../lookups';
import { basePathOf, flash, renderPage } from '../pages/render';
import { consumeFormId } from '../pages/security';
import { actorOf } from './admin-session';

/** "Report as leaked" on a key's dashboard page: handled as the leakedKeyAction setting says. */
export function registerLeakedKeyRoutes(router: Router, latchkey: Latchkey): void {
  const currentKey = async (keyId: unknown) => {
    const key = isKeyId(keyId) ? await keyOrNull(latchkey, keyId) : null;
    if (!key) throw LatchkeyError.notFound('API key');
    if (key.archivedAt !== null)
      throw new LatchkeyError('conflict', 'This key is already archived.');
    return key;
  };

  router.get('/keys/:keyId/report-leak', async (req, res) => {
    const key = await currentKey(req.params.keyId);
    const revokes = latchkey.getSettings().leakedKeyAction === 'revoke';
    await renderPage(req, res, 'admin/confirm', {
      title: `Report “${key.displayName}” as leaked?`,
      lines: [
        revokes
          ? `The ${key.kind} key ${key.hint} is revoked at once (the leaked-key setting says so).`
          : `The ${key.kind} key ${key.hint} keeps working (the leaked-key setting only flags it).`,
        `Its owners are emailed${latchkey.emailConfigured ? '' : ' (when email is configured: it is not)'}, an api_key.leaked event is raised and the audit log records the report.`,
      ],
      action: `/keys/${key.id}/report-leak`,
      button: 'Report leaked key',
      back: `/keys/${key.id}`,
    });
  });

  router.post('/keys/:keyId/report-leak', async (req, res) => {
    consumeFormId(req);
    const key = await currentKey(req.params.keyId);
    const outcome = await latchkey.reportLeakedKey(
      key.id,
      { source: 'reported on the dashboard' },
      actorOf(req, res),
    );
    flash(
      req,
      'success',
      outcome.revoked
        ? `Revoked “${key.displayName}” as leaked.`
        : `Reported “${key.displayName}” as leaked; it still works.`,
    );
    res.redirect(303, `${basePathOf(req, res)}/keys/${key.id}`);
  });
}

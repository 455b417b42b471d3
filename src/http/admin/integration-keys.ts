import type { Router } from 'express';
import { LatchkeyError } from '../../core/errors';
import type { Latchkey } from '../../latchkey';
import { basePathOf, flash, keepForm, renderPage } from '../pages/render';
import { OneTimeSecrets } from '../pages/one-time-secrets';
import { consumeFormId } from '../pages/security';
import { actorOf } from './admin-session';

/** Credentials for the backend REST API: create (the token is shown once), list, revoke. */
export function registerIntegrationKeyRoutes(router: Router, latchkey: Latchkey): void {
  const newKeys = new OneTimeSecrets<{ id: string; token: string; name: string }>();
  const listLocals = async () => ({
    title: 'Integration keys',
    keys: await latchkey.listIntegrationKeys(),
    newKey: null,
    fieldLabels: { name: 'Name' },
  });

  router.get('/integration-keys', async (req, res) => {
    // The new token is shown on this one page load, then forgotten.
    const newKey = newKeys.take(req);
    if (newKey) res.setHeader('Cache-Control', 'no-store');
    await renderPage(req, res, 'admin/integration-keys', { ...(await listLocals()), newKey });
  });

  router.post('/integration-keys', async (req, res) => {
    keepForm(res, 'admin/integration-keys', await listLocals());
    consumeFormId(req);
    const created = await latchkey.createIntegrationKey(req.body?.name ?? '', actorOf(req, res));
    newKeys.hold(req, { id: created.key.id, token: created.token, name: created.key.name });
    res.redirect(303, `${basePathOf(req, res)}/integration-keys`);
  });

  router.get('/integration-keys/:id/revoke', async (req, res) => {
    const keys = await latchkey.listIntegrationKeys();
    const key = keys.find((k) => k.id === req.params.id && k.archivedAt === null);
    if (!key) throw LatchkeyError.notFound('Integration key');
    await renderPage(req, res, 'admin/confirm', {
      title: `Revoke the integration key “${key.name}”?`,
      lines: [
        `Backends calling the REST API with ${key.hint} are refused from now on. This cannot be undone.`,
      ],
      action: `/integration-keys/${key.id}/revoke`,
      button: 'Revoke integration key',
      back: '/integration-keys',
    });
  });

  router.post('/integration-keys/:id/revoke', async (req, res) => {
    consumeFormId(req);
    const key = await latchkey.archiveIntegrationKey(req.params.id, actorOf(req, res));
    flash(
      req,
      'success',
      `Revoked the integration key “${key.name}”. Calls using it are refused now.`,
    );
    res.redirect(303, `${basePathOf(req, res)}/integration-keys`);
  });
}

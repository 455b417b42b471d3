import type { Request, Router } from 'express';
import { EVENT_TYPES } from '../../core/events';
import type { Latchkey } from '../../latchkey';
import { basePathOf, flash, keepForm, renderPage } from '../pages/render';
import { OneTimeSecrets } from '../pages/one-time-secrets';
import { consumeFormId } from '../pages/security';
import { actorOf } from './admin-session';

const EVENT_CHOICES = [
  { value: '*', label: 'All events' },
  ...EVENT_TYPES.map((t) => ({ value: t, label: t })),
];

/** The checked `events` boxes of a form: one value or several. */
const checkedEvents = (req: Request): string[] => {
  const raw: unknown = req.body?.events;
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
};

const PAGE_SIZE = 50;

/**
 * Webhook endpoints: add one (its signing secret is shown once, held in this process's
 * memory only), enable or disable it, see its delivery log, resend a delivery and send a
 * test event.
 */
export function registerWebhookRoutes(router: Router, latchkey: Latchkey): void {
  const newSecrets = new OneTimeSecrets<{ id: string; url: string; secret: string }>();
  const listLocals = async () => ({
    title: 'Webhooks',
    endpoints: await latchkey.webhooks.listEndpoints(),
    newSecret: null,
    eventChoices: EVENT_CHOICES,
    fieldLabels: { url: 'URL', events: 'Events' },
  });
  const back = (req: Request, res: Parameters<typeof basePathOf>[1], path = '') =>
    res.redirect(303, `${basePathOf(req, res)}/webhooks${path}`);

  router.get('/webhooks', async (req, res) => {
    const newSecret = newSecrets.take(req);
    if (newSecret) res.setHeader('Cache-Control', 'no-store');
    await renderPage(req, res, 'admin/webhooks', { ...(await listLocals()), newSecret });
  });

  router.post('/webhooks', async (req, res) => {
    keepForm(res, 'admin/webhooks', await listLocals());
    consumeFormId(req);
    const created = await latchkey.webhooks.addEndpoint(
      {
        url: String(req.body?.url ?? ''),
        events: checkedEvents(req),
        enabled: req.body?.enabled === 'on',
      },
      actorOf(req, res),
    );
    newSecrets.hold(req, {
      id: created.endpoint.id,
      url: created.endpoint.url,
      secret: created.secret,
    });
    back(req, res);
  });

  router.get('/webhooks/:endpointId', async (req, res) => {
    const endpoint = await latchkey.webhooks.fetchEndpoint(req.params.endpointId);
    const pageNumber = Math.min(1_000_000, Math.max(1, Math.floor(Number(req.query.page)) || 1));
    const deliveries = await latchkey.webhooks.listDeliveries(endpoint.id, {
      pageSize: PAGE_SIZE,
      pageNumber: pageNumber - 1,
    });
    await renderPage(req, res, 'admin/webhook', {
      title: `Webhook ${endpoint.url}`,
      endpoint,
      deliveries,
      pageNumber,
      pageSize: PAGE_SIZE,
    });
  });

  router.post('/webhooks/:endpointId/enabled', async (req, res) => {
    consumeFormId(req);
    const enabled = req.body?.enabled === 'true';
    const endpoint = await latchkey.webhooks.updateEndpoint(
      req.params.endpointId,
      { enabled },
      actorOf(req, res),
    );
    flash(req, 'success', `${enabled ? 'Enabled' : 'Disabled'} ${endpoint.url}.`);
    back(req, res, `/${endpoint.id}`);
  });

  router.post('/webhooks/:endpointId/test', async (req, res) => {
    consumeFormId(req);
    await latchkey.webhooks.sendTestEvent(req.params.endpointId, actorOf(req, res));
    flash(req, 'success', 'A test event is on its way; it shows in the log below.');
    back(req, res, `/${req.params.endpointId}`);
  });

  router.post('/webhooks/:endpointId/deliveries/:deliveryId/resend', async (req, res) => {
    consumeFormId(req);
    const endpoint = await latchkey.webhooks.fetchEndpoint(req.params.endpointId);
    await latchkey.webhooks.resendDelivery(req.params.deliveryId, actorOf(req, res));
    flash(req, 'success', 'The delivery will be sent again shortly, with the same webhook-id.');
    back(req, res, `/${endpoint.id}`);
  });

  router.get('/webhooks/:endpointId/delete', async (req, res) => {
    const endpoint = await latchkey.webhooks.fetchEndpoint(req.params.endpointId);
    await renderPage(req, res, 'admin/confirm', {
      title: `Delete the webhook endpoint ${endpoint.url}?`,
      lines: ['Events are no longer sent to it, and its delivery log is deleted.'],
      action: `/webhooks/${endpoint.id}/delete`,
      button: 'Delete endpoint',
      back: `/webhooks/${endpoint.id}`,
    });
  });

  router.post('/webhooks/:endpointId/delete', async (req, res) => {
    consumeFormId(req);
    const endpoint = await latchkey.webhooks.fetchEndpoint(req.params.endpointId);
    await latchkey.webhooks.deleteEndpoint(endpoint.id, actorOf(req, res));
    flash(req, 'success', `Deleted the webhook endpoint ${endpoint.url}.`);
    back(req, res);
  });
}

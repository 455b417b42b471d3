import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { audit, type Actor, type Core } from '../context';
import { LatchkeyError } from '../errors';
import { EVENT_TYPES, newEvent } from '../events';
import { parseInput } from '../inputs';
import { pageOf, type PageRequest } from '../paging';
import type { Paged, WebhookDelivery, WebhookEndpoint } from '../store';
import { nowSeconds } from '../time';
import { checkEndpointUrl, RefusedUrlError, type NetworkPolicy } from './address-check';
import type { WebhookWorker } from './delivery-worker';
import { newSigningSecret } from './signing';

/** An endpoint as the dashboard and callers see it: everything but the signing secret. */
export type WebhookEndpointView = Omit<WebhookEndpoint, 'secret'>;

export interface CreatedWebhookEndpoint {
  /** Shown once; receivers verify with it. */
  secret: string;
  endpoint: WebhookEndpointView;
}

const viewOf = ({ secret: _secret, ...view }: WebhookEndpoint): WebhookEndpointView => view;

const eventList = z
  .array(z.enum(['*', ...EVENT_TYPES]))
  .min(1, 'choose at least one event')
  .max(EVENT_TYPES.length + 1);

const endpointInput = z.strictObject({
  url: z.string().trim().min(1).max(2000),
  events: eventList.default(['*']),
  enabled: z.boolean().default(true),
});

const endpointPatch = z.strictObject({
  url: z.string().trim().min(1).max(2000).optional(),
  events: eventList.optional(),
  enabled: z.boolean().optional(),
});

export type WebhookEndpointInput = z.input<typeof endpointInput>;
export type WebhookEndpointPatch = z.input<typeof endpointPatch>;

/**
 * Webhook endpoints and their deliveries, as admins manage them. Each endpoint gets its
 * own signing secret, returned once by `addEndpoint`.
 */
export class Webhooks {
  constructor(
    private readonly core: Core,
    private readonly policy: NetworkPolicy,
    private readonly worker: WebhookWorker,
  ) {}

  private async checkUrl(url: string): Promise<void> {
    try {
      await checkEndpointUrl(url, this.policy);
    } catch (err) {
      if (err instanceof RefusedUrlError) throw LatchkeyError.field('url', err.message);
      throw err;
    }
  }

  private async requireEndpoint(id: unknown): Promise<WebhookEndpoint> {
    const found = typeof id === 'string' ? await this.core.store.findEndpointById(id) : null;
    if (!found) throw LatchkeyError.fieldNotFound('endpointId', 'no webhook endpoint has this id');
    return found;
  }

  async addEndpoint(input: unknown, by?: Actor): Promise<CreatedWebhookEndpoint> {
    const data = parseInput(endpointInput, input ?? {});
    await this.checkUrl(data.url);
    const endpoint: WebhookEndpoint = {
      id: `whe_${randomUUID().replaceAll('-', '')}`,
      url: data.url,
      events: data.events.includes('*') ? ['*'] : data.events,
      enabled: data.enabled,
      secret: newSigningSecret(),
      createdAt: nowSeconds(),
      disabledReason: null,
      failingSince: null,
    };
    await this.core.store.insertEndpoint(endpoint);
    await audit(this.core, by, 'webhook.endpoint_added', 'settings', endpoint.id, {
      url: endpoint.url,
      events: endpoint.events,
    });
    return { secret: endpoint.secret, endpoint: viewOf(endpoint) };
  }

  async listEndpoints(): Promise<WebhookEndpointView[]> {
    return (await this.core.store.listEndpoints()).map(viewOf);
  }

  async fetchEndpoint(id: unknown): Promise<WebhookEndpointView> {
    return viewOf(await this.requireEndpoint(id));
  }

  /** Changes the URL, events or enabled flag; enabling clears the reason it was disabled. */
  async updateEndpoint(id: unknown, input: unknown, by?: Actor): Promise<WebhookEndpointView> {
    const endpoint = await this.requireEndpoint(id);
    const patch = parseInput(endpointPatch, input ?? {});
    if (patch.url !== undefined) await this.checkUrl(patch.url);
    const events = patch.events && (patch.events.includes('*') ? ['*'] : patch.events);
    const reenabled = patch.enabled === true && !endpoint.enabled;
    const updated = await this.core.store.updateEndpoint(endpoint.id, {
      ...(patch.url !== undefined && { url: patch.url }),
      ...(events && { events }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      ...(reenabled && { disabledReason: null, failingSince: null }),
    });
    if (!updated)
      throw LatchkeyError.fieldNotFound('endpointId', 'no webhook endpoint has this id');
    await audit(this.core, by, 'webhook.endpoint_updated', 'settings', endpoint.id, {
      fields: Object.keys(patch),
    });
    return viewOf(updated);
  }

  async deleteEndpoint(id: unknown, by?: Actor): Promise<void> {
    const endpoint = await this.requireEndpoint(id);
    await this.core.store.deleteEndpoint(endpoint.id);
    await audit(this.core, by, 'webhook.endpoint_deleted', 'settings', endpoint.id, {
      url: endpoint.url,
    });
  }

  /** The endpoint's deliveries, newest first. */
  async listDeliveries(id: unknown, page?: PageRequest): Promise<Paged<WebhookDelivery>> {
    const endpoint = await this.requireEndpoint(id);
    return this.core.store.listDeliveries(endpoint.id, pageOf(page));
  }

  /** Sends a delivery again now, with the same webhook-id. */
  async resendDelivery(deliveryId: unknown, by?: Actor): Promise<WebhookDelivery> {
    const found =
      typeof deliveryId === 'string'
        ? await this.core.store.resendDelivery(deliveryId, nowSeconds())
        : null;
    if (!found) throw LatchkeyError.fieldNotFound('deliveryId', 'no delivery has this id');
    await audit(this.core, by, 'webhook.delivery_resent', 'settings', found.endpointId, {
      deliveryId: found.id,
    });
    return found;
  }

  /** Queues a `webhook.test` event for this endpoint alone. */
  async sendTestEvent(id: unknown, by?: Actor): Promise<void> {
    const endpoint = await this.requireEndpoint(id);
    const event = newEvent('webhook.test', {
      endpointId: endpoint.id,
      actor: by?.actor ?? 'library',
    });
    await this.core.store.insertEvents([{ ...event, endpointId: endpoint.id }]);
  }

  /** One delivery round now (fan out, then send what is due); how many deliveries it attempted. */
  deliverNow(): Promise<number> {
    return this.worker.runOnce();
  }
}

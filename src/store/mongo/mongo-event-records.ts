import type {
  AttemptResult,
  DeliveryStatus,
  EndpointPatch,
  EventRecords,
  OutboxEvent,
  Page,
  Paged,
  WebhookDelivery,
  WebhookEndpoint,
} from '../../core/store';
import {
  insertOutboxEvents,
  type EventModels,
  type WebhookDeliveryDoc,
  type WebhookEndpointDoc,
} from './event-models';
import { AFTER, paged } from './record-helpers';

/** A fan-out holds its events this long; one that dies mid-way is taken over after. */
const FAN_OUT_LEASE_SECONDS = 60;

let lastSeq = 0;
const nextSeq = (): number => (lastSeq = Math.max(lastSeq + 1, Date.now() * 1000));

const endpointFromDoc = (d: WebhookEndpointDoc): WebhookEndpoint => ({
  id: d._id,
  url: d.url,
  events: [...d.events],
  enabled: d.enabled,
  secret: d.secret,
  createdAt: d.createdAt,
  disabledReason: d.disabledReason ?? null,
  failingSince: d.failingSince ?? null,
});

const deliveryFromDoc = (d: WebhookDeliveryDoc): WebhookDelivery => ({
  id: d._id,
  eventId: d.eventId,
  endpointId: d.endpointId,
  eventType: d.eventType,
  eventAt: d.eventAt,
  data: d.data,
  status: d.status as DeliveryStatus,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt,
  claimedUntil: d.claimedUntil,
  lastStatusCode: d.lastStatusCode ?? null,
  lastLatencyMs: d.lastLatencyMs ?? null,
  lastError: d.lastError ?? null,
  lastAttemptAt: d.lastAttemptAt ?? null,
  createdAt: d.createdAt,
});

/** Whether an event goes to the endpoint: the one it names, else every enabled subscriber. */
function receives(endpoint: WebhookEndpoint, type: string, only: string | null): boolean {
  if (only !== null) return endpoint.id === only;
  return endpoint.enabled && (endpoint.events.includes('*') || endpoint.events.includes(type));
}

/**
 * Webhooks on MongoDB. Claims are findOneAndUpdate on a lease (`claimedUntil`), so
 * several processes take each event and each due delivery once; a delivery's id is
 * `<eventId>:<endpointId>`, so a fan-out cut short and run again makes no second one.
 */
export class MongoEventRecords implements EventRecords {
  constructor(private readonly models: EventModels) {}

  async insertEvents(events: OutboxEvent[]): Promise<void> {
    await insertOutboxEvents(this.models.WebhookEvent, events);
  }

  async fanOutEvents(now: number, limit: number): Promise<number> {
    const { WebhookEvent, WebhookDelivery } = this.models;
    let taken = 0;
    let endpoints: WebhookEndpoint[] | null = null;
    for (; taken < limit; taken++) {
      const event = await WebhookEvent.findOneAndUpdate(
        { dispatchedAt: null, claimedUntil: { $lt: now } },
        { $set: { claimedUntil: now + FAN_OUT_LEASE_SECONDS } },
        { sort: { at: 1, _id: 1 }, returnDocument: 'after' },
      ).lean();
      if (!event) break;
      endpoints ??= await this.listEndpoints();
      for (const endpoint of endpoints) {
        if (!receives(endpoint, event.type, event.endpointId ?? null)) continue;
        const _id = `${event._id}:${endpoint.id}`;
        const fresh: WebhookDeliveryDoc = {
          _id,
          eventId: event._id,
          endpointId: endpoint.id,
          eventType: event.type,
          eventAt: event.at,
          data: event.data,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          claimedUntil: 0,
          lastStatusCode: null,
          lastLatencyMs: null,
          lastError: null,
          lastAttemptAt: null,
          createdAt: now,
          seq: nextSeq(),
        };
        await WebhookDelivery.updateOne({ _id }, { $setOnInsert: fresh }, { upsert: true });
      }
      await WebhookEvent.updateOne({ _id: event._id }, { $set: { dispatchedAt: now } });
    }
    return taken;
  }

  async claimDueDeliveries(
    now: number,
    leaseSeconds: number,
    limit: number,
  ): Promise<WebhookDelivery[]> {
    const claimed: WebhookDelivery[] = [];
    while (claimed.length < limit) {
      const doc = await this.models.WebhookDelivery.findOneAndUpdate(
        { status: 'pending', nextAttemptAt: { $lte: now }, claimedUntil: { $lt: now } },
        { $set: { claimedUntil: now + leaseSeconds } },
        { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
      ).lean();
      if (!doc) break;
      claimed.push(deliveryFromDoc(doc));
    }
    return claimed;
  }

  async recordAttempt(id: string, r: AttemptResult): Promise<void> {
    await this.models.WebhookDelivery.updateOne(
      { _id: id },
      {
        $set: {
          status: r.status,
          attempts: r.attempts,
          nextAttemptAt: r.nextAttemptAt,
          claimedUntil: 0,
          lastStatusCode: r.statusCode,
          lastLatencyMs: r.latencyMs,
          lastError: r.error,
          lastAttemptAt: r.at,
        },
      },
    );
  }

  async resendDelivery(id: string, now: number): Promise<WebhookDelivery | null> {
    const doc = await this.models.WebhookDelivery.findOneAndUpdate(
      { _id: String(id) },
      { $set: { status: 'pending', nextAttemptAt: now, claimedUntil: 0 } },
      AFTER,
    ).lean();
    return doc ? deliveryFromDoc(doc) : null;
  }

  async findDeliveryById(id: string): Promise<WebhookDelivery | null> {
    const doc = await this.models.WebhookDelivery.findOne({ _id: String(id) }).lean();
    return doc ? deliveryFromDoc(doc) : null;
  }

  listDeliveries(endpointId: string, page: Page): Promise<Paged<WebhookDelivery>> {
    return paged(
      this.models.WebhookDelivery,
      { endpointId: String(endpointId) },
      { createdAt: -1, seq: -1 },
      page,
      deliveryFromDoc,
    );
  }

  countUndispatchedEvents(): Promise<number> {
    return this.models.WebhookEvent.countDocuments({ dispatchedAt: null });
  }

  async insertEndpoint(e: WebhookEndpoint): Promise<void> {
    const { id, ...rest } = e;
    await this.models.WebhookEndpoint.create({ _id: id, ...rest });
  }

  async findEndpointById(id: string): Promise<WebhookEndpoint | null> {
    const doc = await this.models.WebhookEndpoint.findOne({ _id: String(id) }).lean();
    return doc ? endpointFromDoc(doc) : null;
  }

  async listEndpoints(): Promise<WebhookEndpoint[]> {
    const docs = await this.models.WebhookEndpoint.find({}).sort({ createdAt: 1, _id: 1 }).lean();
    return docs.map(endpointFromDoc);
  }

  async updateEndpoint(id: string, patch: EndpointPatch): Promise<WebhookEndpoint | null> {
    const set: Partial<WebhookEndpointDoc> = {};
    if (patch.url !== undefined) set.url = patch.url;
    if (patch.events !== undefined) set.events = patch.events;
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    if (patch.disabledReason !== undefined) set.disabledReason = patch.disabledReason;
    if (patch.failingSince !== undefined) set.failingSince = patch.failingSince;
    const doc = await this.models.WebhookEndpoint.findOneAndUpdate(
      { _id: String(id) },
      { $set: set },
      AFTER,
    ).lean();
    return doc ? endpointFromDoc(doc) : null;
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    const { deletedCount } = await this.models.WebhookEndpoint.deleteOne({ _id: String(id) });
    await this.models.WebhookDelivery.deleteMany({ endpointId: String(id) });
    return deletedCount > 0;
  }
}

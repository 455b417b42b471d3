import { Schema, type ClientSession, type Connection, type Model } from 'mongoose';
import type { OutboxEvent } from '../../core/store';
import type { JsonObject } from '../../core/types';

export interface WebhookEventDoc {
  _id: string;
  type: string;
  at: number;
  data: JsonObject;
  endpointId: string | null;
  dispatchedAt: number | null;
  /** Until when a fan-out holds it, so two processes do not fan it out at once. */
  claimedUntil: number;
}

export interface WebhookEndpointDoc {
  _id: string;
  url: string;
  events: string[];
  enabled: boolean;
  secret: string;
  createdAt: number;
  disabledReason: string | null;
  failingSince: number | null;
}

export interface WebhookDeliveryDoc {
  _id: string;
  eventId: string;
  endpointId: string;
  eventType: string;
  eventAt: number;
  data: JsonObject;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  claimedUntil: number;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  lastAttemptAt: number | null;
  createdAt: number;
  seq: number;
}

export interface EventModels {
  WebhookEvent: Model<WebhookEventDoc>;
  WebhookEndpoint: Model<WebhookEndpointDoc>;
  WebhookDelivery: Model<WebhookDeliveryDoc>;
}

const str = { type: String, required: true };
const num = { type: Number, required: true };
const optNum = { type: Number, default: null };
const optStr = { type: String, default: null };
const json = { type: Schema.Types.Mixed, default: () => ({}) };
const options = (collection: string) => ({
  collection,
  versionKey: false as const,
  minimize: false,
  id: false,
});

/** The webhook collections: the outbox, endpoints and deliveries. */
export function defineEventModels(conn: Connection, prefix = ''): EventModels {
  const events = new Schema<WebhookEventDoc>(
    {
      _id: str,
      type: str,
      at: num,
      data: json,
      endpointId: optStr,
      dispatchedAt: optNum,
      claimedUntil: num,
    },
    options(`${prefix}webhook_events`),
  );
  events.index({ dispatchedAt: 1, at: 1 });
  const endpoints = new Schema<WebhookEndpointDoc>(
    {
      _id: str,
      url: str,
      events: { type: [String], required: true },
      enabled: { type: Boolean, required: true },
      secret: str,
      createdAt: num,
      disabledReason: optStr,
      failingSince: optNum,
    },
    options(`${prefix}webhook_endpoints`),
  );
  const deliveries = new Schema<WebhookDeliveryDoc>(
    {
      _id: str,
      eventId: str,
      endpointId: str,
      eventType: str,
      eventAt: num,
      data: json,
      status: str,
      attempts: num,
      nextAttemptAt: num,
      claimedUntil: num,
      lastStatusCode: optNum,
      lastLatencyMs: optNum,
      lastError: optStr,
      lastAttemptAt: optNum,
      createdAt: num,
      seq: num,
    },
    options(`${prefix}webhook_deliveries`),
  );
  deliveries.index({ status: 1, nextAttemptAt: 1 });
  deliveries.index({ endpointId: 1, createdAt: -1, seq: -1 });
  return {
    WebhookEvent: conn.model<WebhookEventDoc>('WebhookEvent', events),
    WebhookEndpoint: conn.model<WebhookEndpointDoc>('WebhookEndpoint', endpoints),
    WebhookDelivery: conn.model<WebhookDeliveryDoc>('WebhookDelivery', deliveries),
  };
}

/** Writes outbox events, in `session` when the change they report runs in one. */
export async function insertOutboxEvents(
  WebhookEvent: Model<WebhookEventDoc>,
  events: readonly OutboxEvent[] | undefined,
  session?: ClientSession,
): Promise<void> {
  if (!events || events.length === 0) return;
  const docs = events.map((e) => ({
    _id: e.id,
    type: e.type,
    at: e.at,
    data: e.data,
    endpointId: e.endpointId ?? null,
    dispatchedAt: null,
    claimedUntil: 0,
  }));
  // ordered: false + ignoring duplicates: a cascade re-run writes the same events again.
  await WebhookEvent.insertMany(docs, { session, ordered: false }).catch((e: unknown) => {
    if ((e as { code?: number }).code !== 11000) throw e;
  });
}

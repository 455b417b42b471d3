import type { Collection } from 'mongoose';
import type { Models, WebhookDeliveryDoc } from '../store/mongo/models';
import { deliveryFromRow, endpointFromRow } from '../store/sqlite/event-records';

type Row = Record<string, unknown>;

/** The same shape as the migration's other table plans. */
export interface WebhookTablePlan {
  table: string;
  orderBy: string;
  collection: (m: Models) => Collection;
  toUpsert(row: Row): { filter: Record<string, unknown>; doc: Record<string, unknown> };
}

/** The webhook outbox, endpoints and deliveries, copied by id like every other table. */
export const WEBHOOK_TABLES: WebhookTablePlan[] = [
  {
    table: 'webhook_events',
    orderBy: 'at, rowid',
    collection: (m) => m.WebhookEvent.collection,
    toUpsert: (r) => {
      const doc = {
        _id: String(r.id),
        type: String(r.type),
        at: Number(r.at),
        data: JSON.parse(String(r.data)) as unknown,
        endpointId: r.endpoint_id === null ? null : String(r.endpoint_id),
        dispatchedAt: r.dispatched_at === null ? null : Number(r.dispatched_at),
        claimedUntil: 0,
      };
      return { filter: { _id: doc._id }, doc };
    },
  },
  {
    table: 'webhook_endpoints',
    orderBy: 'created_at, rowid',
    collection: (m) => m.WebhookEndpoint.collection,
    toUpsert: (r) => {
      const { id, ...rest } = endpointFromRow(r);
      return { filter: { _id: id }, doc: { _id: id, ...rest } };
    },
  },
  {
    table: 'webhook_deliveries',
    orderBy: 'created_at, rowid',
    collection: (m) => m.WebhookDelivery.collection,
    toUpsert: (r) => {
      const { id, ...rest } = deliveryFromRow(r);
      const doc: WebhookDeliveryDoc = { _id: id, ...rest, seq: Number(r.created_at) * 1000 };
      return { filter: { _id: id }, doc: { ...doc } };
    },
  },
];

import type { ApiKey, JsonObject } from '../types';
import type { Page, Paged } from './paging';

/**
 * One event in the outbox, written in the same transaction as the change that caused it.
 * `id` is the `webhook-id` every delivery of it carries, so receivers can drop repeats.
 */
export interface OutboxEvent {
  id: string;
  type: string;
  /** Unix seconds. */
  at: number;
  data: JsonObject;
  /** Sent to this endpoint alone, whatever it subscribes to (a test event); else to subscribers. */
  endpointId?: string | null;
}

/** The fields of a key a cascade hands to its `events` function: never a digest. */
export type ArchivedKey = Pick<ApiKey, 'id' | 'kind' | 'userId' | 'orgId' | 'hint' | 'displayName'>;

/** Builds a cascade's events from the keys it archived, inside its transaction. */
export type CascadeEvents = (archived: ArchivedKey[]) => OutboxEvent[];

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** Event types sent to it; '*' means every type. */
  events: string[];
  enabled: boolean;
  /** The signing secret ("whsec_..."): stored because signing needs it; never logged. */
  secret: string;
  createdAt: number;
  /** Why delivery stopped (set when the endpoint failed for too long); null otherwise. */
  disabledReason: string | null;
  /** When the current run of failures began; null after a success. */
  failingSince: number | null;
}

export type EndpointPatch = Partial<
  Pick<WebhookEndpoint, 'url' | 'events' | 'enabled' | 'disabledReason' | 'failingSince'>
>;

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event bound for one endpoint, and how its attempts went. */
export interface WebhookDelivery {
  /** `<eventId>:<endpointId>`: fanning an event out twice makes no second delivery. */
  id: string;
  eventId: string;
  endpointId: string;
  eventType: string;
  eventAt: number;
  data: JsonObject;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  /** Until when a worker holds it; another worker may claim it after. */
  claimedUntil: number;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  lastAttemptAt: number | null;
  createdAt: number;
}

/** What one attempt came to, written by the worker that claimed the delivery. */
export interface AttemptResult {
  status: DeliveryStatus;
  attempts: number;
  /** When to try again (for 'pending'). */
  nextAttemptAt: number;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
  at: number;
}

/**
 * Webhooks: the event outbox, the endpoints events go to, and each delivery. Claims are
 * atomic, so several processes on one database deliver each attempt once.
 */
export interface EventRecords {
  /** Writes events that belong to no other change (a test event, a reminder). */
  insertEvents(events: OutboxEvent[]): Promise<void>;
  /**
   * Makes a pending delivery of up to `limit` undelivered outbox events for each enabled
   * endpoint subscribed to their type (or for the one endpoint an event names), and marks
   * the events sent out. Returns how many
   * events it took. Safe to run from several processes at once.
   */
  fanOutEvents(now: number, limit: number): Promise<number>;
  /** Pending deliveries due at `now` that no worker holds, now held until `now + leaseSeconds`. */
  claimDueDeliveries(now: number, leaseSeconds: number, limit: number): Promise<WebhookDelivery[]>;
  recordAttempt(deliveryId: string, result: AttemptResult): Promise<void>;
  /** Makes a delivery pending and due at `now` again (the dashboard's "resend"). */
  resendDelivery(deliveryId: string, now: number): Promise<WebhookDelivery | null>;
  findDeliveryById(id: string): Promise<WebhookDelivery | null>;
  /** Newest first. */
  listDeliveries(endpointId: string, page: Page): Promise<Paged<WebhookDelivery>>;
  /** Outbox events not yet fanned out (for health and tests). */
  countUndispatchedEvents(): Promise<number>;

  insertEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  findEndpointById(id: string): Promise<WebhookEndpoint | null>;
  /** Oldest first. */
  listEndpoints(): Promise<WebhookEndpoint[]>;
  updateEndpoint(id: string, patch: EndpointPatch): Promise<WebhookEndpoint | null>;
  /** Deletes the endpoint and its deliveries; false when unknown. */
  deleteEndpoint(id: string): Promise<boolean>;
}

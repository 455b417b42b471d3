import { randomUUID } from 'node:crypto';
import type { Actor, Core } from './context';
import type { ArchivedKey, CascadeEvents, OutboxEvent } from './store/event-records';
import { nowSeconds } from './time';
import type { JsonObject, User } from './types';

/**
 * Every event type webhooks can carry. An event is written to the outbox in the same
 * store transaction as the change it reports: pass it as the `events` argument of the
 * store method that makes the change (see EventRecords), or, for an event that belongs
 * to no other write, `emit(core, event)`.
 */
export const EVENT_TYPES = [
  'api_key.created',
  'api_key.updated',
  'api_key.revoked',
  'api_key.rolled',
  'api_key.expiring',
  'api_key.expired',
  'api_key.leaked',
  'user.updated',
  'user.deleted',
  'org.deleted',
  'org.member_removed',
  'webhook.test',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const isEventType = (s: string): s is EventType =>
  (EVENT_TYPES as readonly string[]).includes(s);

/** Why a key was revoked, in `api_key.revoked` events. */
export type RevokeCause =
  'user' | 'admin' | 'api' | 'user_deleted' | 'org_deleted' | 'creator_left' | 'leaked';

/** The cause a plain revocation has, read from who made it. */
export function causeOf(by: Actor | undefined): RevokeCause {
  const actor = by?.actor ?? 'library';
  if (actor.startsWith('user:')) return 'user';
  if (actor.startsWith('admin:') || actor === 'cli') return 'admin';
  return 'api';
}

/** A new event with a fresh id (`evt_<uuid>`), which is its `webhook-id`. */
export function newEvent(
  type: EventType,
  data: JsonObject,
  at: number = nowSeconds(),
): OutboxEvent {
  return { id: `evt_${randomUUID().replaceAll('-', '')}`, type, at, data };
}

/** What every key event says of the key: ids, kind, owner and hint; never a token or digest. */
export const keyFields = (key: ArchivedKey): JsonObject => ({
  apiKeyId: key.id,
  kind: key.kind,
  userId: key.userId,
  orgId: key.orgId,
  hint: key.hint,
  displayName: key.displayName,
});

/** An event about one key, naming who acted. */
export function keyEvent(
  type: EventType,
  key: ArchivedKey,
  by: Actor | undefined,
  extra: JsonObject = {},
): OutboxEvent {
  return newEvent(type, { ...keyFields(key), ...extra, actor: by?.actor ?? 'library' });
}

/**
 * A cascade's events: one `api_key.revoked` per key it archived, with `cause`, and the
 * event for the change itself (e.g. `user.deleted`) first.
 */
export function cascadeEvents(
  change: OutboxEvent,
  cause: RevokeCause,
  by: Actor | undefined,
): CascadeEvents {
  return (archived) => [
    { ...change, data: { ...change.data, revokedApiKeyIds: archived.map((k) => k.id) } },
    ...archived.map((k) => keyEvent('api_key.revoked', k, by, { cause })),
  ];
}

/** What of a user decides whether their keys validate: a change to these is a `user.updated` event. */
const USER_FIELDS_KEYS_DEPEND_ON = ['enabled', 'locked', 'emailConfirmed'] as const;

/** `user.updated` when the patch changes something their keys' validation depends on; else none. */
export function userEvents(user: User, patch: Partial<User>, by: Actor | undefined): OutboxEvent[] {
  const changes: JsonObject = {};
  for (const field of USER_FIELDS_KEYS_DEPEND_ON) {
    if (patch[field] !== undefined && patch[field] !== user[field]) changes[field] = patch[field];
  }
  if (Object.keys(changes).length === 0) return [];
  return [newEvent('user.updated', { userId: user.id, changes, actor: by?.actor ?? 'library' })];
}

/** Writes events that belong to no other store change (a reminder, a test event). */
export async function emit(core: Core, ...events: OutboxEvent[]): Promise<void> {
  await core.store.insertEvents(events);
}
